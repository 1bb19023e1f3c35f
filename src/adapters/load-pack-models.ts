import path from 'node:path';

import type { ResolvedPack } from '../models/manifest.js';
import type { PackModels } from '../pipeline/models.js';
import { loadOnnxModel, type OnnxOptions } from './onnx-model.js';

/** Opens every model of a pack from `modelsDir` (files as named in the manifest). */
export async function loadPackModels(
  pack: ResolvedPack,
  modelsDir: string,
  opts: OnnxOptions = {},
): Promise<PackModels> {
  const load = (entry: { id: string; file: string }) =>
    loadOnnxModel(entry.id, path.join(modelsDir, entry.file), opts);
  const [detector, fallback, ...recognizers] = await Promise.all([
    load(pack.detector),
    pack.fallbackDetector ? load(pack.fallbackDetector) : Promise.resolve(null),
    ...pack.recognizers.map(load),
  ]);
  return {
    pack,
    detector: { model: detector!, spec: pack.detector },
    fallback: fallback && pack.fallbackDetector ? { model: fallback, spec: pack.fallbackDetector } : null,
    recognizers: recognizers.map((model, i) => ({ model: model!, spec: pack.recognizers[i]! })),
  };
}
