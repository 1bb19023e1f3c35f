/**
 * JPEG renderings of an analyzed photo for storage: a square crop per face and a thumbnail. They come
 * from the decoded photo the analysis already holds, so the original is not decoded again from scratch.
 */
import sharp from 'sharp';

import type { Box, FaceDetection, RgbImage } from '../core/types.js';
import type { PhotoRenders } from '../ports/photo-analyzer.js';
import { type DecodedPhoto, rasterize, rasterizeRegion } from './decode.js';

/** Face crops: 256 px squares, as the blog's FACE_SIZE (twice the 128 px a people list shows). */
const CROP_SIZE = 256;
/** Thumbnails: 512 px long side, as the blog's MODEL_MAX_SIDE (enough to recognise a scene). */
const THUMB_SIDE = 512;
/** JPEG quality of crops and thumbnails: 85, as the blog's face crops. */
const JPEG_QUALITY = 85;
/** Room around a face box so the crop shows hair and chin: 40 % of the box each side, as the blog's. */
const FACE_MARGIN = 0.4;

/** A face crop's square region around a box, clipped to the image (as src/blog/images.ts crops). */
export function cropRegion(box: Box, width: number, height: number): Box {
  const [x, y, w, h] = box;
  const side = Math.max(w, h) * (1 + 2 * FACE_MARGIN);
  const left = Math.max(0, x + w / 2 - side / 2);
  const top = Math.max(0, y + h / 2 - side / 2);
  return [left, top, Math.min(width - left, side), Math.min(height - top, side)];
}

/** Crops for `faces` (boxes in upright original pixels) and a thumbnail of `photo`. */
export async function renderPhoto(
  photo: DecodedPhoto,
  faces: readonly Pick<FaceDetection, 'box'>[],
): Promise<PhotoRenders> {
  const crops: Uint8Array[] = [];
  for (const face of faces) {
    const region = cropRegion(face.box, photo.width, photo.height);
    const scale = Math.min(1, CROP_SIZE / Math.max(region[2], region[3]));
    crops.push(await jpeg((await rasterizeRegion(photo, region, scale)).image));
  }
  const thumb = await jpeg((await rasterize(photo, THUMB_SIDE)).image);
  return { crops, thumb };
}

async function jpeg(image: RgbImage): Promise<Uint8Array> {
  const buffer = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality: JPEG_QUALITY })
    .toBuffer();
  // A copy of its own: a Buffer may be a view into a shared pool, which postMessage would clone whole.
  return new Uint8Array(buffer);
}
