import { readFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';

import { analyzePhoto } from '../../src/pipeline/analyze-photo.js';
import { decodeCenterNet, detectObjects, resizeToFloat } from '../../src/pipeline/detect-objects.js';
import { fixture, loadRgb } from '../support/fixtures.js';
import { loadTestPack } from '../support/models.js';

const LABELS = ['person', 'dog', 'boat'];
const decode = (rows: number[]) =>
  decodeCenterNet(new Float32Array(rows), {
    inputWidth: 512,
    inputHeight: 512,
    imageWidth: 1024,
    imageHeight: 256,
    labels: LABELS,
    scoreThreshold: 0.2,
    nmsIou: 0.4,
    maxDetections: 10,
  });

describe('decodeCenterNet', () => {
  it('keeps scores above the threshold, suppresses overlaps across classes and scales to the photo', () => {
    const objects = decode([
      ...[10, 10, 110, 110, 0.9, 1],
      ...[12, 12, 112, 112, 0.5, 0], // same place, other class: suppressed (class-agnostic NMS)
      ...[300, 300, 400, 400, 0.3, 2],
      ...[200, 200, 250, 250, 0.1, 0], // below 0.2
    ]);
    expect(objects.map((o) => o.label)).toEqual(['dog', 'boat']);
    expect(objects[0]?.box).toEqual([20, 5, 200, 50]);
  });

  it('drops rows of an unknown class and empty boxes', () => {
    expect(decode([...[10, 10, 110, 110, 0.9, 7], ...[50, 50, 50, 80, 0.8, 0]])).toEqual([]);
  });
});

describe('resizeToFloat', () => {
  it('averages the pixels each output pixel covers', () => {
    const image = { width: 2, height: 1, data: new Uint8Array([0, 10, 20, 100, 110, 120]) };
    expect([...resizeToFloat(image, 1, 1)]).toEqual([50, 60, 70]);
  });
});

describe('scene objects on real photos (CenterNet COCO-80)', () => {
  it('says dog for dlib dogs.jpg', async () => {
    const pack = await loadTestPack();
    expect(pack.objects).toBeTruthy();
    const rgb = await loadRgb(fixture('dlib', 'dogs.jpg'));
    const objects = await detectObjects(rgb, 1, pack.objects!);
    const dogs = objects.filter((o) => o.label === 'dog' && o.score >= 0.4);
    expect(dogs.length).toBeGreaterThanOrEqual(2);
    for (const d of dogs) {
      expect(d.box[0] + d.box[2]).toBeLessThanOrEqual(rgb.width + 0.5);
      expect(d.box[1] + d.box[3]).toBeLessThanOrEqual(rgb.height + 0.5);
    }
  }, 60_000);

  it('runs inside the analysis on the decoded raster: a dog for dogs.jpg, nothing for an empty scene', async () => {
    const pack = await loadTestPack();
    const dogs = await analyzePhoto(new Uint8Array(await readFile(fixture('dlib', 'dogs.jpg'))), pack);
    expect(dogs.objects.some((o) => o.label === 'dog' && o.score >= 0.4)).toBe(true);
    expect(dogs.timings.objects).toBeGreaterThan(0);
    const empty = await analyzePhoto(
      new Uint8Array(await readFile(fixture('compreface', '017_0.jpg'))),
      pack,
    );
    expect(empty.objects.filter((o) => o.score >= 0.35)).toEqual([]);
    expect(empty.objects.some((o) => o.label === 'dog')).toBe(false);
  }, 60_000);
});
