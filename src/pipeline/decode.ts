/**
 * Decode stage: bytes of a photo in, an upright picture with its metadata out.
 *
 * `decodePhoto` is cheap for everything sharp reads (JPEG, PNG, WebP, TIFF, GIF, AVIF): it reads the
 * headers and EXIF only and keeps the original bytes; pixels are decoded later by `rasterize`, at the
 * size the caller asks for, so that libjpeg can scale the DCT while decoding (shrink-on-load) instead
 * of decoding 12 megapixels to throw most of them away. HEIC and BMP are decoded once, here, and keep
 * their raw pixels, because no decoder of theirs can decode at a smaller size.
 *
 * Orientation is applied exactly once: sharp's auto-orient for the formats it reads, libheif's own
 * container transformations for HEIC (whose EXIF Orientation tag repeats them). Every dimension and
 * coordinate this module hands out is in the upright image.
 */
import { createHash } from 'node:crypto';

import sharp from 'sharp';
import type { Metadata, Sharp } from 'sharp';

import { AppError, ErrorCode } from '../core/errors.js';
import type { Box, RgbImage } from '../core/types.js';
import { decodeBmp, parseBmpHeader } from './decode-bmp.js';
import { EMPTY_META, readExifMeta } from './decode-exif.js';
import type { PhotoMeta } from './decode-exif.js';
import {
  SUPPORTED_FORMATS_TEXT,
  describeUnsupported,
  findTruncation,
  headerDimensions,
  sniffFormat,
} from './decode-format.js';
import type { PhotoFormat } from './decode-format.js';
import { decodeHeic } from './decode-heic.js';

export type { PhotoMeta } from './decode-exif.js';
export type { PhotoFormat } from './decode-format.js';

/**
 * Where the pixels come from. `encoded`: the original bytes, decoded by sharp on each rasterize
 * (not copied: do not modify the array after decodePhoto). `raw`: upright interleaved 8-bit pixels
 * decoded once (HEIC, BMP), `channels` 3 (RGB) or 4 (RGBA), tightly packed at the photo's size.
 */
export type PhotoSource =
  | { readonly kind: 'encoded'; readonly bytes: Uint8Array; readonly hasAlpha: boolean }
  | { readonly kind: 'raw'; readonly pixels: Uint8Array; readonly channels: 3 | 4 };

export interface DecodedPhoto {
  readonly format: PhotoFormat;
  /** Upright (EXIF-oriented) size of the full-resolution image. */
  readonly width: number;
  readonly height: number;
  readonly meta: PhotoMeta;
  /** Hex SHA-256 of the original bytes: the photo's identity for dedup and job ids. */
  readonly sha256: string;
  readonly byteLength: number;
  readonly source: PhotoSource;
}

export interface DecodeOptions {
  /**
   * Largest accepted image, in pixels (width x height). Default 100 megapixels: above every phone's
   * default mode (12–50 MP) and full-frame cameras (up to ~61 MP), at the size of medium-format
   * backs (100 MP). It bounds memory: a decoded 100 MP photo is 300 MB as RGB, 400 MB as RGBA for
   * HEIC, which is as much as one job may hold on a small worker. Decompression bombs (a few KB
   * that claim 30000 x 30000) are refused from the header, before any pixel is decoded.
   */
  readonly maxPixels?: number;
  /**
   * Largest accepted file, in bytes. Default 64 MiB: a 50 MP JPEG at top quality is ~30 MB and an
   * uncompressed 20 MP BMP or TIFF ~60 MB; chat downloads are smaller still (Telegram's Bot API
   * stops at 20 MB).
   */
  readonly maxBytes?: number;
}

export const DEFAULT_MAX_PIXELS = 100_000_000;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** Flatten transparency onto white: how photo viewers and chat apps show a transparent PNG. */
const FLATTEN_BACKGROUND = { r: 255, g: 255, b: 255 };

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function megapixels(pixels: number): string {
  return `${(pixels / 1e6).toFixed(pixels < 1e7 ? 1 : 0)} megapixels`;
}

function positiveOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new AppError(ErrorCode.BadArguments, `${name} must be a positive number, got ${value}.`, {
      [name]: value,
    });
  }
  return value;
}

function checkPixels(width: number, height: number, maxPixels: number, format: PhotoFormat): void {
  if (width * height > maxPixels) {
    throw new AppError(
      ErrorCode.TooManyPixels,
      `This photo is ${width} x ${height} pixels (${megapixels(width * height)}); ` +
        `photos up to ${megapixels(maxPixels)} are accepted.`,
      { format, width, height, maxPixels },
    );
  }
}

const FORMAT_NAMES: Readonly<Record<PhotoFormat, string>> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  tiff: 'TIFF',
  bmp: 'BMP',
  gif: 'GIF',
  avif: 'AVIF',
  heif: 'HEIC/HEIF',
};

function corruptImage(
  format: PhotoFormat,
  reason: string,
  context: Record<string, unknown> = {},
  cause?: unknown,
): AppError {
  return new AppError(
    ErrorCode.CorruptImage,
    `This ${FORMAT_NAMES[format]} photo is damaged or incomplete and cannot be read: ${reason}. ` +
      'If it was cut off during upload, send it again.',
    { format, reason, ...context },
    cause,
  );
}

/** libvips messages in plain words; the original goes to the context and the cause. */
function plainReason(libvipsMessage: string): string {
  if (/premature end|unexpected end|truncat|end of (file|data)/i.test(libvipsMessage))
    return 'the file ends too early';
  if (/corrupt header|unsupported image format|not a known/i.test(libvipsMessage))
    return 'its header is damaged';
  return 'the image data is damaged';
}

function fromSharpError(format: PhotoFormat, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const decoderMessage = message.split('\n')[0]?.trim() ?? message;
  return corruptImage(format, plainReason(decoderMessage), { decoderMessage }, error);
}

function asBuffer(bytes: Uint8Array): Buffer {
  // A view, not a copy: sharp takes Buffers, our callers hand us Uint8Arrays.
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Reads a photo's format, upright size and metadata. Never decodes the pixels of formats sharp
 * reads; decodes HEIC and BMP once. Every rejection is an AppError with a code and a message for the
 * user: EmptyFile, FileTooLarge, UnsupportedFormat, TooManyPixels, CorruptImage.
 */
export async function decodePhoto(bytes: Uint8Array, opts: DecodeOptions = {}): Promise<DecodedPhoto> {
  const maxPixels = positiveOption('maxPixels', opts.maxPixels, DEFAULT_MAX_PIXELS);
  const maxBytes = positiveOption('maxBytes', opts.maxBytes, DEFAULT_MAX_BYTES);

  if (bytes.length === 0) throw new AppError(ErrorCode.EmptyFile, 'The file is empty (0 bytes).', {});
  if (bytes.length > maxBytes) {
    throw new AppError(
      ErrorCode.FileTooLarge,
      `The file is ${megabytes(bytes.length)}; files up to ${megabytes(maxBytes)} are accepted.`,
      { byteLength: bytes.length, maxBytes },
    );
  }

  const format = sniffFormat(bytes);
  if (format === null) {
    const looksLike = describeUnsupported(bytes);
    throw new AppError(
      ErrorCode.UnsupportedFormat,
      `This file is not a photo we can read${looksLike ? ` (it looks like ${looksLike})` : ''}. ` +
        `Send a ${SUPPORTED_FORMATS_TEXT} photo.`,
      { byteLength: bytes.length, ...(looksLike ? { looksLike } : {}) },
    );
  }

  // Dimensions readable without a library come first, so that a bomb is refused even when its
  // body is garbage.
  const early = headerDimensions(bytes, format);
  if (early) checkPixels(early.width, early.height, maxPixels, format);

  const common = { format, sha256: sha256Hex(bytes), byteLength: bytes.length };
  switch (format) {
    case 'heif':
      return decodeHeifPhoto(bytes, maxPixels, common);
    case 'bmp':
      return decodeBmpPhoto(bytes, maxPixels, common);
    default:
      return readSharpPhoto(bytes, format, maxPixels, common);
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

type Common = Pick<DecodedPhoto, 'format' | 'sha256' | 'byteLength'>;

async function readSharpPhoto(
  bytes: Uint8Array,
  format: PhotoFormat,
  maxPixels: number,
  common: Common,
): Promise<DecodedPhoto> {
  let metadata: Metadata;
  try {
    metadata = await sharp(asBuffer(bytes)).metadata();
  } catch (error) {
    throw fromSharpError(format, error);
  }
  const storedWidth = metadata.width;
  // Animated GIF/WebP: we take the first frame, whose height is pageHeight.
  const storedHeight = metadata.pageHeight ?? metadata.height;
  if (!(storedWidth > 0 && storedHeight > 0)) throw corruptImage(format, 'the header gives no image size');
  checkPixels(storedWidth, storedHeight, maxPixels, format);

  const truncation = findTruncation(bytes, format);
  if (truncation) throw corruptImage(format, truncation);

  const orientation = metadata.orientation ?? 1;
  // EXIF orientations 5–8 swap the axes.
  const swap = orientation >= 5 && orientation <= 8;
  const width = swap ? storedHeight : storedWidth;
  const height = swap ? storedWidth : storedHeight;

  // sharp found the EXIF block already (JPEG APP1, PNG eXIf, WebP/AVIF EXIF chunk); exifr parses just
  // that. TIFF keeps its tags in the file's own IFDs, so exifr reads the file.
  const exifSource = metadata.exif ?? (format === 'tiff' ? bytes : undefined);
  const exifMeta = exifSource ? await readExifMeta(exifSource) : EMPTY_META;
  // The orientation that counts is the one sharp applies.
  const meta: PhotoMeta = { ...exifMeta, orientation };

  return Object.freeze({
    ...common,
    width,
    height,
    meta,
    source: Object.freeze({ kind: 'encoded' as const, bytes, hasAlpha: metadata.hasAlpha }),
  });
}

async function decodeHeifPhoto(bytes: Uint8Array, maxPixels: number, common: Common): Promise<DecodedPhoto> {
  const truncation = findTruncation(bytes, 'heif');
  if (truncation) throw corruptImage('heif', truncation);
  const pixels = await decodeHeic(bytes, (width, height) => {
    checkPixels(width, height, maxPixels, 'heif');
  });
  const meta = await readExifMeta(bytes);
  return Object.freeze({
    ...common,
    width: pixels.width,
    height: pixels.height,
    meta,
    source: Object.freeze({ kind: 'raw' as const, pixels: pixels.data, channels: pixels.channels }),
  });
}

function decodeBmpPhoto(bytes: Uint8Array, maxPixels: number, common: Common): DecodedPhoto {
  const header = parseBmpHeader(bytes);
  checkPixels(header.width, header.height, maxPixels, 'bmp');
  const pixels = decodeBmp(bytes, header);
  return Object.freeze({
    ...common,
    width: pixels.width,
    height: pixels.height,
    meta: EMPTY_META,
    source: Object.freeze({ kind: 'raw' as const, pixels: pixels.data, channels: pixels.channels }),
  });
}

/** A sharp pipeline over the photo's upright full-resolution pixels. */
function openUpright(photo: DecodedPhoto): Sharp {
  const { source } = photo;
  if (source.kind === 'raw') {
    return sharp(asBuffer(source.pixels), {
      raw: { width: photo.width, height: photo.height, channels: source.channels },
      limitInputPixels: false, // checked in decodePhoto
    });
  }
  // failOn 'truncated': a cut-off file fails loudly instead of rasterizing with a grey bottom half.
  // limitInputPixels off: decodePhoto already applied the caller's limit from the header.
  return sharp(asBuffer(source.bytes), { failOn: 'truncated', limitInputPixels: false }).autoOrient();
}

function hasAlpha(photo: DecodedPhoto): boolean {
  return photo.source.kind === 'raw' ? photo.source.channels === 4 : photo.source.hasAlpha;
}

/** Ends a pipeline in 8-bit sRGB RGB: alpha flattened on white, CMYK/grey/16-bit converted. */
async function toRgb(photo: DecodedPhoto, pipeline: Sharp): Promise<RgbImage> {
  let p = pipeline;
  if (hasAlpha(photo)) p = p.flatten({ background: FLATTEN_BACKGROUND });
  try {
    const { data, info } = await p
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw corruptImage(photo.format, `decoded to ${info.channels} channels`);
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
  } catch (error) {
    throw fromSharpError(photo.format, error);
  }
}

function checkScaleArgument(name: string, value: number, max?: number): void {
  if (!Number.isFinite(value) || value <= 0 || (max !== undefined && value > max)) {
    throw new AppError(
      ErrorCode.BadArguments,
      `${name} must be a positive number${max === undefined ? '' : ` at most ${max}`}, got ${value}.`,
      { [name]: value },
    );
  }
}

/**
 * Upright RGB (3 channels, alpha flattened on white) whose longest side is at most `maxSide`; never
 * upscaled. `scale` = raster px / original px along x (x and y differ by under half a raster pixel
 * of rounding). For JPEG the resize lets libjpeg decode at 1/2, 1/4 or 1/8 size directly; sharp
 * keeps one step of margin for libjpeg's rounding, so that happens from a 3x, 5x and 9x reduction on
 * (a 4000 px wide photo decodes at 1/2 for maxSide <= 1333 and at 1/4 for <= 800; bench/decode.ts).
 */
export async function rasterize(
  photo: DecodedPhoto,
  maxSide: number,
): Promise<{ image: RgbImage; scale: number }> {
  checkScaleArgument('maxSide', maxSide);
  const longest = Math.max(photo.width, photo.height);
  const ratio = Math.min(1, maxSide / longest);
  const width = Math.max(1, Math.round(photo.width * ratio));
  const height = Math.max(1, Math.round(photo.height * ratio));
  let pipeline = openUpright(photo);
  if (width !== photo.width || height !== photo.height) {
    pipeline = pipeline.resize(width, height, { fit: 'fill' });
  }
  const image = await toRgb(photo, pipeline);
  return { image, scale: width / photo.width };
}

/**
 * Upright RGB of `region` (a box in original px, clipped to the image) at `scale` (<= 1), for face
 * crops. The result is the same as cropping a whole-photo raster at `scale`: `offset` is the crop's
 * top-left in that raster's px, so a point maps as `raster = original * scale - offset` and back as
 * `original = (raster + offset) / scale`. `scale` is the one actually used after rounding the output
 * width (the height's differs by under half a pixel).
 */
export async function rasterizeRegion(
  photo: DecodedPhoto,
  region: Box,
  scale: number,
): Promise<{ image: RgbImage; scale: number; offset: [number, number] }> {
  checkScaleArgument('scale', scale, 1);
  const [x, y, w, h] = region;
  if (![x, y, w, h].every(Number.isFinite) || w <= 0 || h <= 0) {
    throw new AppError(ErrorCode.BadArguments, `The region [${region.join(', ')}] is not a box.`, { region });
  }
  const left = Math.max(0, Math.floor(x));
  const top = Math.max(0, Math.floor(y));
  const right = Math.min(photo.width, Math.ceil(x + w));
  const bottom = Math.min(photo.height, Math.ceil(y + h));
  if (right <= left || bottom <= top) {
    throw new AppError(
      ErrorCode.BadArguments,
      `The region [${region.join(', ')}] lies outside the ${photo.width} x ${photo.height} photo.`,
      { region, width: photo.width, height: photo.height },
    );
  }
  const cropWidth = right - left;
  const cropHeight = bottom - top;
  const outWidth = Math.max(1, Math.round(cropWidth * scale));
  const outHeight = Math.max(1, Math.round(cropHeight * scale));
  // Extract before resize: sharp orients first, then crops the upright image, then scales the crop
  // (libvips decodes only the rows it needs, which beats shrink-on-load of the whole photo for
  // face-sized regions).
  let pipeline = openUpright(photo).extract({ left, top, width: cropWidth, height: cropHeight });
  if (outWidth !== cropWidth || outHeight !== cropHeight) {
    pipeline = pipeline.resize(outWidth, outHeight, { fit: 'fill' });
  }
  const image = await toRgb(photo, pipeline);
  const used = outWidth / cropWidth;
  return { image, scale: used, offset: [left * used, top * used] };
}
