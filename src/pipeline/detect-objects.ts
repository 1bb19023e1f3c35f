import type { Box, RgbImage, SceneObject } from '../core/types.js';
import type { ObjectsModel } from '../ports/pack-models.js';

/**
 * Scene objects of one photo with CenterNet COCO-80 (shared/models/README.md): the whole upright raster
 * stretched to the model's 512×512 (no letterbox, as it was trained), NHWC raw 0–255, then the library's
 * own post-processing: score > 0.2, class-agnostic greedy NMS at IoU 0.4, at most 10 boxes. `scale` maps
 * the raster to original pixels (raster = original × scale).
 */
export async function detectObjects(
  image: RgbImage,
  scale: number,
  objects: ObjectsModel,
): Promise<SceneObject[]> {
  const { spec, model } = objects;
  const [w, h] = spec.input.size;
  const data = resizeToFloat(image, w, h);
  const out = await model.run({ [spec.input.name]: { data, dims: [1, h, w, 3] } });
  const det = out[spec.output.name] ?? Object.values(out)[0];
  if (!det) return [];
  return decodeCenterNet(det.data, {
    inputWidth: w,
    inputHeight: h,
    imageWidth: image.width / scale,
    imageHeight: image.height / scale,
    labels: spec.output.labels,
    scoreThreshold: spec.output.scoreThreshold,
    nmsIou: spec.output.nmsIou,
    maxDetections: spec.output.maxDetections,
  });
}

/**
 * Area-averaged resize to `w`×`h` as float32 HWC, raw 0–255. Averaging (not point sampling) matters on
 * the way down from the 1280 px detection raster: point samples alias fine textures into noise.
 */
export function resizeToFloat(image: RgbImage, w: number, h: number): Float32Array {
  const out = new Float32Array(w * h * 3);
  const sx = image.width / w;
  const sy = image.height / h;
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.min(image.height, Math.floor((y + 1) * sy)));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.min(image.width, Math.floor((x + 1) * sx)));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let yy = y0; yy < y1; yy++) {
        let i = (yy * image.width + x0) * 3;
        for (let xx = x0; xx < x1; xx++, i += 3) {
          r += image.data[i] ?? 0;
          g += image.data[i + 1] ?? 0;
          b += image.data[i + 2] ?? 0;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * w + x) * 3;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
    }
  }
  return out;
}

export interface CenterNetDecodeOptions {
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly imageWidth: number;
  readonly imageHeight: number;
  readonly labels: readonly string[];
  readonly scoreThreshold: number;
  readonly nmsIou: number;
  readonly maxDetections: number;
}

/** Rows of [x1, y1, x2, y2, score, class] in input pixels → objects in image pixels, NMS applied. */
export function decodeCenterNet(rows: Float32Array, opts: CenterNetDecodeOptions): SceneObject[] {
  const kx = opts.imageWidth / opts.inputWidth;
  const ky = opts.imageHeight / opts.inputHeight;
  const candidates: { box: [number, number, number, number]; score: number; cls: number }[] = [];
  for (let i = 0; i + 5 < rows.length; i += 6) {
    const score = rows[i + 4] ?? 0;
    if (!(score > opts.scoreThreshold)) continue;
    const x1 = Math.max(0, (rows[i] ?? 0) * kx);
    const y1 = Math.max(0, (rows[i + 1] ?? 0) * ky);
    const x2 = Math.min(opts.imageWidth, (rows[i + 2] ?? 0) * kx);
    const y2 = Math.min(opts.imageHeight, (rows[i + 3] ?? 0) * ky);
    if (x2 <= x1 || y2 <= y1) continue;
    candidates.push({ box: [x1, y1, x2, y2], score, cls: Math.round(rows[i + 5] ?? -1) });
  }
  candidates.sort((a, b) => b.score - a.score);
  const kept: typeof candidates = [];
  for (const c of candidates) {
    if (kept.length >= opts.maxDetections) break;
    if (kept.some((k) => iou(k.box, c.box) > opts.nmsIou)) continue;
    kept.push(c);
  }
  return kept.flatMap((k) => {
    const label = opts.labels[k.cls];
    if (label === undefined) return [];
    const [x1, y1, x2, y2] = k.box;
    return [{ label, score: k.score, box: [x1, y1, x2 - x1, y2 - y1] as Box }];
  });
}

function iou(a: readonly number[], b: readonly number[]): number {
  const [ax1 = 0, ay1 = 0, ax2 = 0, ay2 = 0] = a;
  const [bx1 = 0, by1 = 0, bx2 = 0, by2 = 0] = b;
  const iw = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1));
  const ih = Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
  const inter = iw * ih;
  const union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
  return union > 0 ? inter / union : 0;
}
