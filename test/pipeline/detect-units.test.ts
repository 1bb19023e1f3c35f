import { describe, expect, it } from 'vitest';

import type { Box, Landmarks, RgbImage } from '../../src/core/types.js';
import type { Candidate } from '../../src/pipeline/detect-candidate.js';
import { letterboxToTensor, toImageX, toImageY } from '../../src/pipeline/detect-letterbox.js';
import { coverage, iou, nms } from '../../src/pipeline/detect-nms.js';
import { decodeScrfd } from '../../src/pipeline/detect-scrfd.js';
import { mergeTiled, planTiles, touchesInnerEdge } from '../../src/pipeline/detect-tiles.js';
import { clipBox, validateCandidate } from '../../src/pipeline/detect-validate.js';
import { decodeYunet } from '../../src/pipeline/detect-yunet.js';
import { parseDlibXml } from '../support/annotations.js';

/** Landmarks laid out like a frontal face inside `box`. */
function faceLandmarks([x, y, w, h]: Box): Landmarks {
  return [
    [x + 0.3 * w, y + 0.4 * h],
    [x + 0.7 * w, y + 0.4 * h],
    [x + 0.5 * w, y + 0.55 * h],
    [x + 0.35 * w, y + 0.75 * h],
    [x + 0.65 * w, y + 0.75 * h],
  ];
}
const cand = (box: Box, score = 0.9): Candidate => ({ box, score, landmarks: faceLandmarks(box) });

describe('nms', () => {
  it('computes IoU and coverage of [x, y, w, h] boxes', () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(50 / 150);
    expect(iou([0, 0, 10, 10], [10, 0, 10, 10])).toBe(0);
    expect(coverage([2, 2, 4, 4], [0, 0, 10, 10])).toBe(1);
    expect(coverage([0, 0, 10, 10], [2, 2, 4, 4])).toBeCloseTo(0.16);
  });

  it('keeps the best of overlapping boxes, keeps disjoint ones, sorts by score', () => {
    const kept = nms(
      [cand([0, 0, 10, 10], 0.7), cand([1, 1, 10, 10], 0.9), cand([50, 50, 10, 10], 0.8)],
      0.4,
    );
    expect(kept.map((k) => k.score)).toEqual([0.9, 0.8]);
    // IoU of the shifted pair is 81/119 = 0.68: kept apart only with a threshold above that.
    expect(nms([cand([0, 0, 10, 10], 0.7), cand([1, 1, 10, 10], 0.9)], 0.7)).toHaveLength(2);
    expect(nms([], 0.4)).toEqual([]);
  });
});

describe('letterboxToTensor', () => {
  // 4×2 image whose red channel is 10·x + 100·y, green 200, blue 50.
  const img: RgbImage = {
    width: 4,
    height: 2,
    data: Uint8Array.from({ length: 24 }, (_, i) => {
      const p = Math.floor(i / 3);
      return [10 * (p % 4) + 100 * Math.floor(p / 4), 200, 50][i % 3]!;
    }),
  };

  it('copies pixels at scale 1, reorders channels, normalises and pads with black', () => {
    const { tensor, letterbox } = letterboxToTensor(
      img,
      [0, 0, 4, 2],
      8,
      8,
      {
        colorOrder: 'BGR',
        mean: [0, 0, 0],
        std: [1, 1, 1],
      },
      1,
    );
    expect(letterbox.scale).toBe(1);
    expect(tensor).toHaveLength(3 * 64);
    // Channel 0 is blue, 2 is red.
    expect(tensor[0]).toBe(50);
    expect(tensor[64 + 3]).toBe(200);
    expect(tensor[128 + 8 + 3]).toBe(130);
    // Padding right of and below the content is 0.
    expect(tensor[128 + 4]).toBe(0);
    expect(tensor[128 + 2 * 8]).toBe(0);
  });

  it('applies (v - mean) / std and pads with the normalised black', () => {
    const { tensor } = letterboxToTensor(
      img,
      [0, 0, 4, 2],
      4,
      4,
      {
        colorOrder: 'RGB',
        mean: [127.5, 127.5, 127.5],
        std: [128, 128, 128],
      },
      1,
    );
    expect(tensor[1]).toBeCloseTo((10 - 127.5) / 128);
    expect(tensor[2 * 4]).toBeCloseTo(-127.5 / 128);
  });

  it('interpolates when enlarging, and maps tensor coordinates back to the region', () => {
    const { tensor, letterbox } = letterboxToTensor(img, [2, 0, 2, 2], 4, 4, {
      colorOrder: 'RGB',
      mean: [0, 0, 0],
      std: [1, 1, 1],
    });
    expect(letterbox.scale).toBe(2);
    // Output pixel 1 centre (1.5) is source x 2 + 0.75 - 0.5 = 2.25: red 22.5 in the first row.
    expect(tensor[1]).toBeCloseTo(22.5);
    expect(toImageX(letterbox, 4)).toBe(4);
    expect(toImageY(letterbox, 3)).toBe(1.5);
  });

  it('averages over the footprint when shrinking a lot (no aliasing)', () => {
    // 64×64 checkerboard of 0/255 shrunk 16×: every output pixel is the mean grey.
    const n = 64;
    const data = new Uint8Array(n * n * 3);
    for (let i = 0; i < n * n; i++)
      data.fill((i % n) % 2 === Math.floor(i / n) % 2 ? 255 : 0, i * 3, i * 3 + 3);
    const { tensor } = letterboxToTensor({ width: n, height: n, data }, [0, 0, n, n], 4, 4, {
      colorOrder: 'RGB',
      mean: [0, 0, 0],
      std: [1, 1, 1],
    });
    for (const v of tensor) expect(Math.abs(v - 127.5)).toBeLessThan(1);
  });
});

describe('decoders', () => {
  const spec = {
    inputWidth: 64,
    inputHeight: 64,
    strides: [8, 16, 32],
    anchorsPerCell: 2,
    scoreThreshold: 0.5,
  };
  const t = (rows: number, channels: number, fill: (i: number) => number) => ({
    data: Float32Array.from({ length: rows * channels }, (_, i) => fill(i)),
    dims: [rows, channels],
  });

  it('decodes an SCRFD anchor at (col·stride, row·stride) with distances in stride units', () => {
    // 64×64 input: 8×8, 4×4, 2×2 cells, 2 anchors each. Anchor 2·(row 1 · 4 + col 2) + 1 = 13 at stride 16.
    const outputs = [
      t(128, 1, () => 0),
      t(32, 1, (i) => (i === 13 ? 0.9 : 0)),
      t(8, 1, () => 0),
      t(128, 4, () => 0),
      t(32, 4, () => 1),
      t(8, 4, () => 0),
      t(128, 10, () => 0),
      t(32, 10, (i) => (i % 2 === 0 ? 0.5 : -0.5)),
      t(8, 10, () => 0),
    ];
    // Shuffled order: identified by shape, not position.
    const [c] = decodeScrfd(
      [outputs[4]!, outputs[1]!, ...outputs.slice(5), outputs[0]!, outputs[2]!, outputs[3]!],
      spec,
    );
    expect(c).toBeDefined();
    expect(c!.score).toBeCloseTo(0.9);
    expect(c!.box).toEqual([16, 0, 32, 32]); // centre (32, 16) ± 16
    expect(c!.landmarks[0]).toEqual([40, 8]);
  });

  it('decodes a YuNet cell as OpenCV does: centre (col + dx)·s, size exp(dw)·s, score sqrt(cls·obj)', () => {
    const y = (rows: number, channels: number, fill: (i: number) => number) => ({
      data: Float32Array.from({ length: rows * channels }, (_, i) => fill(i)),
      dims: [1, rows, channels],
    });
    // Stride 32 on a 64×64 input: 2×2 cells; cell 3 is (col 1, row 1).
    const heads = [8, 16, 32].map((s) => {
      const n = (64 / s) ** 2;
      const hit = (i: number) => s === 32 && i === 3;
      return {
        cls: y(n, 1, (i) => (hit(i) ? 0.81 : 0)),
        obj: y(n, 1, (i) => (hit(i) ? 1 : 0)),
        bbox: y(n, 4, (i) => (Math.floor(i / 4) === 3 ? [0.5, 0, Math.log(2), 0][i % 4]! : 0)),
        kps: y(n, 10, () => 0.25),
      };
    });
    const [c, ...rest] = decodeYunet(heads, { ...spec, anchorsPerCell: 1 });
    expect(rest).toEqual([]);
    expect(c!.score).toBeCloseTo(0.9);
    // Centre (48, 32), size 64 × 32.
    [16, 16, 64, 32].forEach((v, i) => {
      expect(c!.box[i]).toBeCloseTo(v, 4);
    });
    expect(c!.landmarks[4]).toEqual([40, 40]);
  });
});

describe('validateCandidate', () => {
  it('clips to the image and keeps landmarks as they are', () => {
    const v = validateCandidate(cand([-10, 90, 50, 50]), 100, 120);
    expect(v?.box).toEqual([0, 90, 40, 30]);
    expect(v?.landmarks[0]).toEqual([5, 110]);
  });

  it('drops non-finite, tiny, elongated boxes and stray landmarks', () => {
    expect(validateCandidate(cand([Number.NaN, 0, 10, 10]), 100, 100)).toBeNull();
    expect(
      validateCandidate({ ...cand([0, 0, 20, 20]), score: Number.POSITIVE_INFINITY }, 100, 100),
    ).toBeNull();
    expect(validateCandidate(cand([0, 0, 5, 5]), 100, 100)).toBeNull();
    expect(validateCandidate(cand([0, 0, 60, 10]), 100, 100)).toBeNull();
    // A box mostly outside the image leaves a sliver under the minimum size.
    expect(validateCandidate(cand([95, 10, 30, 30]), 100, 100)).toBeNull();
    const stray = cand([10, 10, 20, 20]);
    const landmarks = [...stray.landmarks] as Landmarks;
    landmarks[2] = [80, 80];
    expect(validateCandidate({ ...stray, landmarks }, 100, 100)).toBeNull();
    expect(
      validateCandidate(cand([10, 10, 20, 20]), 100, 100, {
        minSize: 25,
        maxAspect: 2.5,
        landmarkMargin: 0.5,
      }),
    ).toBeNull();
  });

  it('clipBox returns an empty box for a box outside the image', () => {
    expect(clipBox([200, 200, 10, 10], 100, 100)).toEqual([100, 100, 0, 0]);
  });
});

describe('tiles', () => {
  const opts = { inputSize: 640, globalScale: 640 / 4000, maxTiles: 12, overlap: 0.25, minGain: 1.5 };

  it('covers a 12 MP image with at most 12 overlapping tiles, as close as the budget allows', () => {
    const plan = planTiles(4000, 3000, opts)!;
    expect(plan.tiles.length).toBeLessThanOrEqual(12);
    expect(plan.scale).toBeGreaterThan(0.4);
    expect(plan.scale).toBeLessThanOrEqual(1);
    // Every pixel column and row is inside some tile; neighbours overlap.
    const xs = [...new Set(plan.tiles.map((t) => t[0]))].sort((a, b) => a - b);
    const side = plan.tiles[0]![2];
    expect(xs[0]).toBe(0);
    expect(xs[xs.length - 1]! + side).toBe(4000);
    for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeLessThan(side);
  });

  it('plans nothing where tiles would not look closer than the global pass', () => {
    expect(planTiles(800, 600, { ...opts, globalScale: 0.8 })).toBeNull();
    expect(planTiles(600, 400, { ...opts, globalScale: 1, minGain: 1 })).toBeNull();
  });

  it('flags boxes at inner tile edges only', () => {
    const tile = [1000, 0, 1000, 1000] as const;
    expect(touchesInnerEdge([1001, 500, 50, 50], tile, 4000, 1000, 2)).toBe(true);
    expect(touchesInnerEdge([1500, 0, 50, 50], tile, 4000, 1000, 2)).toBe(false); // image border
    expect(touchesInnerEdge([1500, 500, 50, 50], tile, 4000, 1000, 2)).toBe(false);
  });

  it('drops a cut face seen whole elsewhere and merges duplicates', () => {
    const whole = { ...cand([990, 100, 40, 50], 0.8), cut: false };
    const cutHalf = { ...cand([1000, 100, 30, 50], 0.85), cut: true };
    const dup = { ...cand([992, 101, 40, 50], 0.7), cut: false };
    const lonelyCut = { ...cand([3000, 100, 30, 50], 0.8), cut: true };
    const merged = mergeTiled([whole, cutHalf, dup, lonelyCut], 0.4);
    expect(merged).toEqual([whole, lonelyCut]);
  });
});

describe('parseDlibXml', () => {
  it('reads images, boxes and parts', () => {
    const xml = `<dataset><images>
      <image file='a.jpg' width='10' height='20'>
        <box top='1' left='2' width='3' height='4'/>
        <box top='5' left='6' width='7' height='8' ignore='1'><part name='00' x='7' y='9'/></box>
      </image></images></dataset>`;
    const [img] = parseDlibXml(xml);
    expect(img).toEqual({
      file: 'a.jpg',
      width: 10,
      height: 20,
      faces: [
        { box: [2, 1, 3, 4], parts: {}, ignore: false },
        { box: [6, 5, 7, 8], parts: { '00': [7, 9] }, ignore: true },
      ],
    });
  });
});
