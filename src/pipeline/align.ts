import { AppError, ErrorCode } from '../core/errors.js';
import type { CropSpec } from '../core/manifest.js';
import type { Box, FaceDetection, Landmarks, Point, RgbImage } from '../core/types.js';

/**
 * A 2×3 affine map, row-major: (x, y) → (a·x + b·y + c, d·x + e·y + f).
 * Alignment maps image coordinates to crop coordinates.
 */
export type Affine = readonly [a: number, b: number, c: number, d: number, e: number, f: number];

/**
 * The ArcFace 5-point template for 112×112 crops (InsightFace `arcface_dst`, python/insightface/utils/
 * face_align.py): eyes, nose tip, mouth corners. Every ArcFace-family recognizer was trained on it.
 */
const ARCFACE_112: Landmarks = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * Open Model Zoo's reference points for face-reidentification-retail-0095, in a 96×112 crop
 * (shared/models/README.md); the model itself takes them stretched onto a 128×128 square.
 */
const OPENVINO_96X112: Landmarks = [
  [30.2946, 51.6963],
  [65.5318, 51.5014],
  [48.0252, 71.7366],
  [33.5493, 92.3655],
  [62.7299, 92.2041],
];

/** Open Model Zoo's template stretched onto a square crop of `size` pixels. */
export function openvinoTemplate(size: number): Landmarks {
  return OPENVINO_96X112.map(([x, y]): Point => [(x * size) / 96, (y * size) / 112]) as Landmarks;
}

/** The ArcFace template scaled to a square crop of `size` pixels. */
export function arcfaceTemplate(size: number): Landmarks {
  const k = size / 112;
  return ARCFACE_112.map(([x, y]): Point => [x * k, y * k]) as Landmarks;
}

/**
 * Least-squares similarity (rotation, uniform scale, translation; no reflection) taking `src` onto `dst`:
 * Umeyama (1991). In 2-D the optimum has a closed form: with centred points, scale·cos = Σ(s·d)/Σ|s|² and
 * scale·sin = Σ(s×d)/Σ|s|², which is what the SVD solution reduces to when the determinant is positive.
 */
export function similarityTransform(src: Landmarks, dst: Landmarks): Affine {
  const pairs = src.map((s, i): [Point, Point] => [s, dst[i] ?? s]);
  const n = pairs.length;
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (const [s, d] of pairs) {
    sx += s[0];
    sy += s[1];
    dx += d[0];
    dy += d[1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (const [s, d] of pairs) {
    const ux = s[0] - sx;
    const uy = s[1] - sy;
    const vx = d[0] - dx;
    const vy = d[1] - dy;
    dot += ux * vx + uy * vy;
    cross += ux * vy - uy * vx;
    norm += ux * ux + uy * uy;
  }
  if (!(norm > 0)) {
    throw new AppError(ErrorCode.BadArguments, 'landmarks are degenerate (all points coincide)', { src });
  }
  const a = dot / norm;
  const b = cross / norm;
  return [a, -b, dx - a * sx + b * sy, b, a, dy - b * sx - a * sy];
}

/** The inverse of an affine map. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0 || !Number.isFinite(det)) {
    throw new AppError(ErrorCode.BadArguments, 'affine map is not invertible', { m });
  }
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/**
 * Largest number of bilinear taps per axis when shrinking: plain bilinear skips pixels once the step
 * exceeds 2 source pixels and aliases; a few taps over each output pixel's footprint approximate an area
 * filter (same reasoning and cap as the detector's letterbox, detect-letterbox.ts). 4 covers an 8× shrink.
 */
const MAX_TAPS = 4;

/**
 * Resample `image` into a `size`×`size` crop: output pixel (u, v) reads the image at m⁻¹(u, v).
 * Coordinates: landmarks and boxes are continuous (pixel i covers [i, i + 1), detect-letterbox.ts), while
 * the crop follows InsightFace's cv2.warpAffine (pixel centres on integers), so the source sample index is
 * m⁻¹(u, v) − 0.5. Bilinear, multi-tap when shrinking; outside the image is black (cv2's default border).
 */
export function warpAffine(image: RgbImage, m: Affine, size: number): RgbImage {
  const [ia, ib, ic, id, ie, iff] = invertAffine(m);
  const { width: W, height: H, data } = image;
  const out = new Uint8Array(size * size * 3);
  // Source pixels per output pixel along each axis (the inverse map's column lengths).
  const stepX = Math.hypot(ia, id);
  const stepY = Math.hypot(ib, ie);
  const tapsX = Math.max(1, Math.min(MAX_TAPS, Math.round(stepX / 2)));
  const tapsY = Math.max(1, Math.min(MAX_TAPS, Math.round(stepY / 2)));
  const inv = 1 / (tapsX * tapsY);
  const rowBytes = W * 3;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      let r = 0;
      let g = 0;
      let bl = 0;
      for (let ty = 0; ty < tapsY; ty++) {
        const vv = v + (ty + 0.5) / tapsY - 0.5;
        for (let tx = 0; tx < tapsX; tx++) {
          const uu = u + (tx + 0.5) / tapsX - 0.5;
          const x = ia * uu + ib * vv + ic - 0.5;
          const y = id * uu + ie * vv + iff - 0.5;
          const x0 = Math.floor(x);
          const y0 = Math.floor(y);
          if (x0 < -1 || y0 < -1 || x0 >= W || y0 >= H) continue;
          const fx = x - x0;
          const fy = y - y0;
          // Taps that fall outside read black, like cv2.BORDER_CONSTANT.
          const inX0 = x0 >= 0;
          const inX1 = x0 + 1 < W;
          const inY0 = y0 >= 0;
          const inY1 = y0 + 1 < H;
          const p0 = y0 * rowBytes + x0 * 3;
          const p1 = p0 + rowBytes;
          if (inY0) {
            const wy = 1 - fy;
            if (inX0) {
              const w = (1 - fx) * wy;
              r += w * (data[p0] ?? 0);
              g += w * (data[p0 + 1] ?? 0);
              bl += w * (data[p0 + 2] ?? 0);
            }
            if (inX1) {
              const w = fx * wy;
              r += w * (data[p0 + 3] ?? 0);
              g += w * (data[p0 + 4] ?? 0);
              bl += w * (data[p0 + 5] ?? 0);
            }
          }
          if (inY1) {
            if (inX0) {
              const w = (1 - fx) * fy;
              r += w * (data[p1] ?? 0);
              g += w * (data[p1 + 1] ?? 0);
              bl += w * (data[p1 + 2] ?? 0);
            }
            if (inX1) {
              const w = fx * fy;
              r += w * (data[p1 + 3] ?? 0);
              g += w * (data[p1 + 4] ?? 0);
              bl += w * (data[p1 + 5] ?? 0);
            }
          }
        }
      }
      const o = (v * size + u) * 3;
      out[o] = Math.round(r * inv);
      out[o + 1] = Math.round(g * inv);
      out[o + 2] = Math.round(bl * inv);
    }
  }
  return { width: size, height: size, data: out };
}

/**
 * The detector box grown by `margin` (a fraction of its width / height) on each side, made square around
 * its centre and resized to `size` (HSE FaceRes's crop, shared/models/README.md). Outside the image is black.
 */
export function cropBox(image: RgbImage, box: Box, margin: number, size: number): RgbImage {
  const [x, y, w, h] = box;
  const side = Math.max(w * (1 + 2 * margin), h * (1 + 2 * margin));
  if (!(side > 0)) throw new AppError(ErrorCode.BadArguments, 'face box is empty', { box });
  const cx = x + w / 2;
  const cy = y + h / 2;
  const k = size / side;
  // Continuous image point (cx − side/2) maps to the crop's left edge, i.e. index coordinate −0.5.
  return warpAffine(image, [k, 0, (side / 2 - cx) * k - 0.5, 0, k, (side / 2 - cy) * k - 0.5], size);
}

/** The crop a recognizer expects, as its manifest entry describes it. */
export function alignFace(image: RgbImage, face: FaceDetection, crop: CropSpec): RgbImage {
  switch (crop.type) {
    case 'arcface':
      return warpAffine(image, similarityTransform(face.landmarks, arcfaceTemplate(crop.size)), crop.size);
    case 'openvino':
      return warpAffine(image, similarityTransform(face.landmarks, openvinoTemplate(crop.size)), crop.size);
    case 'box':
      return cropBox(image, face.box, crop.margin, crop.size);
  }
}
