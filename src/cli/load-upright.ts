import { readFile } from 'node:fs/promises';

import sharp from 'sharp';

import { decodePhoto, rasterize } from '../pipeline/decode.js';

/**
 * Upright full-resolution JPEG bytes of any photo the pipeline reads (HEIC and BMP included), for the
 * blog's thumbnails and face crops, whose boxes are in upright original pixels.
 */
export async function loadUpright(file: string): Promise<Buffer> {
  const photo = await decodePhoto(new Uint8Array(await readFile(file)));
  const { image } = await rasterize(photo, Math.max(photo.width, photo.height));
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality: 92 })
    .toBuffer();
}
