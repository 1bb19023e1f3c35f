import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import type { FaceDetection, RgbImage } from '../../src/core/types.js';
import { alignFace, arcfaceTemplate } from '../../src/pipeline/align.js';
import { detectFaces } from '../../src/pipeline/detect.js';
import { assessQuality, headPose, type QualityOptions } from '../../src/pipeline/quality.js';
import { fixture, loadRgb } from '../support/fixtures.js';
import { centralFace } from '../support/lfw.js';
import { loadTestPack } from '../support/models.js';

async function setup(...path: string[]): Promise<{ image: RgbImage; face: FaceDetection; crop: RgbImage }> {
  const models = await loadTestPack();
  const image = await loadRgb(fixture(...path));
  const face = centralFace(image, await detectFaces(image, models.detector, { fallback: models.fallback }));
  expect(face).toBeDefined();
  return { image, face: face!, crop: alignFace(image, face!, models.recognizers[0]!.spec.crop) };
}

async function options(): Promise<QualityOptions> {
  const { thresholds } = (await loadTestPack()).pack.spec;
  return { indexThreshold: thresholds.qualityIndex, searchThreshold: thresholds.qualitySearch };
}

async function resize(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  const raw = { width: image.width, height: image.height, channels: 3 as const };
  const { data, info } = await sharp(image.data, { raw })
    .resize(width, height)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

describe('headPose', () => {
  it('reads the frontal template as frontal', () => {
    const p = headPose(arcfaceTemplate(112));
    expect(Math.abs(p.yaw)).toBeLessThan(1);
    expect(Math.abs(p.pitch)).toBeLessThan(1);
    expect(Math.abs(p.roll)).toBeLessThan(1);
  });

  it('measures roll as the eye line angle', () => {
    const rot = (30 * Math.PI) / 180;
    const turned = arcfaceTemplate(112).map(([x, y]) => [
      Math.cos(rot) * x - Math.sin(rot) * y,
      Math.sin(rot) * x + Math.cos(rot) * y,
    ]) as ReturnType<typeof arcfaceTemplate>;
    const p = headPose(turned);
    expect(p.roll).toBeCloseTo(29.7, 0);
    expect(Math.abs(p.yaw)).toBeLessThan(1);
  });
});

describe('assessQuality on real photos', () => {
  it('scores a sharp frontal portrait high, indexable and searchable', async () => {
    const { face, crop } = await setup('face_recognition', 'examples', 'obama.jpg');
    const q = assessQuality(face, crop, await options());
    expect(q.reasons).toEqual([]);
    expect(q.score).toBeGreaterThan(0.9);
    expect(q.indexable).toBe(true);
    expect(q.searchable).toBe(true);
    expect(q.faceSize).toBeGreaterThan(200);
  });

  it('flags the same crop blurred (Gaussian sigma 4) as blurry and not searchable', async () => {
    const { face, crop } = await setup('face_recognition', 'examples', 'obama.jpg');
    const raw = { width: crop.width, height: crop.height, channels: 3 as const };
    const { data } = await sharp(crop.data, { raw }).blur(4).raw().toBuffer({ resolveWithObject: true });
    const blurred = { width: crop.width, height: crop.height, data: new Uint8Array(data) };
    const sharpQ = assessQuality(face, crop, await options());
    const q = assessQuality(face, blurred, await options());
    expect(q.reasons).toContain('blurry');
    expect(q.blur).toBeLessThan(sharpQ.blur / 20);
    expect(q.searchable).toBe(false);
  });

  it('flags a face downscaled to ~24 px as small', async () => {
    const models = await loadTestPack();
    const { image, face } = await setup('face_recognition', 'examples', 'obama.jpg');
    const k = 24 / face.box[2];
    const tiny = await resize(image, Math.round(image.width * k), Math.round(image.height * k));
    const [small] = await detectFaces(tiny, models.detector, { fallback: models.fallback, tiling: 'always' });
    expect(small).toBeDefined();
    const q = assessQuality(
      small!,
      alignFace(tiny, small!, models.recognizers[0]!.spec.crop),
      await options(),
    );
    expect(q.reasons).toContain('small');
    expect(q.faceSize).toBeLessThan(32);
    expect(q.searchable).toBe(false);
  });

  it('flags a near-profile face (LFW Phil_Gramm_0002) with a pose reason', async () => {
    const { face, crop } = await setup('lfw', 'Phil_Gramm', 'Phil_Gramm_0002.jpg');
    const q = assessQuality(face, crop, await options());
    expect(q.reasons).toContain('profile');
    expect(Math.abs(q.yaw)).toBeGreaterThan(50);
    expect(q.searchable).toBe(false);
  });

  it('flags a face cut by the photo frame (obama_partial_face.jpg) as partial and not indexable', async () => {
    const { face, crop } = await setup('face_recognition', 'tests', 'test_images', 'obama_partial_face.jpg');
    const q = assessQuality(face, crop, await options());
    expect(q.reasons).toContain('partial');
    expect(q.indexable).toBe(false);
  });

  it('keeps ordinary turned faces usable (obama2.jpg, ~18° yaw)', async () => {
    const { face, crop } = await setup('face_recognition', 'examples', 'obama2.jpg');
    const q = assessQuality(face, crop, await options());
    expect(q.reasons).not.toContain('profile');
    expect(q.searchable).toBe(true);
  });
});
