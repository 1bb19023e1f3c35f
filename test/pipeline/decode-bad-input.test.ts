import { readFile } from 'node:fs/promises';

import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

import { AppError, ErrorCode } from '../../src/core/errors.js';
import { decodePhoto, rasterize } from '../../src/pipeline/decode.js';
import { fixture, hasFixtures } from '../support/fixtures.js';

/** Runs decode and rasterize; returns the AppError they threw (and fails if anything else escaped). */
async function failure(bytes: Uint8Array, opts = {}): Promise<AppError> {
  try {
    const photo = await decodePhoto(bytes, opts);
    await rasterize(photo, 256);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    // A sentence for a person, not a stack of decoder jargon.
    expect(appError.message).toMatch(/^[A-Z].*\.$/);
    expect(appError.message).not.toMatch(/vips|libheif|undefined|\[object/i);
    expect(appError.permanent).toBe(true);
    return appError;
  }
  throw new Error('expected the input to be refused');
}

/** A PNG that is only a signature, an IHDR claiming width x height, and IEND (CRCs left zero). */
function pngHeaderOnly(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(8 + 25 + 12);
  const view = new DataView(bytes.buffer);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  view.setUint32(8, 13);
  bytes.set([0x49, 0x48, 0x44, 0x52], 12);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, 2, 0, 0, 0], 24);
  bytes.set([0x49, 0x45, 0x4e, 0x44], 8 + 25 + 4);
  return bytes;
}

describe('inputs that are not photos', () => {
  it('zero bytes: EMPTY_FILE', async () => {
    const error = await failure(new Uint8Array(0));
    expect(error.code).toBe(ErrorCode.EmptyFile);
  });

  it('text and random bytes: UNSUPPORTED_FORMAT, saying what it looks like', async () => {
    const text = await failure(new TextEncoder().encode('Dear bot, here is my photo.\n'.repeat(10)));
    expect(text.code).toBe(ErrorCode.UnsupportedFormat);
    expect(text.message).toContain('text file');

    // Deterministic noise (a linear congruential generator) so the test never flakes.
    let seed = 12345;
    const noise = Uint8Array.from(
      { length: 10_000 },
      () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24,
    );
    expect((await failure(noise)).code).toBe(ErrorCode.UnsupportedFormat);

    const pdf = await failure(new TextEncoder().encode('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\n'));
    expect(pdf.message).toContain('PDF');
  });

  it('a file over maxBytes: FILE_TOO_LARGE before anything is parsed', async () => {
    const error = await failure(new Uint8Array(2048).fill(0xff), { maxBytes: 1024 });
    expect(error.code).toBe(ErrorCode.FileTooLarge);
    expect(error.message).toContain('MB');
  });
});

describe('decompression bombs: refused from the header', () => {
  it('a PNG header claiming 30000 x 30000: TOO_MANY_PIXELS', async () => {
    const error = await failure(pngHeaderOnly(30_000, 30_000));
    expect(error.code).toBe(ErrorCode.TooManyPixels);
    expect(error.message).toContain('30000 x 30000');
    expect(error.context).toMatchObject({ width: 30_000, height: 30_000, maxPixels: 100_000_000 });
  });

  it('a real 10240 x 10240 PNG of a few hundred KB: TOO_MANY_PIXELS, and accepted under a raised limit', async () => {
    const png = await sharp({
      create: { width: 10_240, height: 10_240, channels: 3, background: { r: 0, g: 0, b: 0 } },
    })
      .png() // zlib level 6: 306 KB in ~1.4 s here
      .toBuffer();
    expect(png.length).toBeLessThan(1_000_000);
    const error = await failure(png);
    expect(error.code).toBe(ErrorCode.TooManyPixels);
    // The limit is the caller's: raised, the same file is read (headers only, so this stays cheap).
    const photo = await decodePhoto(png, { maxPixels: 110_000_000 });
    expect([photo.width, photo.height]).toEqual([10_240, 10_240]);
  });
});

describe.skipIf(!hasFixtures())('damaged photos: CORRUPT_IMAGE', () => {
  let jpeg: Buffer;
  let heic: Buffer;

  beforeAll(async () => {
    jpeg = await readFile(fixture('exif', 'mobile', 'jolla.jpg'));
    heic = await readFile(fixture('heic', 'exif-samples', 'iphone_13_pro_max.HEIC'));
  });

  it('a JPEG cut in half is caught by decodePhoto, before any pixel work', async () => {
    const half = jpeg.subarray(0, jpeg.length >> 1);
    await expect(decodePhoto(half)).rejects.toMatchObject({ code: ErrorCode.CorruptImage });
    const error = await failure(half);
    expect(error.message).toContain('ends before the end of the picture');
    // Only the headers: cut inside them, sharp itself refuses.
    expect((await failure(jpeg.subarray(0, 2000))).code).toBe(ErrorCode.CorruptImage);
  });

  it('PNG, WebP, TIFF, GIF and AVIF cut in half', async () => {
    const small = sharp(jpeg).resize(400);
    const encoded = [
      await small.clone().png().toBuffer(),
      await small.clone().webp().toBuffer(),
      await small.clone().tiff({ compression: 'lzw' }).toBuffer(),
      await small.clone().gif().toBuffer(),
      await small.clone().avif({ effort: 0 }).toBuffer(),
    ];
    for (const bytes of encoded) {
      expect((await failure(bytes.subarray(0, bytes.length >> 1))).code).toBe(ErrorCode.CorruptImage);
    }
  });

  it('HEIC cut in half, with its index zeroed, or only a file-type box', async () => {
    expect((await failure(heic.subarray(0, heic.length >> 1))).code).toBe(ErrorCode.CorruptImage);
    const noIndex = Buffer.from(heic);
    noIndex.fill(0, 100, 3000);
    const error = await failure(noIndex);
    expect(error.code).toBe(ErrorCode.CorruptImage);
    expect(error.message).toContain('HEIC');
    const ftypOnly = Buffer.from('000000146674797068656963000000006d696631', 'hex');
    expect((await failure(ftypOnly)).code).toBe(ErrorCode.CorruptImage);
  });
});
