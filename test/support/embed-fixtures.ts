import { readFile } from 'node:fs/promises';

import sharp from 'sharp';

import type { FaceDetection, Landmarks, QualityReport, RgbImage } from '../../src/core/types.js';
import { alignFace } from '../../src/pipeline/align.js';
import { detectFaces } from '../../src/pipeline/detect.js';
import { embedFaces } from '../../src/pipeline/embed.js';
import { assessQuality } from '../../src/pipeline/quality.js';
import type { PackModels } from '../../src/ports/pack-models.js';
import { fixture } from './fixtures.js';
import { loadTestPack } from './models.js';

/** One detected face of a fixture photo with its real embedding. */
export interface FixtureFace {
  /** `<photo>#<n>`, n counting the photo's faces from 0 in detector order (best score first). */
  readonly id: string;
  /** Fixture-relative path of the photo, e.g. `compreface/001_A.jpg`. */
  readonly photo: string;
  readonly detection: FaceDetection;
  /** Fused, L2-normalised embedding of the pack. */
  readonly embedding: Float32Array;
  /** The quality stage's verdict with the pack's thresholds (face size in original pixels). */
  readonly quality: QualityReport;
}

const cache = new Map<string, Promise<FixtureFace[]>>();

/**
 * Longest side the photos are decoded to: the detection raster of analyzePhoto (its
 * DEFAULT_DETECT_MAX_SIDE). The 12-36 MP compreface portraits would otherwise cost seconds each in
 * detection, and their faces stay over 70 px wide at this size.
 */
const MAX_SIDE = 1280;

/**
 * Faces of a fixture photo, produced by the real stages: upright RGB (as loadRgb, shrunk to MAX_SIDE),
 * the pack's detector with its fallback, quality as analyzePhoto judges it (aligned crop of the first
 * recognizer, size in original pixels) and the pack's recognizers with its flip setting. Memoised per
 * test process.
 */
export function embedFixture(photo: string, packName = 'local'): Promise<FixtureFace[]> {
  const key = `${packName}:${photo}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = loadTestPack(packName).then((models) => run(photo, models));
    cache.set(key, entry);
  }
  return entry;
}

async function run(photo: string, models: PackModels): Promise<FixtureFace[]> {
  const { image, scale } = await loadUpright(fixture(photo));
  const detections = await detectFaces(image, models.detector, { fallback: models.fallback });
  const embeddings = await embedFaces(image, detections, models.recognizers, { flip: models.pack.spec.flip });
  const { qualityIndex, qualitySearch } = models.pack.spec.thresholds;
  return detections.map((detection, i) => ({
    id: `${photo}#${i}`,
    photo,
    detection,
    embedding: embeddings[i]!,
    quality: assessQuality(
      toOriginal(detection, scale),
      alignFace(image, detection, models.recognizers[0]!.spec.crop),
      {
        indexThreshold: qualityIndex,
        searchThreshold: qualitySearch,
      },
    ),
  }));
}

/** Faces of several photos, one photo at a time (the models saturate both cores already). */
export async function embedFixtures(photos: readonly string[], packName = 'local'): Promise<FixtureFace[]> {
  const out: FixtureFace[] = [];
  for (const photo of photos) out.push(...(await embedFixture(photo, packName)));
  return out;
}

/** A detection in the pixels of the photo before the shrink (`scale` = shrunk / original). */
function toOriginal(d: FaceDetection, scale: number): FaceDetection {
  const [x, y, w, h] = d.box;
  return {
    ...d,
    box: [x / scale, y / scale, w / scale, h / scale],
    landmarks: d.landmarks.map(([px, py]) => [px / scale, py / scale]) as Landmarks,
  };
}

/** loadRgb (upright, sRGB, no alpha) with a shrink to MAX_SIDE on decode. */
async function loadUpright(file: string): Promise<{ image: RgbImage; scale: number }> {
  const bytes = await readFile(file);
  // sharp's autoOrient gives the upright size (EXIF orientations 5–8 swap width and height).
  const { autoOrient } = await sharp(bytes).metadata();
  const longest = Math.max(autoOrient.width, autoOrient.height);
  const { data, info } = await sharp(bytes)
    .rotate()
    .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const image = {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
  return { image, scale: Math.max(info.width, info.height) / Math.max(1, longest) };
}
