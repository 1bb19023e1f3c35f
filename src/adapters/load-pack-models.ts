import { access } from 'node:fs/promises';
import path from 'node:path';

import type { ResolvedPack } from '../core/manifest.js';
import type { PackModels } from '../ports/pack-models.js';
import { loadOnnxModel, type OnnxOptions } from './onnx-model.js';

/** Opens every model of a pack from `modelsDir` (files as named in the manifest). */
export async function loadPackModels(
  pack: ResolvedPack,
  modelsDir: string,
  opts: OnnxOptions = {},
): Promise<PackModels> {
  const load = (entry: { id: string; file: string }) =>
    loadOnnxModel(entry.id, path.join(modelsDir, entry.file), opts);
  const fallbackSpec = pack.fallbackDetector;
  // All at once: onnxruntime builds sessions off the event loop, so five models take about the time of
  // the largest two instead of their sum (about 380 ms).
  const [detector, fallback, recognizers, objects] = await Promise.all([
    load(pack.detector),
    fallbackSpec ? load(fallbackSpec).then((model) => ({ model, spec: fallbackSpec })) : null,
    Promise.all(pack.recognizers.map(async (spec) => ({ model: await load(spec), spec }))),
    loadObjects(pack, modelsDir, opts),
  ]);
  return { pack, detector: { model: detector, spec: pack.detector }, fallback, recognizers, objects };
}

/**
 * The scene-object detector is optional: without its file the faces still work and posts simply say
 * nothing about objects. Looked for in `modelsDir`, where `npm run models` copies it beside the pack.
 */
async function loadObjects(
  pack: ResolvedPack,
  modelsDir: string,
  opts: OnnxOptions,
): Promise<PackModels['objects']> {
  const spec = pack.objects;
  if (!spec) return null;
  const file = path.join(modelsDir, spec.file);
  try {
    await access(file);
  } catch {
    return null;
  }
  return { model: await loadOnnxModel(spec.id, file, opts), spec };
}
