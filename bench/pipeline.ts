/**
 * Pipeline throughput on 12-megapixel JPEGs with several faces each, next to the time spent in image
 * decoding and model inference alone, so the cost of our own code (letterbox, decoding outputs, warps,
 * quality, grouping) is visible.
 *
 *   npx tsx bench/pipeline.ts [--photos 16] [--threads <cores>] [--rounds 2]
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

import sharp from 'sharp';

import type { Tensor, TensorModel } from '../src/ports/tensor-model.js';
import { availableParallelism } from 'node:os';

import { inProcessAnalyzer } from '../src/pipeline/analyze-photo.js';
import type { PackModels } from '../src/ports/pack-models.js';
import { createAnalyzerPool } from '../src/runtime/analyzer-pool.js';
import { analyzeAlbum } from '../src/services/analyze-album.js';
import { fixture, repoRoot } from '../test/support/fixtures.js';
import { loadTestPack, testModelsDir } from '../test/support/models.js';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '16' },
    threads: { type: 'string', default: String(availableParallelism()) },
    rounds: { type: 'string', default: '2' },
  },
});
const PHOTOS = Number(values.photos);
const THREADS = Number(values.threads);
const ROUNDS = Number(values.rounds);

/** Group photos with 2–8 faces; upscaled to 4000×3000 like a phone's 12 MP JPEG at quality 90. */
const SOURCES = [
  'compreface/000_5.jpg',
  'compreface/010_2.jpg',
  'compreface/011_3.jpg',
  'compreface/012_4.jpg',
  'compreface/013_4.jpg',
  'compreface/014_5.jpg',
  'compreface/015_6.jpg',
  'compreface/016_8.jpg',
  'dlib/2008_007676.jpg',
  'dlib/2008_001322.jpg',
  'dlib/2009_004587.jpg',
  'dlib/bald_guys.jpg',
  'face_recognition/examples/knn_examples/test/obama_and_biden.jpg',
  'face_recognition/examples/knn_examples/test/kit_with_rose.jpg',
  'face_recognition/examples/two_people.jpg',
  'dlib/2008_002506.jpg',
];

async function makePhotos(): Promise<Array<{ path: string; bytes: Uint8Array }>> {
  const dir = path.join(repoRoot, 'bench/out/12mp');
  await mkdir(dir, { recursive: true });
  const out = [];
  for (let i = 0; i < PHOTOS; i++) {
    const src = SOURCES[i % SOURCES.length]!;
    // Mirror every second round so repeats are different photos, not duplicates.
    const flip = Math.floor(i / SOURCES.length) % 2 === 1;
    const file = path.join(dir, `${i}_${path.basename(src, '.jpg')}.jpg`);
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (!exists) {
      let img = sharp(await readFile(fixture(src))).rotate();
      if (flip) img = img.flop();
      await writeFile(
        file,
        await img.resize(4000, 3000, { fit: 'cover', position: 'north' }).jpeg({ quality: 90 }).toBuffer(),
      );
    }
    out.push({ path: path.basename(file), bytes: new Uint8Array(await readFile(file)) });
  }
  return out;
}

/** Wraps a model so the time spent inside onnxruntime is summed. */
function timed(model: TensorModel, acc: { ms: number; runs: number }): TensorModel {
  return {
    ...model,
    run: async (feeds: Readonly<Record<string, Tensor>>) => {
      const t = performance.now();
      const out = await model.run(feeds);
      acc.ms += performance.now() - t;
      acc.runs += 1;
      return out;
    },
  };
}

function instrument(models: PackModels) {
  const det = { ms: 0, runs: 0 };
  const rec = { ms: 0, runs: 0 };
  const wrapped: PackModels = {
    ...models,
    detector: { ...models.detector, model: timed(models.detector.model, det) },
    fallback: models.fallback ? { ...models.fallback, model: timed(models.fallback.model, det) } : null,
    recognizers: models.recognizers.map((r) => ({ ...r, model: timed(r.model, rec) })),
  };
  return { wrapped, det, rec };
}

async function main(): Promise<void> {
  const photos = await makePhotos();
  const inputs = photos.map((p) => ({ path: p.path, read: () => Promise.resolve(p.bytes) }));
  const base = await loadTestPack();
  console.log(
    `pack ${base.pack.name}: ${photos.length} photos of 4000×3000 (12 MP), ${THREADS} threads, ${ROUNDS} rounds`,
  );
  // Warm-up: first runs allocate onnxruntime arenas and load libvips codecs.
  await analyzeAlbum(inputs.slice(0, 2), inProcessAnalyzer(base), { concurrency: 1 });

  // 1. One photo at a time: where the time goes, and how much of it is ours.
  const serial = instrument(base);
  let t = performance.now();
  const one = await analyzeAlbum(inputs, inProcessAnalyzer(serial.wrapped), { concurrency: 1 });
  const serialMs = performance.now() - t;
  const faces = one.result.photos.reduce((n, p) => n + p.faces.length, 0);
  const st = one.timings;
  const decodeMs = (st.decode ?? 0) + (st.crops ?? 0);
  const inferMs = serial.det.ms + serial.rec.ms;
  const boundMs = decodeMs + inferMs;
  const per = (ms: number) => (ms / photos.length).toFixed(1).padStart(7);
  console.log(`\nserial run: ${faces} faces, ${one.result.people.length} people`);
  console.log(`  stage (ms per photo)         wall   of which decode/inference`);
  console.log(`  decode (header + 1/n scale) ${per(st.decode ?? 0)}`);
  console.log(
    `  detect                      ${per(st.detect ?? 0)}   inference ${per(serial.det.ms)} (${serial.det.runs} runs)`,
  );
  console.log(`  crop region decode          ${per(st.crops ?? 0)}`);
  console.log(`  align + quality             ${per(st.align ?? 0)}`);
  console.log(
    `  embed                       ${per(st.embed ?? 0)}   inference ${per(serial.rec.ms)} (${serial.rec.runs} runs)`,
  );
  console.log(`  whole album (incl. dedup, grouping) ${per(serialMs)}`);
  console.log(
    `  decode + inference alone: ${per(boundMs)} ms/photo → our code adds ${(((serialMs - boundMs) / boundMs) * 100).toFixed(1)} %`,
  );

  const serialRss = process.resourceUsage().maxRSS / 1024;

  // 2. Throughput: the pool the CLI uses, one worker thread per core, two photos in flight per thread.
  const pool = await createAnalyzerPool({ pack: base.pack, modelsDir: testModelsDir(), threads: THREADS });
  await analyzeAlbum(inputs.slice(0, THREADS * 2), pool, { concurrency: THREADS * 2 });
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    t = performance.now();
    await analyzeAlbum(inputs, pool, { concurrency: THREADS * 2 });
    best = Math.min(best, performance.now() - t);
  }
  await pool.close();
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(
    `\nthroughput (${THREADS} threads, best of ${ROUNDS}): ${((photos.length * 1000) / best).toFixed(2)} photos/s`,
  );
  console.log(
    `serial bound (decode + inference, one at a time): ${((photos.length * 1000) / boundMs).toFixed(2)} photos/s`,
  );
  console.log(
    `peak RSS: ${serialRss.toFixed(0)} MB in-process serial run, ${rss.toFixed(0)} MB with the pool`,
  );
}

await main();
