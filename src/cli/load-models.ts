import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { loadPackModels } from '../adapters/load-pack-models.js';
import type { Config } from '../config.js';
import { parseManifest, type ResolvedPack } from '../core/manifest.js';
import { resolveRuntimePack } from '../models/select-pack.js';
import { inProcessAnalyzer } from '../pipeline/analyze-photo.js';
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
 * The face pipeline for a command: a pool of worker threads (one per core, so inference never blocks
 * the event loop and both cores work), or this thread when one is asked for.
 */
export async function openAnalyzer(
  config: Config,
  packageRoot: string,
  log: (line: string) => void,
  threads = availableParallelism(),
): Promise<PhotoAnalyzer> {
  const { pack, modelsDir } = await resolvePack(config, packageRoot, log);
  if (threads <= 1) return inProcessAnalyzer(await loadPackModels(pack, modelsDir));
  return createAnalyzerPool({ pack, modelsDir, threads });
}

/** `../shared/models` beside the checkout: the offline mirror of the CI machines. */
export function defaultMirror(packageRoot: string): string {
  return path.resolve(packageRoot, '..', 'shared', 'models');
}
