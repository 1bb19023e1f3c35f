import type { Box, Landmarks } from '../core/types.js';
import type { Candidate } from './detect-candidate.js';

export interface ValidationLimits {
  /** Shortest side, in image pixels, of the clipped box. */
  readonly minSize: number;
  /** Largest width/height or height/width of the unclipped box. */
  readonly maxAspect: number;
  /** How far outside the box a landmark may lie, as a fraction of the box's size. */
  readonly landmarkMargin: number;
}

/**
 * Defaults. SCRFD and YuNet boxes of real faces have width/height between about 0.6 and 1.1 on the
 * fixtures, so 2.5 only rejects degenerate decodes. Landmarks of profile faces reach up to about a
 * quarter of the box outside it; 0.5 leaves room and still rejects keypoints of another face. Below 8
 * px (one stride-8 cell) a box carries no usable face.
 */
export const DEFAULT_LIMITS: ValidationLimits = { minSize: 8, maxAspect: 2.5, landmarkMargin: 0.5 };

/**
 * Checks a candidate in image coordinates and clips its box to the image. Returns null for non-finite
 * values, boxes that are tiny (after clipping) or absurdly elongated, and landmarks far outside the
 * box. Landmarks are not clipped: a face cut by the image border keeps its true geometry, which
 * alignment needs (it samples outside the image as padding).
 */
export function validateCandidate(
  c: Candidate,
  width: number,
  height: number,
  limits: ValidationLimits = DEFAULT_LIMITS,
): Candidate | null {
  const [x, y, w, h] = c.box;
  if (![x, y, w, h, c.score].every(Number.isFinite)) return null;
  if (!c.landmarks.every(([px, py]) => Number.isFinite(px) && Number.isFinite(py))) return null;
  if (w <= 0 || h <= 0) return null;
  if (w / h > limits.maxAspect || h / w > limits.maxAspect) return null;
  const mx = w * limits.landmarkMargin;
  const my = h * limits.landmarkMargin;
  for (const [px, py] of c.landmarks) {
    if (px < x - mx || px > x + w + mx || py < y - my || py > y + h + my) return null;
  }
  const box = clipBox(c.box, width, height);
  if (Math.min(box[2], box[3]) < limits.minSize) return null;
  return { box, score: c.score, landmarks: c.landmarks.map(([px, py]) => [px, py]) as Landmarks };
}

/** The part of `box` inside a width × height image (may be empty). */
export function clipBox(box: Box, width: number, height: number): Box {
  const x1 = Math.min(Math.max(box[0], 0), width);
  const y1 = Math.min(Math.max(box[1], 0), height);
  const x2 = Math.min(Math.max(box[0] + box[2], 0), width);
  const y2 = Math.min(Math.max(box[1] + box[3], 0), height);
  return [x1, y1, x2 - x1, y2 - y1];
}
