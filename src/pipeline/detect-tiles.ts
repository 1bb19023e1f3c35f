import type { Box } from '../core/types.js';
import type { Candidate } from './detect-candidate.js';
import type { Region } from './detect-letterbox.js';
import { coverage, nms } from './detect-nms.js';

export interface TilePlan {
  /** Detector-input pixels per image pixel inside each tile (≤ 1: never enlarged). */
  readonly scale: number;
  readonly tiles: readonly Region[];
}

export interface TileOptions {
  /** Detector input side in pixels (640 for SCRFD and YuNet). */
  readonly inputSize: number;
  /** Scale of the global pass; tiles are planned only where they look closer than that. */
  readonly globalScale: number;
  /** Most tiles to run. */
  readonly maxTiles: number;
  /** Overlap of neighbouring tiles as a fraction of the tile side. */
  readonly overlap: number;
  /** Tiles must magnify by at least this much over the global pass to be worth running. */
  readonly minGain: number;
}

/** Each step shrinks the tile scale by this factor while the grid is over budget. */
const SCALE_STEP = 0.9;

/**
 * Plans overlapping square tiles at the largest scale (at most 1, the image's own resolution) whose
 * grid fits `maxTiles`. Returns null when such tiles would not look meaningfully closer than the
 * global pass (`minGain`), i.e. when tiling cannot find faces the global pass misses.
 */
export function planTiles(width: number, height: number, opts: TileOptions): TilePlan | null {
  for (let scale = 1; scale >= opts.globalScale * opts.minGain; scale *= SCALE_STEP) {
    const side = opts.inputSize / scale;
    const nx = tilesAlong(width, side, opts.overlap);
    const ny = tilesAlong(height, side, opts.overlap);
    if (nx * ny > opts.maxTiles) continue;
    if (nx * ny === 1) return null; // one tile is the global pass again
    const tiles: Region[] = [];
    const tw = Math.min(side, width);
    const th = Math.min(side, height);
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const x = nx === 1 ? 0 : Math.round((i * (width - tw)) / (nx - 1));
        const y = ny === 1 ? 0 : Math.round((j * (height - th)) / (ny - 1));
        tiles.push([x, y, Math.round(tw), Math.round(th)]);
      }
    }
    return { scale, tiles };
  }
  return null;
}

function tilesAlong(length: number, side: number, overlap: number): number {
  if (length <= side) return 1;
  const stride = side * (1 - overlap);
  return Math.ceil((length - side) / stride) + 1;
}

export interface TiledCandidate extends Candidate {
  /** The box touches an edge of its tile that is not an image border: the face may be cut. */
  readonly cut: boolean;
}

/**
 * Whether a box found in `tile` touches one of the tile's inner edges (within `margin` image pixels).
 * Such a box may hold only part of a face that a neighbouring tile sees whole.
 */
export function touchesInnerEdge(
  box: Box,
  tile: Region,
  imageWidth: number,
  imageHeight: number,
  margin: number,
): boolean {
  const [tx, ty, tw, th] = tile;
  const [x, y, w, h] = box;
  return (
    (tx > 0 && x <= tx + margin) ||
    (ty > 0 && y <= ty + margin) ||
    (tx + tw < imageWidth && x + w >= tx + tw - margin) ||
    (ty + th < imageHeight && y + h >= ty + th - margin)
  );
}

/**
 * Share of a cut box that must lie inside a whole box for the cut one to be the same face. A cut face
 * box covers the visible part of the face, which lies inside the whole face's box: 0.6 allows for the
 * detector stretching a partial box a little beyond the true face.
 */
const CUT_COVERAGE = 0.6;

/**
 * Merges detections from the global pass and the tiles: drops cut boxes that another pass saw whole,
 * then suppresses duplicates by IoU. Cut boxes nobody saw whole are kept (a face larger than the tile
 * overlap, or at an inner edge of every tile it falls in).
 */
export function mergeTiled<T extends TiledCandidate>(items: readonly T[], iouThreshold: number): T[] {
  const whole = items.filter((d) => !d.cut);
  const cut = items.filter((d) => d.cut && !whole.some((w) => coverage(d.box, w.box) > CUT_COVERAGE));
  return nms([...whole, ...cut], iouThreshold);
}
