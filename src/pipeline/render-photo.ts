/**
 * JPEG renderings of an analyzed photo for storage: a square crop per face and a thumbnail. They come
 * from the decoded photo the analysis already holds, so the original is not decoded again from scratch.
 */
import sharp from 'sharp';

import type { FaceDetection, RgbImage } from '../core/types.js';
import type { PhotoRenders } from '../ports/photo-analyzer.js';
import { type DecodedPhoto, rasterize, rasterizeRegion } from './decode.js';
import { faceCropPlan, scaledPad } from './face-crop.js';

/** Face crops: 256 px squares, as the blog's FACE_SIZE (twice the 128 px a people list shows). */
const CROP_SIZE = 256;
/** Thumbnails: 512 px long side, as the blog's MODEL_MAX_SIDE (enough to recognise a scene). */
const THUMB_SIDE = 512;
/** JPEG quality of crops and thumbnails: 85, as the blog's face crops. */
const JPEG_QUALITY = 85;
/** Crops for `faces` (boxes in upright original pixels) and a thumbnail of `photo`. */
export async function renderPhoto(
  photo: DecodedPhoto,
  faces: readonly Pick<FaceDetection, 'box'>[],
): Promise<PhotoRenders> {
  const crops: Uint8Array[] = [];
  for (const face of faces) {
    const plan = faceCropPlan(face.box, photo.width, photo.height);
    const scale = Math.min(1, CROP_SIZE / plan.side);
    const size = Math.max(1, Math.round(plan.side * scale));
    const { image } = await rasterizeRegion(photo, plan.region, scale);
    crops.push(await jpeg(image, scaledPad(plan, image, size)));
  }
  const thumb = await jpeg((await rasterize(photo, THUMB_SIDE)).image);
  return { crops, thumb };
}

/** Grey padding where a face crop passes the photo's edge: neutral, and plainly not part of the photo. */
const PAD_COLOUR = { r: 128, g: 128, b: 128 };

async function jpeg(
  image: RgbImage,
  pad?: { left: number; top: number; right: number; bottom: number },
): Promise<Uint8Array> {
  let pipeline = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  if (pad && pad.left + pad.top + pad.right + pad.bottom > 0) {
    pipeline = pipeline.extend({ ...pad, background: PAD_COLOUR });
  }
  const buffer = await pipeline.jpeg({ quality: JPEG_QUALITY }).toBuffer();
  // A copy of its own: a Buffer may be a view into a shared pool, which postMessage would clone whole.
  return new Uint8Array(buffer);
}
