/** Face crops stay centred on their face: padded at the photo's edge, never shifted onto a neighbour. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { faceTiles } from '../../src/pipeline/face-tiles.js';
import { FACE_CROP_MARGIN, faceCropPlan } from '../../src/pipeline/face-crop.js';

describe('faceCropPlan', () => {
  it('is a square of the box plus a small margin, centred on the face', () => {
    const plan = faceCropPlan([100, 100, 50, 60], 1000, 1000);
    expect(plan.side).toBe(Math.round(60 * (1 + 2 * FACE_CROP_MARGIN)));
    const [x, y, w, h] = plan.region;
    expect(x + w / 2).toBeCloseTo(125, 0);
    expect(y + h / 2).toBeCloseTo(130, 0);
    expect(plan.pad).toEqual({ left: 0, top: 0, right: 0, bottom: 0 });
  });

  it('pads instead of shifting where the square passes the edge', () => {
    const plan = faceCropPlan([0, 10, 40, 40], 300, 200);
    expect(plan.region[0]).toBe(0);
    expect(plan.pad.left).toBeGreaterThan(0);
    // The face centre (20) sits in the middle of the padded square.
    expect(plan.pad.left + 20).toBeCloseTo(plan.side / 2, 0);
    const right = faceCropPlan([280, 150, 20, 50], 300, 200);
    expect(right.pad.right).toBeGreaterThan(0);
    expect(right.pad.bottom).toBeGreaterThan(0);
  });
});

describe('faceTiles', () => {
  it('puts faces side by side in one JPEG, blank where a face is missing', async () => {
    const red = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#f00' } })
      .jpeg()
      .toBuffer();
    const tiles = await faceTiles([new Uint8Array(red), new Uint8Array()]);
    const meta = await sharp(tiles).metadata();
    expect(meta.format).toBe('jpeg');
    expect(meta.width).toBeGreaterThan(2 * meta.height - 40);
  });
});
