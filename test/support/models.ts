import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { loadPackModels } from '../../src/adapters/load-pack-models.js';
import { parseManifest, resolvePack, type Manifest } from '../../src/core/manifest.js';
import type { PackModels } from '../../src/ports/pack-models.js';
import { mirrorDir, repoRoot } from './fixtures.js';

export async function loadManifest(): Promise<Manifest> {
  return parseManifest(JSON.parse(await readFile(path.join(repoRoot, 'models/manifest.json'), 'utf8')));
}

/** The models directory: ./models once `npm run models` has run, else the mirror itself. */
export function testModelsDir(): string {
  const local = path.join(repoRoot, 'models');
  return existsSync(path.join(local, 'det_500m.onnx')) ? local : mirrorDir;
}

const cache = new Map<string, Promise<PackModels>>();

/** The real models of a pack (default: the offline `local` pack every test runs with). */
export function loadTestPack(name = 'local'): Promise<PackModels> {
  let entry = cache.get(name);
  if (!entry) {
    entry = loadManifest().then((m) => loadPackModels(resolvePack(m, name), testModelsDir()));
    cache.set(name, entry);
  }
  return entry;
}
