/**
 * The decode + inference bound of bench/pipeline.ts: the photos through the pipeline one at a time in
 * this process, with every model run (detector, fallback, recognizers, scene objects) and the pipeline's
 * own decoding (header, detection raster, the region around small faces) timed and summed. Whatever our
 * code around them does, the album cannot take less than this.
 *
 * Run as a child of bench/pipeline.ts, one per core, on its share of the photos: each loads and warms its
 * models, prints `ready`, and starts when the parent writes a line, so that all of them decode and run
 * models at the same time. Two cores of a shared machine do not give twice one core's speed (they share
 * caches, memory bandwidth and, on many virtual machines, one physical core), and a bound that assumed
 * they do would be one no program could reach. Prints one JSON line.
 *
 *   npx tsx bench/pipeline-bound.ts --pack local <file...>
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import { inProcessAnalyzer } from '../src/pipeline/analyze-photo.js';
import type { PackModels } from '../src/ports/pack-models.js';
import type { Tensor, TensorModel } from '../src/ports/tensor-model.js';
import { analyzeAlbum } from '../src/services/analyze-album.js';
import { loadTestPack } from '../test/support/models.js';

export interface BoundFigures {
  /** Decoding: the header, the detection raster and the region around small faces. */
  readonly decodeMs: number;
  /** Time inside onnxruntime, every model of the pack and the scene detector. */
  readonly inferenceMs: number;
  /** The whole loop, with everything else the pipeline does between them. */
  readonly serialMs: number;
  readonly photos: number;
  readonly faces: number;
  readonly failures: number;
}

/** Wraps a model so the time spent inside onnxruntime is summed. */
function timed(model: TensorModel, acc: { ms: number }): TensorModel {
  return {
    ...model,
    run: async (feeds: Readonly<Record<string, Tensor>>) => {
      const t = performance.now();
      const out = await model.run(feeds);
      acc.ms += performance.now() - t;
      return out;
    },
  };
}

/** Loads and warms the pack; the returned function analyses `files` and gives the bound's figures. */
export async function prepareBound(
  pack: string,
  files: readonly string[],
): Promise<() => Promise<BoundFigures>> {
  const base = await loadTestPack(pack);
  const inputs = files.map((f) => ({
    path: path.basename(f),
    read: async () => new Uint8Array(await readFile(f)),
  }));
  // The first runs of a session allocate and plan: not part of any photo's cost.
  await analyzeAlbum(inputs.slice(0, 2), inProcessAnalyzer(base), { concurrency: 1 });
  const inference = { ms: 0 };
  const models: PackModels = {
    ...base,
    detector: { ...base.detector, model: timed(base.detector.model, inference) },
    fallback: base.fallback ? { ...base.fallback, model: timed(base.fallback.model, inference) } : null,
    recognizers: base.recognizers.map((r) => ({ ...r, model: timed(r.model, inference) })),
    objects: base.objects ? { ...base.objects, model: timed(base.objects.model, inference) } : null,
  };
  return async () => {
    const t = performance.now();
    const album = await analyzeAlbum(inputs, inProcessAnalyzer(models), { concurrency: 1 });
    return {
      decodeMs: (album.timings.decode ?? 0) + (album.timings.crops ?? 0),
      inferenceMs: inference.ms,
      serialMs: performance.now() - t,
      photos: inputs.length,
      faces: album.result.photos.reduce((n, p) => n + p.faces.length, 0),
      failures: album.result.failures.length,
    };
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const { values, positionals } = parseArgs({
    options: { pack: { type: 'string', default: 'local' } },
    allowPositionals: true,
  });
  const run = await prepareBound(values.pack, positionals);
  console.log('ready');
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => {
    lines.once('line', () => {
      resolve();
    });
  });
  lines.close();
  console.log(JSON.stringify(await run()));
}
