/**
 * Entry point of an analyzer thread (src/jobs/analyzer-pool.ts): loads the pack's models once, then
 * answers one photo at a time with its faces and, for album photos, JPEG face crops and a thumbnail.
 */
import { parentPort, workerData } from 'node:worker_threads';

import sharp from 'sharp';

import { loadPackModels } from '../adapters/load-pack-models.js';
import type { RgbImage } from '../core/types.js';
import type { AnalyzerThreadData, ThreadReply, ThreadRequest } from '../jobs/analyzer-pool.js';
import { serializeError } from '../jobs/analyzer-pool.js';
import { analyzePhoto } from '../pipeline/analyze-photo.js';
import { rasterize, rasterizeRegion } from '../pipeline/decode.js';
import { cropRegion, type AnalyzedPhoto } from '../services/photo-analyzer.js';

/** Face crops: 256 px squares, as the blog's FACE_SIZE (twice the 128 px a people list shows). */
const CROP_SIZE = 256;
/** Thumbnails: 512 px long side, as the blog's MODEL_MAX_SIDE (enough to recognise a scene). */
const THUMB_SIDE = 512;
/** JPEG quality of crops and thumbnails: 85, as the blog's face crops. */
const JPEG_QUALITY = 85;

const port = parentPort;
if (!port) throw new Error('analyze-thread must run as a worker thread');
const { pack, modelsDir } = workerData as AnalyzerThreadData;
const models = await loadPackModels(pack, modelsDir);

function jpeg(image: RgbImage): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality: JPEG_QUALITY })
    .toBuffer();
}

async function handle(request: ThreadRequest): Promise<AnalyzedPhoto> {
  const { photo, faces, phash } = await analyzePhoto(request.bytes, models);
  const crops: Uint8Array[] = [];
  let thumb: Uint8Array | null = null;
  if (request.renders) {
    for (const face of faces) {
      const region = cropRegion(face.box, photo.width, photo.height);
      const { image } = await rasterizeRegion(
        photo,
        region,
        Math.min(1, CROP_SIZE / Math.max(region[2], region[3])),
      );
      crops.push(new Uint8Array(await jpeg(image)));
    }
    thumb = new Uint8Array(await jpeg((await rasterize(photo, THUMB_SIDE)).image));
  }
  return {
    sha256: photo.sha256,
    format: photo.format,
    width: photo.width,
    height: photo.height,
    takenAt: photo.meta.takenAt,
    gps: photo.meta.gps,
    phash: phash.toString(16).padStart(16, '0'),
    faces: faces.map((f) => ({
      box: f.box,
      score: f.score,
      landmarks: f.landmarks,
      detector: f.detector,
      quality: f.quality,
      embedding: f.embedding,
    })),
    crops,
    thumb,
  };
}

port.on('message', (request: ThreadRequest) => {
  handle(request).then(
    (result) => {
      const reply: ThreadReply = { id: request.id, ok: true, result };
      port.postMessage(reply);
    },
    (error: unknown) => {
      const reply: ThreadReply = { id: request.id, ok: false, error: serializeError(error) };
      port.postMessage(reply);
    },
  );
});
const ready: ThreadReply = { id: -1, ok: true, ready: true };
port.postMessage(ready);
