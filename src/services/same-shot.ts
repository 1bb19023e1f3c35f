/**
 * One photo reaches a chat twice when it is sent both as a photo (Telegram recompresses it to 1280 px)
 * and as a file (the original): two hashes, two records, the same picture. `/find` shows each picture
 * once, the sharpest copy. Pure.
 *
 * Two copies are the same shot when the person's face sits at the same place of the frame (box within
 * `BOX_TOLERANCE` of the photo's width and height) in a frame of the same shape, and the two face
 * embeddings agree beyond `SAME_FACE_COSINE`: a resize or a recompression moves neither, while a second
 * frame of a burst moves the face by more than a few pixels in a thousand.
 */
import type { Box } from '../core/types.js';
import { cosine } from '../pipeline/identify.js';

/** A copy of a resized or recompressed photo embeds at ≥ 0.97 with the pack's recognizers. */
export const SAME_FACE_COSINE = 0.95;
/** Relative box difference allowed: 1 % of the frame, more than rounding at 1280 px. */
export const BOX_TOLERANCE = 0.01;

export interface ShotCandidate {
  readonly sha256: string;
  readonly width: number;
  readonly height: number;
  /** The person's face in this photo. */
  readonly box: Box;
  readonly vector: Float32Array | null;
}

function sameShot(a: ShotCandidate, b: ShotCandidate): boolean {
  if (a.width <= 0 || a.height <= 0 || b.width <= 0 || b.height <= 0) return false;
  if (Math.abs(a.width / a.height - b.width / b.height) > BOX_TOLERANCE) return false;
  const rel = (c: ShotCandidate) => [
    c.box[0] / c.width,
    c.box[1] / c.height,
    c.box[2] / c.width,
    c.box[3] / c.height,
  ];
  const ra = rel(a);
  const rb = rel(b);
  if (ra.some((v, i) => Math.abs(v - (rb[i] ?? Infinity)) > BOX_TOLERANCE)) return false;
  return a.vector !== null && b.vector !== null && cosine(a.vector, b.vector) >= SAME_FACE_COSINE;
}

/**
 * For each copy that repeats another, the sha256 of the copy kept (the one with more pixels; the first
 * given on a tie). Copies not in the map are kept.
 */
export function repeatedShots(copies: readonly ShotCandidate[]): Map<string, string> {
  const kept: ShotCandidate[] = [];
  const dropped = new Map<string, string>();
  const bySize = [...copies].sort((a, b) => b.width * b.height - a.width * a.height);
  for (const copy of bySize) {
    const twin = kept.find((k) => sameShot(k, copy));
    if (twin) dropped.set(copy.sha256, twin.sha256);
    else kept.push(copy);
  }
  return dropped;
}
