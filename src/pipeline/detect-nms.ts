import type { Box } from '../core/types.js';

export function boxArea(b: Box): number {
  return Math.max(0, b[2]) * Math.max(0, b[3]);
}

export function intersectionArea(a: Box, b: Box): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Intersection over union of two [x, y, w, h] boxes; 0 when either is empty. */
export function iou(a: Box, b: Box): number {
  const inter = intersectionArea(a, b);
  if (inter === 0) return 0;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

/** Share of `a`'s area that lies inside `b` (1 when `a` is wholly inside `b`). */
export function coverage(a: Box, b: Box): number {
  const area = boxArea(a);
  return area > 0 ? intersectionArea(a, b) / area : 0;
}

/**
 * Greedy non-maximum suppression: keep the highest score, drop everything overlapping it by more than
 * `iouThreshold`, repeat. Returns the kept items sorted by descending score. Stable for equal scores.
 */
export function nms<T extends { readonly box: Box; readonly score: number }>(
  items: readonly T[],
  iouThreshold: number,
): T[] {
  const order = items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => b.item.score - a.item.score || a.i - b.i)
    .map((e) => e.item);
  const kept: T[] = [];
  const dropped = new Uint8Array(order.length);
  for (const [i, a] of order.entries()) {
    if (dropped[i]) continue;
    kept.push(a);
    for (let j = i + 1; j < order.length; j++) {
      const b = order[j];
      if (b && !dropped[j] && iou(a.box, b.box) > iouThreshold) dropped[j] = 1;
    }
  }
  return kept;
}
