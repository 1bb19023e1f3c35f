/**
 * Pipeline throughput on 12-megapixel JPEGs with several faces each, next to the time spent in image
 * decoding and model inference alone, so the cost of our own code (letterbox, decoding outputs, warps,
 * quality, grouping) is visible.
 *
 *   npx tsx bench/pipeline.ts [--photos 16] [--threads <cores>] [--rounds 2] [--mode serial|pool|both]
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

import sharp from 'sharp';

import type { Tensor, TensorModel } from '../src/ports/tensor-model.js';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

import { resolvePack } from '../src/core/manifest.js';
import { inProcessAnalyzer } from '../src/pipeline/analyze-photo.js';
import type { PackModels } from '../src/ports/pack-models.js';
import { createAnalyzerPool } from '../src/runtime/analyzer-pool.js';
import { analyzeAlbum } from '../src/services/analyze-album.js';
import { fixture, repoRoot } from '../test/support/fixtures.js';
import { loadManifest, loadTestPack, testModelsDir } from '../test/support/models.js';

const { values } = parseArgs({
  options: {
    photos: { type: 'string', default: '16' },
    threads: { type: 'string', default: String(availableParallelism()) },
    rounds: { type: 'string', default: '2' },
    mode: { type: 'string', default: 'both' },
  },
});
const PHOTOS = Number(values.photos);
const THREADS = Number(values.threads);
const ROUNDS = Number(values.rounds);
const MODE = values.mode;

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

type Inputs = Array<{ path: string; read: () => Promise<Uint8Array> }>;

/** One photo at a time, in this thread: where the time goes, and how much of it is ours. */
async function serialBreakdown(inputs: Inputs): Promise<number> {
  const base = await loadTestPack();
  // Warm-up: first runs allocate onnxruntime buffers and load libvips codecs.
  await analyzeAlbum(inputs.slice(0, 2), inProcessAnalyzer(base), { concurrency: 1 });
  const serial = instrument(base);
  const t = performance.now();
  const one = await analyzeAlbum(inputs, inProcessAnalyzer(serial.wrapped), { concurrency: 1 });
  const serialMs = performance.now() - t;
  const faces = one.result.photos.reduce((n, p) => n + p.faces.length, 0);
  const st = one.timings;
  const decodeMs = (st.decode ?? 0) + (st.crops ?? 0);
  const boundMs = decodeMs + serial.det.ms + serial.rec.ms;
  const per = (ms: number) => (ms / inputs.length).toFixed(1).padStart(7);
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
  console.log(`  serial bound: ${((inputs.length * 1000) / boundMs).toFixed(2)} photos/s on one core`);
  console.log(`  peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  return boundMs;
}

/** The pool the CLI uses: one worker thread per core, two photos in flight per thread. */
async function poolThroughput(inputs: Inputs): Promise<void> {
  const manifest = await loadManifest();
  const pool = await createAnalyzerPool({
    pack: resolvePack(manifest, 'local'),
    modelsDir: testModelsDir(),
    threads: THREADS,
  });
  await analyzeAlbum(inputs.slice(0, THREADS * 2), pool, { concurrency: THREADS * 2 });
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    await analyzeAlbum(inputs, pool, { concurrency: THREADS * 2 });
    best = Math.min(best, performance.now() - t);
  }
  await pool.close();
  console.log(
    `\nthroughput (${THREADS} threads, best of ${ROUNDS}): ${((inputs.length * 1000) / best).toFixed(2)} photos/s`,
  );
  console.log(
    `  peak RSS of the process (main thread + ${THREADS} model threads): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
  );
}

async function main(): Promise<void> {
  const photos = await makePhotos();
  const inputs: Inputs = photos.map((p) => ({ path: p.path, read: () => Promise.resolve(p.bytes) }));
  console.log(
    `pack local: ${photos.length} photos of 4000×3000 (12 MP), ${THREADS} threads, ${ROUNDS} rounds`,
  );
  if (MODE === 'serial') await serialBreakdown(inputs);
  else if (MODE === 'pool') await poolThroughput(inputs);
  else {
    // Each part in its own process, so that peak RSS is its own.
    for (const mode of ['serial', 'pool']) {
      const out = spawnSync(
        process.execPath,
        [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2), '--mode', mode],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      process.stdout.write(out.stdout.split('\n').slice(1).join('\n'));
    }
  }
}

await main();
