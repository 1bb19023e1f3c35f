import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.js';
import type { Landmarks, RgbImage } from '../../src/core/types.js';
import {
  alignFace,
  arcfaceTemplate,
  cropBox,
  invertAffine,
  similarityTransform,
  warpAffine,
  type Affine,
} from '../../src/pipeline/align.js';
import { detectFaces } from '../../src/pipeline/detect.js';
import { fixture, loadRgb } from '../support/fixtures.js';
import { loadTestPack } from '../support/models.js';

function apply(m: Affine, [x, y]: readonly [number, number]): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** A synthetic image whose pixel (x, y) holds (x, y, x + y) mod 256. */
function gradient(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      data[p] = x % 256;
      data[p + 1] = y % 256;
      data[p + 2] = (x + y) % 256;
    }
  }
  return { width, height, data };
}

function mirror(image: RgbImage): RgbImage {
  const { width: w, height: h, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 3;
      const d = (y * w + (w - 1 - x)) * 3;
      out[d] = data[s]!;
      out[d + 1] = data[s + 1]!;
      out[d + 2] = data[s + 2]!;
    }
  }
  return { width: w, height: h, data: out };
}

function meanAbsDiff(a: RgbImage, b: RgbImage): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

describe('arcfaceTemplate', () => {
  it('is the InsightFace 112 template, scaled', () => {
    expect(arcfaceTemplate(112)[0]).toEqual([38.2946, 51.6963]);
    expect(arcfaceTemplate(112)[4]).toEqual([70.7299, 92.2041]);
    const t224 = arcfaceTemplate(224);
    expect(t224[2][0]).toBeCloseTo(2 * 56.0252, 10);
    expect(t224[2][1]).toBeCloseTo(2 * 71.7366, 10);
  });
});

describe('similarityTransform', () => {
  it('recovers an exact similarity (scale, rotation, translation)', () => {
    const angle = (23 * Math.PI) / 180;
    const k = 1.7;
    const truth: Affine = [
      k * Math.cos(angle),
      -k * Math.sin(angle),
      31.5,
      k * Math.sin(angle),
      k * Math.cos(angle),
      -12.25,
    ];
    const src = arcfaceTemplate(112);
    const dst = src.map((p) => apply(truth, p)) as Landmarks;
    const m = similarityTransform(src, dst);
    m.forEach((v, i) => {
      expect(v).toBeCloseTo(truth[i]!, 9);
    });
  });

  it('maps the template onto itself with the identity', () => {
    const t = arcfaceTemplate(112);
    const m = similarityTransform(t, t);
    [1, 0, 0, 0, 1, 0].forEach((v, i) => {
      expect(m[i]).toBeCloseTo(v, 12);
    });
  });

  it('is the least-squares similarity: any small change to it fits a non-similar target worse', () => {
    const t = arcfaceTemplate(112);
    // Template stretched horizontally: no similarity reaches it exactly.
    const target = t.map(([x, y]) => [1.3 * x + 4, 0.9 * y - 2]) as Landmarks;
    const fit = similarityTransform(t, target);
    expect(fit[0]).toBeCloseTo(fit[4], 12);
    expect(fit[1]).toBeCloseTo(-fit[3], 12);
    const residual = (m: readonly number[]) =>
      t.reduce((s, p, i) => {
        const x = m[0]! * p[0] + m[1]! * p[1] + m[2]!;
        const y = m[3]! * p[0] + m[4]! * p[1] + m[5]!;
        return s + (x - target[i]![0]) ** 2 + (y - target[i]![1]) ** 2;
      }, 0);
    const base = residual(fit);
    // The four similarity parameters: scale·cos, scale·sin, tx, ty.
    const moves = [
      [1e-3, 0, 0, 0, 1e-3, 0],
      [0, -1e-3, 0, 1e-3, 0, 0],
      [0, 0, 1e-2, 0, 0, 0],
      [0, 0, 0, 0, 0, 1e-2],
    ];
    for (const d of moves) {
      for (const sign of [1, -1]) expect(residual(fit.map((v, i) => v + sign * d[i]!))).toBeGreaterThan(base);
    }
  });

  it('rejects coincident points', () => {
    const p: Landmarks = [
      [5, 5],
      [5, 5],
      [5, 5],
      [5, 5],
      [5, 5],
    ];
    expect(() => similarityTransform(p, arcfaceTemplate(112))).toThrow(AppError);
  });
});

describe('warpAffine', () => {
  // Maps take continuous image coordinates (pixel i covers [i, i + 1)) to crop pixel indices, so the
  // pixel-for-pixel copy is a shift by −0.5.
  it('copies pixels exactly under a unit map and integer shifts', () => {
    const img = gradient(40, 30);
    const same = warpAffine(img, [1, 0, -0.5, 0, 1, -0.5], 20);
    for (let y = 0; y < 20; y++) {
      for (let x = 0; x < 20; x++) {
        expect([...same.data.subarray((y * 20 + x) * 3, (y * 20 + x) * 3 + 3)]).toEqual([x, y, x + y]);
      }
    }
    // Crop pixel (u, v) = image pixel (u + 7, v + 3).
    const shifted = warpAffine(img, [1, 0, -7.5, 0, 1, -3.5], 10);
    expect([...shifted.data.subarray(0, 3)]).toEqual([7, 3, 10]);
    expect([...shifted.data.subarray((9 * 10 + 9) * 3, (9 * 10 + 9) * 3 + 3)]).toEqual([16, 12, 28]);
  });

  it('interpolates bilinearly between pixels and reads black outside the image', () => {
    const img = gradient(40, 30);
    // Half a pixel to the right of pixel centres: red (= x) is the mean of two neighbours, x + 0.5.
    const half = warpAffine(img, [1, 0, -1, 0, 1, -0.5], 4);
    expect([half.data[3], half.data[4]]).toEqual([Math.round(1.5), 0]);
    expect(half.data[(4 * 2 + 2) * 3]).toBe(Math.round(2.5));
    const outside = warpAffine(img, [1, 0, 100, 0, 1, 100], 4);
    expect(outside.data.every((v) => v === 0)).toBe(true);
  });

  it('inverts maps consistently', () => {
    const m: Affine = [1.2, -0.3, 5, 0.3, 1.2, -7];
    const inv = invertAffine(m);
    const p: [number, number] = [13, 29];
    const back = apply(inv, apply(m, p));
    expect(back[0]).toBeCloseTo(13, 10);
    expect(back[1]).toBeCloseTo(29, 10);
  });
});

describe('cropBox', () => {
  /** Black image with a white rectangle exactly covering `box` (integer edges). */
  function whiteBox(w: number, h: number, [bx, by, bw, bh]: [number, number, number, number]): RgbImage {
    const data = new Uint8Array(w * h * 3);
    for (let y = by; y < by + bh; y++) data.fill(255, (y * w + bx) * 3, (y * w + bx + bw) * 3);
    return { width: w, height: h, data };
  }

  it('fills the crop with the box when the margin is 0', () => {
    const img = whiteBox(200, 150, [50, 40, 80, 80]);
    const crop = cropBox(img, [50, 40, 80, 80], 0, 40);
    expect(crop.width).toBe(40);
    const white = crop.data.filter((v) => v === 255).length / crop.data.length;
    expect(white).toBe(1);
  });

  it('grows by the margin on each side and squares around the centre', () => {
    const img = whiteBox(300, 300, [100, 80, 60, 100]);
    // Margin 0.1 of a 60×100 box → 72×120 → square 120 side, box spans 60/120 × 100/120 of it.
    const crop = cropBox(img, [100, 80, 60, 100], 0.1, 120);
    let white = 0;
    let minX = 120;
    let maxX = -1;
    let minY = 120;
    let maxY = -1;
    for (let y = 0; y < 120; y++) {
      for (let x = 0; x < 120; x++) {
        if (crop.data[(y * 120 + x) * 3]! > 127) {
          white += 1;
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
        }
      }
    }
    expect(white).toBe(60 * 100);
    expect([minX, maxX, minY, maxY]).toEqual([30, 89, 10, 109]);
  });
});

describe('alignFace on real photos', () => {
  it('puts the detected landmarks on the template and mirrors consistently', async () => {
    const models = await loadTestPack();
    const image = await loadRgb(fixture('face_recognition', 'examples', 'obama.jpg'));
    const [face] = await detectFaces(image, models.detector);
    expect(face).toBeDefined();
    const crop = { type: 'arcface', size: 112 } as const;
    const m = similarityTransform(face!.landmarks, arcfaceTemplate(112));
    // A near-frontal face (obama.jpg is pitched ~14° by our estimate) fits the template within 8 px of 112.
    face!.landmarks.forEach((p, i) => {
      const [x, y] = apply(m, p);
      expect(Math.hypot(x - arcfaceTemplate(112)[i]![0], y - arcfaceTemplate(112)[i]![1])).toBeLessThan(8);
    });
    const aligned = alignFace(image, face!, crop);
    expect(aligned.width).toBe(112);

    // The mirrored photo, detected afresh, aligns to (nearly) the mirror of the aligned crop; another
    // person's crop is much further away.
    const flipped = mirror(image);
    const [fface] = await detectFaces(flipped, models.detector);
    const alignedFlip = alignFace(flipped, fface!, crop);
    const biden = await loadRgb(fixture('face_recognition', 'examples', 'biden.jpg'));
    const [bface] = await detectFaces(biden, models.detector);
    const alignedBiden = alignFace(biden, bface!, crop);
    const own = meanAbsDiff(mirror(aligned), alignedFlip);
    const other = meanAbsDiff(aligned, alignedBiden);
    console.log(`mirror consistency: ${own.toFixed(1)} grey levels, another person ${other.toFixed(1)}`);
    expect(own * 2).toBeLessThan(other);
  });

  it('box crops match what sharp extracts and resizes', async () => {
    const image = await loadRgb(fixture('face_recognition', 'examples', 'obama.jpg'));
    // A box whose 10 % margin lands on whole pixels: 200 px side → 240 px crop → scale 224/240.
    const box: [number, number, number, number] = [380, 100, 200, 200];
    const ours = cropBox(image, box, 0.1, 224);
    const { data } = await sharp(image.data, {
      raw: { width: image.width, height: image.height, channels: 3 },
    })
      .extract({ left: 360, top: 80, width: 240, height: 240 })
      .resize(224, 224, { kernel: 'linear' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(meanAbsDiff(ours, { width: 224, height: 224, data: new Uint8Array(data) })).toBeLessThan(2);
  });
});
