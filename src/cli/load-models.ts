import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { loadPackModels } from '../adapters/load-pack-models.js';
import type { Config } from '../config.js';
import { parseManifest } from '../core/manifest.js';
import { resolveRuntimePack } from '../models/select-pack.js';
import type { PackModels } from '../ports/pack-models.js';

/** Reads the manifest, picks the pack (FACEBLOG_MODEL_PACK or what `npm run models` chose) and opens it. */
export async function loadModels(
  config: Config,
  packageRoot: string,
  log: (line: string) => void,
): Promise<PackModels> {
  const manifest = parseManifest(
    JSON.parse(await readFile(path.join(packageRoot, 'models', 'manifest.json'), 'utf8')) as unknown,
  );
  const { pack, modelsDir } = await resolveRuntimePack({
    manifest,
    modelsDir: config.modelsDir,
    mirrorDir: config.modelMirror ?? defaultMirror(packageRoot),
    packEnv: config.modelPack,
    log,
  });
  return loadPackModels(pack, modelsDir);
}

/** `../shared/models` beside the checkout: the offline mirror of the CI machines. */
export function defaultMirror(packageRoot: string): string {
  return path.resolve(packageRoot, '..', 'shared', 'models');
}
