import { describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.js';
import type { FaceDetection, RgbImage } from '../../src/core/types.js';
import { alignFace } from '../../src/pipeline/align.js';
import { detectFaces } from '../../src/pipeline/detect.js';
import { cosine, embedCrops, embedFaces } from '../../src/pipeline/embed.js';
import { cropsToTensor } from '../../src/pipeline/embed-tensor.js';
import type { RecognizerModel } from '../../src/ports/pack-models.js';
import { fixture, loadRgb } from '../support/fixtures.js';
import { loadTestPack } from '../support/models.js';

async function face(...path: string[]): Promise<{ image: RgbImage; face: FaceDetection }> {
  const models = await loadTestPack();
  const image = await loadRgb(fixture(...path));
  const [found] = await detectFaces(image, models.detector, { fallback: models.fallback });
  expect(found).toBeDefined();
  return { image, face: found! };
}

async function recognizer(id: string): Promise<RecognizerModel> {
  const r = (await loadTestPack()).recognizers.find((x) => x.spec.id === id);
  expect(r).toBeDefined();
  return r!;
}

function norm(v: Float32Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

function mirror(image: RgbImage): RgbImage {
  const { width: w, height: h, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++)
      out.set(data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3), (y * w + w - 1 - x) * 3);
  }
  return { width: w, height: h, data: out };
}

describe('cropsToTensor', () => {
  it('writes NCHW planes in the model colour order with (v − mean) / std, mirror alongside', () => {
    // 2×1 crop: a red pixel, then a blue one.
    const crop: RgbImage = { width: 2, height: 1, data: new Uint8Array([255, 0, 0, 0, 0, 255]) };
    const rgb = cropsToTensor(
      [crop],
      { colorOrder: 'RGB', mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
      'plain',
    );
    expect([...rgb]).toEqual([1, -1, -1, -1, -1, 1]);
    // FaceRes: BGR planes, means listed B, G, R.
    const bgr = cropsToTensor([crop], { colorOrder: 'BGR', mean: [100, 110, 120], std: [1, 1, 1] }, 'both');
    // Image 0 (B, G, R planes), then its mirror.
    expect([...bgr]).toEqual([-100, 155, -110, -110, 135, -120, 155, -100, -110, -110, -120, 135]);
  });
});

describe('embedCrops', () => {
  it('returns L2-normalised vectors of the manifest dimension for both recognizers', async () => {
    const { image, face: f } = await face('face_recognition', 'examples', 'obama.jpg');
    for (const id of ['face_reid_retail_0095', 'mobilefacenet_tf_192d']) {
      const r = await recognizer(id);
      const [e] = await embedCrops([alignFace(image, f, r.spec.crop)], r, { flip: false });
      expect(e).toHaveLength(r.spec.output.dim);
      expect(norm(e!)).toBeCloseTo(1, 5);
    }
  });

  it('gives the same embeddings batched and one by one, also with flip', async () => {
    const r = await recognizer('face_reid_retail_0095');
    const photos = [
      await face('face_recognition', 'examples', 'obama.jpg'),
      await face('face_recognition', 'examples', 'biden.jpg'),
      await face('face_recognition', 'examples', 'obama2.jpg'),
    ];
    const crops = photos.map((p) => alignFace(p.image, p.face, r.spec.crop));
    for (const flip of [false, true]) {
      const batched = await embedCrops(crops, r, { flip });
      for (let i = 0; i < crops.length; i++) {
        const [single] = await embedCrops([crops[i]!], r, { flip });
        expect(cosine(batched[i]!, single!)).toBeGreaterThan(0.99999);
      }
    }
  });

  it('runs MobileFaceNet_TF over several crops, people apart', async () => {
    const r = await recognizer('mobilefacenet_tf_192d');
    const a = await face('face_recognition', 'examples', 'obama.jpg');
    const b = await face('face_recognition', 'examples', 'biden.jpg');
    const crops = [alignFace(a.image, a.face, r.spec.crop), alignFace(b.image, b.face, r.spec.crop)];
    const out = await embedCrops(crops, r, { flip: true });
    expect(out).toHaveLength(2);
    expect(cosine(out[0]!, out[1]!)).toBeLessThan(0.3);
  });

  it('flip averaging is symmetric: a crop and its mirror embed identically', async () => {
    const r = await recognizer('mobilefacenet_tf_192d');
    const { image, face: f } = await face('face_recognition', 'examples', 'obama.jpg');
    const crop = alignFace(image, f, r.spec.crop);
    const [a] = await embedCrops([crop], r, { flip: true });
    const [b] = await embedCrops([mirror(crop)], r, { flip: true });
    expect(cosine(a!, b!)).toBeGreaterThan(0.9999);
  });

  it('rejects crops of the wrong size', async () => {
    const r = await recognizer('face_reid_retail_0095');
    const wrong: RgbImage = { width: 100, height: 100, data: new Uint8Array(100 * 100 * 3) };
    await expect(embedCrops([wrong], r, { flip: false })).rejects.toThrow(AppError);
  });
});

describe('embedFaces with the local pack', () => {
  it('puts the same person above the match threshold and different people below', async () => {
    const models = await loadTestPack();
    const opts = { flip: models.pack.spec.flip };
    const { match } = models.pack.spec.thresholds;
    const obama = await face('face_recognition', 'examples', 'obama.jpg');
    const obama2 = await face('face_recognition', 'examples', 'obama2.jpg');
    const biden = await face('face_recognition', 'examples', 'biden.jpg');
    const [eo] = await embedFaces(obama.image, [obama.face], models.recognizers, opts);
    const [eo2] = await embedFaces(obama2.image, [obama2.face], models.recognizers, opts);
    const [eb] = await embedFaces(biden.image, [biden.face], models.recognizers, opts);
    expect(eo).toHaveLength(models.pack.dim);
    expect(norm(eo!)).toBeCloseTo(1, 5);
    expect(cosine(eo!, eo2!)).toBeGreaterThan(match);
    expect(cosine(eo!, eb!)).toBeLessThan(match);
  });

  it('fuses so that the cosine is the weighted mean of the recognizers’ cosines', async () => {
    const models = await loadTestPack();
    const opts = { flip: models.pack.spec.flip };
    const a = await face('face_recognition', 'examples', 'obama.jpg');
    const b = await face(
      'face_recognition',
      'examples',
      'knn_examples',
      'train',
      'kit_harington',
      'john1.jpeg',
    );
    const [fa] = await embedFaces(a.image, [a.face], models.recognizers, opts);
    const [fb] = await embedFaces(b.image, [b.face], models.recognizers, opts);
    let weighted = 0;
    let total = 0;
    for (const r of models.recognizers) {
      const [ea] = await embedCrops([alignFace(a.image, a.face, r.spec.crop)], r, opts);
      const [eb] = await embedCrops([alignFace(b.image, b.face, r.spec.crop)], r, opts);
      weighted += r.spec.weight * cosine(ea!, eb!);
      total += r.spec.weight;
    }
    expect(cosine(fa!, fb!)).toBeCloseTo(weighted / total, 5);
  });

  it('embeds every face of a group photo, each distinct', async () => {
    const models = await loadTestPack();
    const image = await loadRgb(fixture('face_recognition', 'examples', 'two_people.jpg'));
    const faces = await detectFaces(image, models.detector, { fallback: models.fallback });
    expect(faces).toHaveLength(2);
    const [x, y] = await embedFaces(image, faces, models.recognizers, { flip: models.pack.spec.flip });
    expect(cosine(x!, y!)).toBeLessThan(models.pack.spec.thresholds.match);
    expect(await embedFaces(image, [], models.recognizers, { flip: false })).toEqual([]);
  });
});

describe('cosine', () => {
  it('refuses vectors of different dimensions', () => {
    expect(() => cosine(new Float32Array(3), new Float32Array(4))).toThrow(AppError);
    expect(cosine(new Float32Array([1, 0]), new Float32Array([0.6, 0.8]))).toBeCloseTo(0.6, 6);
  });
});
