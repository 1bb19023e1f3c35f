import type { InputSpec } from '../core/manifest.js';
import type { RgbImage } from '../core/types.js';

/** Which views of each crop go into the batch: as is, mirrored, or both (face-major: crop, mirror, ...). */
export type MirrorMode = 'plain' | 'mirror' | 'both';

/**
 * Crops (already at the model's input size) to one float32 NCHW batch in a single pass over the pixels:
 * channel order, `(v − mean) / std` and, when asked, the horizontal mirror written from the same reads.
 */
export function cropsToTensor(
  crops: readonly RgbImage[],
  input: Pick<InputSpec, 'colorOrder' | 'mean' | 'std'>,
  mode: MirrorMode,
): Float32Array {
  const views = mode === 'both' ? 2 : 1;
  const first = crops[0];
  if (!first) return new Float32Array(0);
  const { width: w, height: h } = first;
  const plane = w * h;
  const image = 3 * plane;
  const out = new Float32Array(crops.length * views * image);
  // mean and std are listed in tensor-channel order (the manifest's FaceRes entry is B, G, R), so a BGR
  // model's R plane is channel 2 with mean[2].
  const bgr = input.colorOrder === 'BGR';
  const cR = bgr ? 2 : 0;
  const cB = bgr ? 0 : 2;
  const offR = cR * plane;
  const offG = plane;
  const offB = cB * plane;
  const mr = input.mean[cR];
  const mg = input.mean[1];
  const mb = input.mean[cB];
  const kr = 1 / input.std[cR];
  const kg = 1 / input.std[1];
  const kb = 1 / input.std[cB];
  const plain = mode !== 'mirror';
  const mirror = mode !== 'plain';
  crops.forEach((crop, n) => {
    const { data } = crop;
    const base = n * views * image;
    const mirrorBase = mode === 'both' ? base + image : base;
    for (let y = 0; y < h; y++) {
      const row = y * w;
      for (let x = 0; x < w; x++) {
        const p = (row + x) * 3;
        const r = ((data[p] ?? 0) - mr) * kr;
        const g = ((data[p + 1] ?? 0) - mg) * kg;
        const b = ((data[p + 2] ?? 0) - mb) * kb;
        if (plain) {
          const o = base + row + x;
          out[o + offR] = r;
          out[o + offG] = g;
          out[o + offB] = b;
        }
        if (mirror) {
          const o = mirrorBase + row + (w - 1 - x);
          out[o + offR] = r;
          out[o + offG] = g;
          out[o + offB] = b;
        }
      }
    }
  });
  return out;
}
