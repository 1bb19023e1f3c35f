/**
 * Geometry of the face crops people see (contact sheets, people lists, merge prompts, the album page):
 * a square centred on one face with a small margin, so that the face shown is the face meant. A looser
 * crop (the box plus 40 % each side) clipped at the photo's edge and then centre-cropped to a square
 * showed a neighbour's face in group photos; here the square never moves off the face: where it passes
 * the photo's edge, the missing part is padded instead.
 */
import type { Box } from '../core/types.js';

/**
 * Margin around the detector box on each side, as a share of its longer side: SCRFD's box runs from
 * brow to chin, so 20 % shows the hairline and chin while a neighbour's face (typically one face width
 * or more away, centre to centre, in a group photo) stays mostly out.
 */
export const FACE_CROP_MARGIN = 0.2;

export interface FaceCropPlan {
  /** Integer region inside the photo to read, [x, y, w, h]. */
  readonly region: Box;
  /** Source pixels of padding to add on each side so the face sits in the middle of a square. */
  readonly pad: {
    readonly left: number;
    readonly top: number;
    readonly right: number;
    readonly bottom: number;
  };
  /** Side of the square, in source pixels (region plus padding). */
  readonly side: number;
}

/** The square around `box` (upright photo pixels) and how much of it lies outside a `width`×`height` photo. */
export function faceCropPlan(
  box: Box,
  width: number,
  height: number,
  margin = FACE_CROP_MARGIN,
): FaceCropPlan {
  const [x, y, w, h] = box;
  const side = Math.max(1, Math.round(Math.max(w, h) * (1 + 2 * margin)));
  const left = Math.round(x + w / 2 - side / 2);
  const top = Math.round(y + h / 2 - side / 2);
  const x0 = Math.min(Math.max(0, left), width - 1);
  const y0 = Math.min(Math.max(0, top), height - 1);
  const x1 = Math.max(x0 + 1, Math.min(width, left + side));
  const y1 = Math.max(y0 + 1, Math.min(height, top + side));
  return {
    region: [x0, y0, x1 - x0, y1 - y0],
    pad: {
      left: Math.max(0, x0 - left),
      top: Math.max(0, y0 - top),
      right: Math.max(0, left + side - x1),
      bottom: Math.max(0, top + side - y1),
    },
    side,
  };
}

/** Padding scaled to an output of `size` pixels, rounded so that the result is exactly size × size. */
export function scaledPad(plan: FaceCropPlan, regionOut: { width: number; height: number }, size: number) {
  const k = size / plan.side;
  const left = Math.round(plan.pad.left * k);
  const top = Math.round(plan.pad.top * k);
  return {
    left,
    top,
    right: Math.max(0, size - regionOut.width - left),
    bottom: Math.max(0, size - regionOut.height - top),
  };
}
