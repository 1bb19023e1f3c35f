import { readFile } from 'node:fs/promises';

import sharp from 'sharp';
import type { Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

import type { RgbImage } from '../../src/core/types.js';
import { decodePhoto, rasterize, rasterizeRegion } from '../../src/pipeline/decode.js';
import type { DecodedPhoto } from '../../src/pipeline/decode.js';
import { fixture, hasFixtures } from '../support/fixtures.js';

/** Mean absolute difference per channel value (0–255) of two same-size RGB images. */
function meanAbsDiff(a: RgbImage, b: RgbImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

async function transformed(image: RgbImage, op: (s: Sharp) => Sharp): Promise<RgbImage> {
  const raw = { width: image.width, height: image.height, channels: 3 as const };
  const { data, info } = await op(sharp(image.data, { raw })).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

function crop(image: RgbImage, left: number, top: number, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * 3;
    data.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { width, height, data };
}

const decodeFile = async (...parts: string[]): Promise<DecodedPhoto> =>
  decodePhoto(await readFile(fixture(...parts)));

/*
 * Thresholds measured on these fixtures at 96 px: the right orientation differs from the
 * orientation-1 file by 2.3–6.5 (JPEG re-encoding of the rotated copies), a wrong one (flip, flop or
 * 180°) by 32.8–62.2. 12 and 25 sit well between.
 */
const SAME_PICTURE = 12;
const DIFFERENT_PICTURE = 25;

describe.skipIf(!hasFixtures())('EXIF orientation (exif/orientation, 1–8)', () => {
  for (const kind of ['landscape', 'portrait'] as const) {
    describe(kind, () => {
      let reference: RgbImage;
      let wrong: RgbImage[];
      let referenceSize: [number, number];

      beforeAll(async () => {
        const photo = await decodeFile('exif', 'orientation', `${kind}_1.jpg`);
        referenceSize = [photo.width, photo.height];
        reference = (await rasterize(photo, 96)).image;
        wrong = await Promise.all([
          transformed(reference, (s) => s.flip()),
          transformed(reference, (s) => s.flop()),
          transformed(reference, (s) => s.rotate(180)),
        ]);
      });

      for (let orientation = 1; orientation <= 8; orientation++) {
        it(`orientation ${orientation} decodes to the upright picture`, async () => {
          const photo = await decodeFile('exif', 'orientation', `${kind}_${orientation}.jpg`);
          expect(photo.meta.orientation).toBe(orientation);
          expect([photo.width, photo.height]).toEqual(referenceSize);
          expect(kind === 'landscape' ? photo.width > photo.height : photo.width < photo.height).toBe(true);

          const { image } = await rasterize(photo, 96);
          expect(meanAbsDiff(image, reference)).toBeLessThan(SAME_PICTURE);
          for (const other of wrong) expect(meanAbsDiff(image, other)).toBeGreaterThan(DIFFERENT_PICTURE);
        });
      }
    });
  }

  it('crops regions of the upright picture (orientation applied before the crop)', async () => {
    const upright = await decodeFile('exif', 'orientation', 'portrait_1.jpg');
    const full = (await rasterize(upright, 10_000)).image;
    const region: [number, number, number, number] = [100, 250, 200, 150];
    for (const orientation of [3, 6, 8]) {
      const photo = await decodeFile('exif', 'orientation', `portrait_${orientation}.jpg`);
      const r = await rasterizeRegion(photo, region, 1);
      expect(r.scale).toBe(1);
      expect(r.offset).toEqual([100, 250]);
      expect(meanAbsDiff(r.image, crop(full, 100, 250, 200, 150))).toBeLessThan(SAME_PICTURE);
    }
  });
});

describe.skipIf(!hasFixtures())('formats made from a fixture photo decode to the same picture', () => {
  let stored: Buffer; // landscape_6.jpg: pixels stored sideways, EXIF Orientation 6
  let reference: RgbImage;

  beforeAll(async () => {
    stored = await readFile(fixture('exif', 'orientation', 'landscape_6.jpg'));
    reference = (await rasterize(await decodeFile('exif', 'orientation', 'landscape_1.jpg'), 128)).image;
  });

  // The sideways pixels re-encoded with Orientation 6, so each format's orientation path is tested too
  // (AVIF stores it as a HEIF rotation; GIF has no orientation tag, so it gets upright pixels).
  const makers: Record<string, (s: Sharp) => Sharp> = {
    png: (s) => s.withMetadata({ orientation: 6 }).png(),
    webp: (s) => s.withMetadata({ orientation: 6 }).webp({ quality: 90 }),
    tiff: (s) => s.withMetadata({ orientation: 6 }).tiff({ compression: 'lzw' }),
    avif: (s) => s.withMetadata({ orientation: 6 }).avif({ quality: 70 }),
    gif: (s) => s.autoOrient().gif(),
  };
  for (const [format, make] of Object.entries(makers)) {
    it(format, async () => {
      const bytes = await make(sharp(stored)).toBuffer();
      const photo = await decodePhoto(bytes);
      expect(photo.format).toBe(format);
      expect([photo.width, photo.height]).toEqual([600, 450]);
      const { image, scale } = await rasterize(photo, 128);
      expect(scale).toBeCloseTo(128 / 600, 6);
      // GIF's 256-colour palette costs more than the others' compression (measured: ~2.4–4.5 for
      // PNG/WebP/TIFF/AVIF).
      expect(meanAbsDiff(image, reference)).toBeLessThan(format === 'gif' ? 2 * SAME_PICTURE : SAME_PICTURE);
    });
  }

  it('16-bit PNG, greyscale PNG and CMYK JPEG come out as 8-bit RGB', async () => {
    const png16 = await sharp(stored)
      .withMetadata({ orientation: 6 })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    expect(meanAbsDiff((await rasterize(await decodePhoto(png16), 128)).image, reference)).toBeLessThan(
      SAME_PICTURE,
    );

    const grey = await sharp(stored).autoOrient().greyscale().png().toBuffer();
    const greyImage = (await rasterize(await decodePhoto(grey), 128)).image;
    expect(greyImage.data.length).toBe(128 * 96 * 3);
    expect([greyImage.data[0], greyImage.data[1]]).toEqual([greyImage.data[2], greyImage.data[2]]);

    const cmyk = await sharp(stored).autoOrient().toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    // CMYK round trips without an ICC profile shift colours a little more (measured 11.4).
    expect(meanAbsDiff((await rasterize(await decodePhoto(cmyk), 128)).image, reference)).toBeLessThan(
      DIFFERENT_PICTURE,
    );
  });

  it('animated GIF: the first frame', async () => {
    const first = await sharp(stored).autoOrient().resize(300, 225).png().toBuffer();
    const second = await sharp(first).negate().png().toBuffer();
    const gif = await sharp([first, second], { join: { animated: true } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const photo = await decodePhoto(gif);
    expect([photo.width, photo.height]).toEqual([300, 225]);
    const { image } = await rasterize(photo, 128);
    expect(meanAbsDiff(image, reference)).toBeLessThan(2 * SAME_PICTURE);
  });

  it('transparency is flattened on white', async () => {
    // Left half opaque photo, right half fully transparent.
    const upright = await sharp(stored)
      .autoOrient()
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const rgba = new Uint8Array(upright.data);
    for (let y = 0; y < 450; y++) for (let x = 300; x < 600; x++) rgba[(y * 600 + x) * 4 + 3] = 0;
    const png = await sharp(rgba, { raw: { width: 600, height: 450, channels: 4 } })
      .png()
      .toBuffer();
    const { image } = await rasterize(await decodePhoto(png), 600);
    expect(image.data.length).toBe(600 * 450 * 3);
    const at = (x: number, y: number): number[] => [
      ...image.data.subarray((y * 600 + x) * 3, (y * 600 + x) * 3 + 3),
    ];
    expect(at(450, 200)).toEqual([255, 255, 255]);
    expect(at(150, 200)).toEqual([
      ...upright.data.subarray((200 * 600 + 150) * 4, (200 * 600 + 150) * 4 + 3),
    ]);
  });
});

describe.skipIf(!hasFixtures())('decodePhoto reads headers only; rasterize sizes', () => {
  let photo: DecodedPhoto;
  let bytes: Buffer;

  beforeAll(async () => {
    bytes = await readFile(fixture('exif', 'mobile', 'HMD_Nokia_8.3_5G.jpg'));
    photo = await decodePhoto(bytes);
  });

  it('keeps the original bytes (no copy) and hashes them', async () => {
    expect(photo.source.kind).toBe('encoded');
    if (photo.source.kind === 'encoded') expect(photo.source.bytes).toBe(bytes);
    expect(photo.byteLength).toBe(bytes.length);
    const { createHash } = await import('node:crypto');
    expect(photo.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(Object.isFrozen(photo)).toBe(true);
  });

  it('rasterize never upscales and keeps the aspect', async () => {
    const big = await rasterize(photo, 1024);
    expect([big.image.width, big.image.height]).toEqual([1024, Math.round((1976 * 1024) / 4608)]);
    expect(big.scale).toBeCloseTo(1024 / 4608, 9);
    expect(big.image.data.length).toBe(big.image.width * big.image.height * 3);

    const small = await decodeFile('exif', 'gps', 'DSCN0010.jpg');
    const same = await rasterize(small, 4000);
    expect([same.image.width, same.image.height, same.scale]).toEqual([640, 480, 1]);
  });

  it('rasterizeRegion matches the same region of a whole raster at that scale, clipped to the image', async () => {
    const scale = 0.25;
    const whole = await rasterize(photo, Math.round(4608 * scale));
    expect(whole.scale).toBe(scale);
    const r = await rasterizeRegion(photo, [1000, 400, 800, 600], scale);
    expect(r.scale).toBe(scale);
    expect(r.offset).toEqual([250, 100]);
    expect([r.image.width, r.image.height]).toEqual([200, 150]);
    // Resampling a crop and cropping a resample differ only at the kernel's edge pixels.
    expect(meanAbsDiff(r.image, crop(whole.image, 250, 100, 200, 150))).toBeLessThan(4);

    const clipped = await rasterizeRegion(photo, [4400, -100, 400, 300], 0.5);
    expect(clipped.offset).toEqual([2200, 0]);
    expect([clipped.image.width, clipped.image.height]).toEqual([104, 100]);
  });

  it('rejects nonsense arguments with BAD_ARGUMENTS', async () => {
    await expect(rasterize(photo, 0)).rejects.toMatchObject({ code: 'BAD_ARGUMENTS' });
    await expect(rasterizeRegion(photo, [0, 0, 10, 10], 1.5)).rejects.toMatchObject({
      code: 'BAD_ARGUMENTS',
    });
    await expect(rasterizeRegion(photo, [5000, 0, 10, 10], 1)).rejects.toMatchObject({
      code: 'BAD_ARGUMENTS',
    });
    await expect(decodePhoto(new Uint8Array([1]), { maxPixels: -1 })).rejects.toMatchObject({
      code: 'BAD_ARGUMENTS',
    });
  });
});
