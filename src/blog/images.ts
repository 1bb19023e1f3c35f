import { readFile } from 'node:fs/promises';
import path from 'node:path';

import sharp from 'sharp';

import { AppError, ErrorCode } from '../core/errors.js';
import type { Box } from '../core/types.js';
import { faceCropPlan, scaledPad } from '../pipeline/face-crop.js';

/**
 * Bytes of an upright image sharp can read (JPEG, PNG, raw-converted HEIC, …) at the original
 * resolution, so face boxes (upright original pixels) apply as they are.
 */
export type LoadImage = (file: string) => Promise<Buffer>;

const HEIF = new Set(['.heic', '.heif', '.hif', '.avif']);

/** Default loader: sharp reads the file and applies EXIF orientation. HEIC needs an injected loader. */
export const loadWithSharp: LoadImage = async (file) => {
  if (HEIF.has(path.extname(file).toLowerCase())) {
    throw new AppError(
      ErrorCode.UnsupportedFormat,
      'HEIC/HEIF needs a decoding loader (sharp cannot read it)',
      { file },
    );
  }
  try {
    return await sharp(await readFile(file))
      .rotate()
      .jpeg({ quality: 92 })
      .toBuffer();
  } catch (error) {
    throw new AppError(ErrorCode.CorruptImage, `cannot read ${path.basename(file)}`, { file }, error);
  }
};

/** 1600 px long side: sharp on a laptop screen, ≈ 200–400 kB per JPEG at quality 82. */
export const WEB_MAX_SIDE = 1600;
/** 512 px long side for the model: enough to see a scene, ≈ 350 image tokens each (w·h/750). */
export const MODEL_MAX_SIDE = 512;
/** Face crops: 256 px squares, twice the 128 px the gallery shows, for sharp phone screens. */
export const FACE_SIZE = 256;

export async function toJpeg(bytes: Buffer, maxSide: number, quality = 82): Promise<Buffer> {
  return sharp(bytes)
    .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality })
    .toBuffer();
}

/**
 * A tight square crop centred on one face (pipeline/face-crop.ts), padded grey where it passes the
 * photo's edge, at `size` px.
 */
export async function faceCrop(bytes: Buffer, box: Box, size = FACE_SIZE): Promise<Buffer> {
  const meta = await sharp(bytes).metadata();
  const plan = faceCropPlan(box, meta.width, meta.height);
  const [left, top, width, height] = plan.region;
  const k = size / plan.side;
  const out = { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
  return sharp(bytes)
    .extract({ left, top, width, height })
    .resize(out.width, out.height, { fit: 'fill' })
    .extend({ ...scaledPad(plan, out, size), background: { r: 128, g: 128, b: 128 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}
