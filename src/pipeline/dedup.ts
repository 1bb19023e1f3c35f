import { AppError, ErrorCode } from '../core/errors.js';
import type { RgbImage } from '../core/types.js';

/**
 * Duplicate photos in an album: byte-identical re-sends (same sha256) and near duplicates (the same
 * picture re-encoded, resized or re-sent through a chat app that recompresses it). Burst frames count
 * too when they differ by at most `maxDistance` bits (the fixtures hold no burst, so that is unmeasured).
 *
 * The hash is pHash (the sign pattern of the lowest 8×8 DCT frequencies of a 32×32 grey thumbnail).
 * dHash (signs of horizontal gradients of a 9×8 thumbnail) is kept beside it because both were measured
 * on the fixtures (test/pipeline/dedup.test.ts prints the figures). Same picture resized (1080p→240p),
 * re-encoded at JPEG quality 60 or re-saved as PNG: pHash 0–2 bits, dHash 0–1. Distinct photos (780
 * pairs, including several portraits of one person): pHash min 18, 1st percentile 22; dHash min 14,
 * 1st percentile 19. pHash leaves the wider gap (16 bits against 13) and tolerates reframing better
 * (a 10 % side crop: pHash 8–18, dHash 12–22), so it is the one used.
 */

/**
 * Largest Hamming distance (of 64 bits) still called a near duplicate: the middle of the gap measured
 * on the fixtures between the same picture re-encoded or resized (≤ 2 bits) and distinct photos (≥ 18
 * bits), which leaves 8 bits of margin on either side. A 10 % crop lands around it (8–18 bits): some
 * crops count as duplicates, others as new photos.
 */
export const DEFAULT_MAX_DISTANCE = 10;

/** Side of the grey thumbnail pHash transforms (the reference pHash size). */
const PHASH_SIZE = 32;
/** Side of the block of lowest frequencies kept: 8 × 8 = 64 bits. */
const PHASH_LOW = 8;

/** ITU-R BT.601 luma weights, as used by libjpeg and most image hashes. */
const LUMA_R = 0.299;
const LUMA_G = 0.587;
const LUMA_B = 0.114;

/** 64-bit perceptual hash of an upright image: pHash (see the module comment for why not dHash). */
export function perceptualHash(image: RgbImage): bigint {
  return dctHash(image);
}

/** pHash: bit i is set when the i-th low DCT coefficient (row-major 8×8, DC included) exceeds their median. */
export function dctHash(image: RgbImage): bigint {
  const grey = greyThumbnail(image, PHASH_SIZE, PHASH_SIZE);
  const dct = dct2(grey, PHASH_SIZE);
  const low: number[] = [];
  for (let v = 0; v < PHASH_LOW; v++) {
    for (let u = 0; u < PHASH_LOW; u++) low.push(dct[v * PHASH_SIZE + u] ?? 0);
  }
  const median = medianOf(low);
  return bitsFrom(low.map((c) => c > median));
}

/** dHash: bit i is set when a pixel of a 9×8 grey thumbnail is brighter than its right neighbour. */
export function differenceHash(image: RgbImage): bigint {
  const w = 9;
  const h = 8;
  const grey = greyThumbnail(image, w, h);
  const bits: boolean[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w - 1; x++) bits.push((grey[y * w + x] ?? 0) > (grey[y * w + x + 1] ?? 0));
  }
  return bitsFrom(bits);
}

/** Number of differing bits of two 64-bit hashes. */
export function hammingDistance(a: bigint, b: bigint): number {
  let x = BigInt.asUintN(64, a ^ b);
  let count = 0;
  while (x !== 0n) {
    x &= x - 1n;
    count++;
  }
  return count;
}

export interface DedupItem {
  id: string;
  sha256: string;
  phash: bigint;
  /** Higher is better (e.g. resolution or the best face's quality); the best of a group is kept. */
  quality?: number;
}

export interface DedupResult {
  /** id → id of the kept original; kept items are absent. */
  duplicateOf: Map<string, string>;
  reason: Map<string, 'exact' | 'near'>;
}

export interface DedupOptions {
  /** Largest Hamming distance of the 64-bit hashes called a near duplicate (default DEFAULT_MAX_DISTANCE). */
  maxDistance?: number;
}

/**
 * Groups duplicates and keeps one item per group: the highest `quality`, or the first in input order
 * when qualities tie or are absent. Exact duplicates share a sha256; near duplicates lie within
 * `maxDistance` bits of a kept item. Every duplicate points at a kept item directly (never at another
 * duplicate), and groups form around kept items rather than by chaining, so a slow drift through a
 * burst (A≈B≈C but A≉C) cannot pull unrelated frames into one group.
 */
export function findDuplicates(items: readonly DedupItem[], opts: DedupOptions = {}): DedupResult {
  const maxDistance = opts.maxDistance ?? DEFAULT_MAX_DISTANCE;
  if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > 64) {
    throw new AppError(ErrorCode.BadArguments, 'maxDistance must be an integer in 0..64', { maxDistance });
  }
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id)) {
      throw new AppError(ErrorCode.BadArguments, `duplicate item id "${item.id}"`, { id: item.id });
    }
    seen.add(item.id);
  }

  // Best first; Array.prototype.sort is stable, so equal qualities keep input order.
  const order = items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => (b.item.quality ?? 0) - (a.item.quality ?? 0) || a.index - b.index)
    .map((e) => e.item);

  const duplicateOf = new Map<string, string>();
  const reason = new Map<string, 'exact' | 'near'>();
  const keptBySha = new Map<string, DedupItem>();
  const kept: DedupItem[] = [];

  for (const item of order) {
    const sameBytes = keptBySha.get(item.sha256);
    if (sameBytes) {
      duplicateOf.set(item.id, sameBytes.id);
      // A copy of a near duplicate points at that one's original, whose bytes differ.
      reason.set(item.id, sameBytes.sha256 === item.sha256 ? 'exact' : 'near');
      continue;
    }
    let best: DedupItem | undefined;
    let bestDistance = Infinity;
    for (const candidate of kept) {
      const d = hammingDistance(item.phash, candidate.phash);
      if (d <= maxDistance && d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    if (best) {
      duplicateOf.set(item.id, best.id);
      reason.set(item.id, 'near');
      // Later byte-identical copies of this item point at the same kept original.
      keptBySha.set(item.sha256, best);
      continue;
    }
    kept.push(item);
    keptBySha.set(item.sha256, item);
  }
  return { duplicateOf, reason };
}

/**
 * Grey thumbnail by area averaging (each output pixel is the mean of the source pixels it covers, with
 * fractional edges), so that the hash of a 4K photo and of its 240p copy see the same thumbnail.
 */
export function greyThumbnail(image: RgbImage, width: number, height: number): Float64Array {
  const { width: sw, height: sh, data } = image;
  if (sw <= 0 || sh <= 0 || data.length < sw * sh * 3) {
    throw new AppError(ErrorCode.BadArguments, 'image has no pixels or too few bytes', {
      width: sw,
      height: sh,
      bytes: data.length,
    });
  }
  const xs = areaWeights(sw, width);
  const ys = areaWeights(sh, height);
  // Horizontal pass per source row, then the vertical pass into the output. Weights sit in flat typed
  // arrays: this runs over every pixel of the detection raster, once per photo.
  const rows = new Float64Array(sh * width);
  for (let y = 0; y < sh; y++) {
    const rowOffset = y * sw * 3;
    for (let ox = 0; ox < width; ox++) {
      let sum = 0;
      for (let t = xs.start[ox] ?? 0, end = xs.start[ox + 1] ?? 0; t < end; t++) {
        const p = rowOffset + (xs.index[t] ?? 0) * 3;
        sum +=
          (xs.weight[t] ?? 0) *
          (LUMA_R * (data[p] ?? 0) + LUMA_G * (data[p + 1] ?? 0) + LUMA_B * (data[p + 2] ?? 0));
      }
      rows[y * width + ox] = sum;
    }
  }
  const out = new Float64Array(width * height);
  for (let oy = 0; oy < height; oy++) {
    for (let t = ys.start[oy] ?? 0, end = ys.start[oy + 1] ?? 0; t < end; t++) {
      const y = ys.index[t] ?? 0;
      const w = ys.weight[t] ?? 0;
      for (let ox = 0; ox < width; ox++) {
        out[oy * width + ox] = (out[oy * width + ox] ?? 0) + w * (rows[y * width + ox] ?? 0);
      }
    }
  }
  return out;
}

/**
 * For each of `n` output cells, the source indices it covers and their normalised weights: cell o's
 * taps are index/weight[start[o] .. start[o + 1]).
 */
function areaWeights(
  sourceSize: number,
  n: number,
): { start: Int32Array; index: Int32Array; weight: Float64Array } {
  const step = sourceSize / n;
  const start = new Int32Array(n + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let o = 0; o < n; o++) {
    start[o] = index.length;
    const from = o * step;
    const end = from + step;
    for (let s = Math.floor(from); s < Math.min(sourceSize, Math.ceil(end)); s++) {
      const overlap = Math.min(end, s + 1) - Math.max(from, s);
      if (overlap > 0) {
        index.push(s);
        weight.push(overlap / step);
      }
    }
  }
  start[n] = index.length;
  return { start, index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

/** Orthonormal 2-D DCT-II of an n×n block (row-major), separable: rows then columns. */
function dct2(block: Float64Array, n: number): Float64Array {
  const cos = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const scale = Math.sqrt((k === 0 ? 1 : 2) / n);
    for (let i = 0; i < n; i++) cos[k * n + i] = scale * Math.cos((Math.PI * (2 * i + 1) * k) / (2 * n));
  }
  const tmp = new Float64Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let k = 0; k < n; k++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += (cos[k * n + i] ?? 0) * (block[y * n + i] ?? 0);
      tmp[y * n + k] = sum;
    }
  }
  const out = new Float64Array(n * n);
  for (let x = 0; x < n; x++) {
    for (let k = 0; k < n; k++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += (cos[k * n + i] ?? 0) * (tmp[i * n + x] ?? 0);
      out[k * n + x] = sum;
    }
  }
  return out;
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Packs up to 64 booleans into a bigint, first boolean in the most significant bit. */
function bitsFrom(bits: readonly boolean[]): bigint {
  let hash = 0n;
  for (const bit of bits) hash = (hash << 1n) | (bit ? 1n : 0n);
  return hash;
}
