import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import type { Config } from '../config.js';
import { parseManifest, type ResolvedPack } from '../core/manifest.js';
import { resolveRuntimePack } from '../models/select-pack.js';
import type { PhotoAnalyzer } from '../ports/photo-analyzer.js';
import { createAnalyzerPool } from '../runtime/analyzer-pool.js';

/** Reads the manifest and picks the pack (FACEBLOG_MODEL_PACK or what `npm run models` chose). */
export async function resolvePack(
  config: Config,
  packageRoot: string,
  log: (line: string) => void,
): Promise<{ pack: ResolvedPack; modelsDir: string }> {
  const manifest = parseManifest(
    JSON.parse(await readFile(path.join(packageRoot, 'models', 'manifest.json'), 'utf8')) as unknown,
  );
  return resolveRuntimePack({
    manifest,
    modelsDir: config.modelsDir,
    mirrorDir: config.modelMirror ?? defaultMirror(packageRoot),
    packEnv: config.modelPack,
    log,
  });
}

/**
 * The face pipeline for a command. By default one worker thread whose model runs use every core
 * (onnxruntime's own threads): on 20 photos of 12 MP it is as fast as one thread per core and peaks
 * about 200 MB lower, since each thread holds its own model sessions and its own pixel buffers
 * (bench/pipeline.ts, README "Album job figures"). `threads` > 1: that many threads, one core each;
 * 1: this thread.
 */
export async function openAnalyzer(
  config: Config,
  packageRoot: string,
  log: (line: string) => void,
  threads?: number,
): Promise<PhotoAnalyzer> {
  const { pack, modelsDir } = await resolvePack(config, packageRoot, log);
  if (threads === undefined) {
    return createAnalyzerPool({ pack, modelsDir, threads: 1, intraOpThreads: availableParallelism() });
  }
  if (threads > 1) return createAnalyzerPool({ pack, modelsDir, threads });
  // The pipeline's modules load in this thread only when it runs the models; a pool's threads load
  // their own, so the main thread does not wait for them before starting the pool.
  const [{ loadPackModels }, { inProcessAnalyzer }] = await Promise.all([
    import('../adapters/load-pack-models.js'),
    import('../pipeline/analyze-photo.js'),
  ]);
  return inProcessAnalyzer(await loadPackModels(pack, modelsDir));
}

/** `../shared/models` beside the checkout: the offline mirror of the CI machines. */
export function defaultMirror(packageRoot: string): string {
  return path.resolve(packageRoot, '..', 'shared', 'models');
}
