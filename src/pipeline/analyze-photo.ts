import type { Box, Face, FaceDetection, Landmarks, RgbImage, SceneObject } from '../core/types.js';
import type { PackModels } from '../ports/pack-models.js';
import type { AnalyzedPhoto, PhotoAnalyzer } from '../ports/photo-analyzer.js';
import { alignFace } from './align.js';
import { type DecodedPhoto, decodePhoto, rasterize, rasterizeRegion } from './decode.js';
import { perceptualHash } from './dedup.js';
import { type Raster, renderPhoto } from './render-photo.js';
import { detectFaces } from './detect.js';
import { detectObjects } from './detect-objects.js';
import { embedFaces } from './embed.js';
import { assessQuality } from './quality.js';

export interface AnalyzeOptions {
  /**
   * Longest side of the raster the detector sees. 1280 keeps 12-megapixel JPEGs on libjpeg's
   * shrink-on-load path while leaving the tiler twice the detector's 640 input for small faces.
   */
  readonly detectMaxSide?: number;
  readonly tiling?: 'auto' | 'off' | 'always';
}

export interface PhotoAnalysis {
  readonly photo: DecodedPhoto;
  /** Faces in upright original-image pixels, best detector score first. */
  readonly faces: readonly Face[];
  readonly phash: bigint;
  /** Scene objects (people, dogs, boats, …), best score first; empty without an objects model. */
  readonly objects: readonly SceneObject[];
  /** Milliseconds per stage, for benchmarks and logs. */
  readonly timings: Readonly<Record<Stage, number>>;
  /**
   * What was decoded: the whole-photo detection raster first, then the finer region around small faces
   * when one was needed. Renders come from these, so nothing decodes the photo again.
   */
  readonly rasters: readonly Raster[];
}

/** decode: header + detection raster; crops: the finer region decode for small faces; align: crops + quality. */
export type Stage = 'decode' | 'detect' | 'objects' | 'crops' | 'align' | 'embed';

const DEFAULT_DETECT_MAX_SIDE = 1280;

/**
 * Pixels a recognizer crop wants across the detected face box: ArcFace crops are 112 px for a face box
 * of about 60 % of the crop; box crops are the box plus margins at the crop size. Decoding more than this
 * only costs time.
 */
function wantedFacePixels(models: PackModels): number {
  return Math.max(
    ...models.recognizers.map(({ spec }) =>
      spec.crop.type === 'box' ? spec.crop.size / (1 + 2 * spec.crop.margin) : spec.crop.size * 0.6,
    ),
  );
}

/** Decode → detect → align → quality → embed for one photo. Pure apart from the models it is given. */
export async function analyzePhoto(
  bytes: Uint8Array,
  models: PackModels,
  opts: AnalyzeOptions = {},
): Promise<PhotoAnalysis> {
  const clock = stopwatch();
  const photo = await decodePhoto(bytes);
  const det = await rasterize(photo, opts.detectMaxSide ?? DEFAULT_DETECT_MAX_SIDE);
  const decodeMs = clock();

  const found = await detectFaces(det.image, models.detector, {
    fallback: models.fallback,
    tiling: opts.tiling ?? 'auto',
  });
  const phash = perceptualHash(det.image);
  const detectMs = clock();
  // Scene objects from the same detection raster: no second decode of the photo.
  const objects = models.objects ? await detectObjects(det.image, det.scale, models.objects) : [];
  const objectsMs = clock();

  if (found.length === 0) {
    const timings = { decode: decodeMs, detect: detectMs, objects: objectsMs, crops: 0, align: 0, embed: 0 };
    return { photo, faces: [], phash, objects, timings, rasters: [{ ...det, offset: [0, 0] }] };
  }
  const { faces, cropsMs, alignMs, embedMs, region } = await describeFaces(photo, det, found, models, clock);
  return {
    photo,
    faces,
    phash,
    objects,
    timings: {
      decode: decodeMs,
      detect: detectMs,
      objects: objectsMs,
      crops: cropsMs,
      align: alignMs,
      embed: embedMs,
    },
    rasters: [{ ...det, offset: [0, 0] }, ...(region ? [region] : [])],
  };
}

async function describeFaces(
  photo: DecodedPhoto,
  det: { image: RgbImage; scale: number },
  found: readonly FaceDetection[],
  models: PackModels,
  clock: () => number,
): Promise<{ faces: Face[]; cropsMs: number; alignMs: number; embedMs: number; region?: Raster }> {
  // Crops come from a raster fine enough for the recognizer: the detection raster when its faces are
  // big enough, else one region decode around all faces at the scale the smallest face needs.
  const smallest = Math.min(...found.map((f) => f.box[2])) / det.scale;
  const needScale = Math.min(1, wantedFacePixels(models) / Math.max(1, smallest));
  let crop = det;
  let offset: [number, number] = [0, 0];
  if (needScale > det.scale * 1.05) {
    const region = unionBox(
      found.map((f) => scaleBox(f.box, 1 / det.scale)),
      photo.width,
      photo.height,
      0.5,
    );
    const r = await rasterizeRegion(photo, region, needScale);
    crop = r;
    offset = r.offset;
  }
  const cropsMs = clock();
  const inCrop = found.map((f) => mapDetection(f, det.scale, crop.scale, offset));
  const qualityCropSpec = at(models.recognizers, 0).spec.crop;
  const qualityCrops = inCrop.map((f) => alignFace(crop.image, f, qualityCropSpec));
  const { qualityIndex, qualitySearch } = models.pack.spec.thresholds;
  // Quality judges the face as the photo holds it: size in original pixels, blur on the aligned crop.
  const originals = found.map((f) => mapDetection(f, det.scale, 1, [0, 0]));
  const qualities = originals.map((f, i) =>
    assessQuality(f, at(qualityCrops, i), { indexThreshold: qualityIndex, searchThreshold: qualitySearch }),
  );
  const alignMs = clock();
  const embeddings = await embedFaces(crop.image, inCrop, models.recognizers, {
    flip: models.pack.spec.flip,
    // The quality crop is the first recognizer's own crop: warp it once.
    aligned: [qualityCrops],
  });
  const embedMs = clock();
  const faces = originals.map((f, i) => ({ ...f, quality: at(qualities, i), embedding: at(embeddings, i) }));
  const region = crop === det ? undefined : { image: crop.image, scale: crop.scale, offset };
  return { faces, cropsMs, alignMs, embedMs, ...(region ? { region } : {}) };
}

function scaleBox([x, y, w, h]: Box, s: number): Box {
  return [x * s, y * s, w * s, h * s];
}

/** Maps a detection from raster A (scale a, origin 0) to raster B (scale b, origin `offset` in B's px). */
function mapDetection(f: FaceDetection, a: number, b: number, offset: [number, number]): FaceDetection {
  const k = b / a;
  const [x, y, w, h] = f.box;
  return {
    ...f,
    box: [x * k - offset[0], y * k - offset[1], w * k, h * k],
    landmarks: f.landmarks.map(([px, py]) => [px * k - offset[0], py * k - offset[1]]) as Landmarks,
  };
}

/** The box around all boxes, grown by `margin` × the largest face on each side, clipped to the image. */
function unionBox(boxes: readonly Box[], width: number, height: number, margin: number): Box {
  const pad = Math.max(...boxes.map((b) => Math.max(b[2], b[3]))) * margin;
  const x0 = Math.max(0, Math.min(...boxes.map((b) => b[0])) - pad);
  const y0 = Math.max(0, Math.min(...boxes.map((b) => b[1])) - pad);
  const x1 = Math.min(width, Math.max(...boxes.map((b) => b[0] + b[2])) + pad);
  const y1 = Math.min(height, Math.max(...boxes.map((b) => b[1] + b[3])) + pad);
  return [x0, y0, x1 - x0, y1 - y0];
}

function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const ms = now - last;
    last = now;
    return ms;
  };
}

function at<T>(items: readonly T[], i: number): T {
  const item = items[i];
  if (item === undefined) throw new Error(`stage returned ${items.length} results, expected index ${i}`);
  return item;
}

/** The pipeline in this thread, behind the PhotoAnalyzer port (tests, `faceblog faces`, one-core hosts). */
export function inProcessAnalyzer(models: PackModels, opts: AnalyzeOptions = {}): PhotoAnalyzer {
  return {
    pack: models.pack,
    async analyze(bytes, request) {
      const analysis = await analyzePhoto(bytes, models, opts);
      const result = toAnalyzedPhoto(analysis);
      const wanted = request?.renders;
      if (!wanted) return result;
      const renders = await renderPhoto(
        analysis.photo,
        analysis.rasters,
        analysis.faces,
        wanted === true ? {} : wanted,
      );
      return { ...result, renders };
    },
    async close() {
      const all = [
        models.detector,
        ...(models.fallback ? [models.fallback] : []),
        ...models.recognizers,
        ...(models.objects ? [models.objects] : []),
      ];
      await Promise.all(all.map((m) => m.model.dispose()));
    },
  };
}

/** Drops the pixel source and rasters: what leaves the pipeline is metadata, faces and the hash. */
export function toAnalyzedPhoto(analysis: PhotoAnalysis): AnalyzedPhoto {
  const { source, ...photo } = analysis.photo;
  return {
    photo,
    faces: analysis.faces,
    phash: analysis.phash,
    objects: analysis.objects,
    timings: analysis.timings,
  };
}
