import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

import exifr from 'exifr';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

import type { RgbImage } from '../../src/core/types.js';
import { decodePhoto, rasterize, rasterizeRegion } from '../../src/pipeline/decode.js';
import type { DecodedPhoto } from '../../src/pipeline/decode.js';
import { fixture, hasFixtures } from '../support/fixtures.js';

function meanAbsDiff(a: RgbImage, b: RgbImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

/** Mean brightness of a band along one side of the image (15 % of its depth). */
function sideBrightness(image: RgbImage, side: 'top' | 'bottom' | 'left' | 'right'): number {
  const { width: w, height: h } = image;
  const dy = Math.round(h * 0.15);
  const dx = Math.round(w * 0.15);
  const bands: Record<typeof side, [number, number, number, number]> = {
    top: [0, 0, w, dy],
    bottom: [0, h - dy, w, h],
    left: [0, 0, dx, h],
    right: [w - dx, 0, w, h],
  };
  const [x0, y0, x1, y1] = bands[side];
  let sum = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * w + x) * 3;
      sum += image.data[i]! + image.data[i + 1]! + image.data[i + 2]!;
    }
  }
  return sum / (3 * (x1 - x0) * (y1 - y0));
}

const heic = (...parts: string[]): string => fixture('heic', ...parts);

describe.skipIf(!hasFixtures())('HEIC/HEIF (heic/exif-samples)', () => {
  it('iPhone 11 Pro Max: GPS, altitude and time with its offset', async () => {
    const photo = await decodePhoto(await readFile(heic('exif-samples', 'IMG_5195.HEIC')));
    expect(photo.format).toBe('heif');
    // The stored picture is an edited 2566 x 3313 crop (EXIF still says the sensor's 4032 x 3024).
    expect([photo.width, photo.height]).toEqual([2566, 3313]);
    expect(photo.meta.takenAt).toBe('2021-04-11T15:47:53-05:00');
    expect(photo.meta.camera).toBe('Apple iPhone 11 Pro Max');
    // 39° 3' 4.84" N, 94° 17' 19.58" W, 260.56 m.
    expect(photo.meta.gps?.lat).toBeCloseTo(39.0513, 4);
    expect(photo.meta.gps?.lon).toBeCloseTo(-94.2888, 4);
    expect(photo.meta.gps?.alt).toBeCloseTo(260.56, 2);
    expect(photo.source.kind).toBe('raw');
  });

  describe('iPhone 13 Pro Max with EXIF Orientation 6: libheif already returns it upright', () => {
    let photo: DecodedPhoto;
    let image: RgbImage;

    beforeAll(async () => {
      const bytes = await readFile(heic('exif-samples', 'iphone_13_pro_max.HEIC'));
      photo = await decodePhoto(bytes);
      image = (await rasterize(photo, 64)).image;
    });

    it('is portrait: the landscape sensor frame turned once, not twice', async () => {
      const bytes = await readFile(heic('exif-samples', 'iphone_13_pro_max.HEIC'));
      const tags = (await exifr.parse(bytes, {
        pick: ['Orientation', 'ExifImageWidth', 'ExifImageHeight'],
      })) as {
        Orientation: unknown;
        ExifImageWidth: number;
        ExifImageHeight: number;
      };
      expect(tags).toMatchObject({ ExifImageWidth: 4032, ExifImageHeight: 3024 });
      expect(photo.meta.orientation).toBe(6);
      // Orientation 6 turns the 4032 x 3024 sensor frame into 3024 x 4032 upright. Applying the tag
      // again on top of libheif's rotation would give 4032 x 3024.
      expect([photo.width, photo.height]).toEqual([3024, 4032]);
      expect([image.width, image.height]).toEqual([48, 64]);
    });

    it('has the kitchen ceiling at the top (landmark)', () => {
      // Measured at 64 px: top band 141, right 111, bottom 92, left 90. A second rotation would put
      // a dark side at the top.
      const top = sideBrightness(image, 'top');
      for (const side of ['bottom', 'left', 'right'] as const) {
        expect(top).toBeGreaterThan(sideBrightness(image, side) + 20);
      }
      expect(photo.meta.takenAt).toBe('2022-02-16T12:55:41+01:00');
      expect(photo.meta.gps).toBeNull();
    });
  });

  it('Nokia 8.3 HEIF files (with EXIF, with HDR): size and GPS west of Greenwich', async () => {
    const plain = await decodePhoto(await readFile(heic('exif-samples', 'HMD_Nokia_8.3_5G.heif')));
    expect([plain.width, plain.height]).toEqual([3456, 4608]);
    expect(plain.meta.gps?.lat).toBeCloseTo(40.7887, 4);
    expect(plain.meta.gps?.lon).toBeCloseTo(-4.0051, 4);
    expect(plain.meta.gps?.alt).toBeCloseTo(1942.42, 2);

    const hdr = await decodePhoto(await readFile(heic('exif-samples', 'HMD_Nokia_8.3_5G_hdr.heif')));
    expect([hdr.width, hdr.height]).toEqual([4608, 3456]);
    expect(hdr.meta.gps?.lat).toBeCloseTo(40.663, 3);
    expect(hdr.meta.gps?.lon).toBeCloseTo(-3.7637, 4);
    const { image } = await rasterize(hdr, 256);
    expect([image.width, image.height]).toEqual([256, 192]);
    // A real picture, not a flat fill: HDR (10-bit) content converted to 8 bits.
    const values = new Set(image.data);
    expect(values.size).toBeGreaterThan(100);
  });

  it('a small HEIF without EXIF decodes with empty metadata', async () => {
    const photo = await decodePhoto(await readFile(heic('exif-samples', 'samplefilehub.heif')));
    expect([photo.width, photo.height]).toEqual([640, 426]);
    expect(photo.meta).toEqual({ takenAt: null, gps: null, orientation: 1 });
    const region = await rasterizeRegion(photo, [600, 400, 100, 100], 0.5);
    expect([region.image.width, region.image.height]).toEqual([20, 13]);
    expect(region.offset).toEqual([300, 200]);
  });
});

interface LibHeifForTest {
  ready?: Promise<unknown>;
  HeifDecoder: new () => {
    decode(bytes: Uint8Array): {
      get_width(): number;
      get_height(): number;
      is_primary(): boolean;
      display(
        target: { data: Uint8ClampedArray; width: number; height: number },
        done: (result: { data: Uint8ClampedArray } | null) => void,
      ): void;
      free(): void;
    }[];
  };
}

describe.skipIf(!hasFixtures())('HEIC with two images (nokiatech bothie)', () => {
  it('decodes the primary image, not the other one', async () => {
    const bytes = await readFile(heic('nokiatech', 'bothie_1440x960.heic'));
    const photo = await decodePhoto(bytes);
    expect([photo.width, photo.height]).toEqual([1440, 960]);
    const ours = (await rasterize(photo, 1440)).image;

    // Both top-level images, straight from libheif, with the file's primary flag.
    const lib = createRequire(import.meta.url)('libheif-js/wasm-bundle') as LibHeifForTest;
    await lib.ready;
    const images = new lib.HeifDecoder().decode(bytes);
    expect(images.length).toBe(2);
    const decoded = await Promise.all(
      images.map(async (img) => {
        const width = img.get_width();
        const height = img.get_height();
        const target = { data: new Uint8ClampedArray(width * height * 4), width, height };
        const out = await new Promise<{ data: Uint8ClampedArray }>((resolve, reject) => {
          img.display(target, (r) => {
            if (r) resolve(r);
            else reject(new Error('libheif display failed'));
          });
        });
        const { data, info } = await sharp(out.data, { raw: { width, height, channels: 4 } })
          .removeAlpha()
          .raw()
          .toBuffer({ resolveWithObject: true });
        const primary = img.is_primary();
        img.free();
        return { primary, image: { width: info.width, height: info.height, data: new Uint8Array(data) } };
      }),
    );
    const primary = decoded.find((d) => d.primary);
    const other = decoded.find((d) => !d.primary);
    expect(meanAbsDiff(ours, primary!.image)).toBeLessThan(1);
    expect(meanAbsDiff(ours, other!.image)).toBeGreaterThan(20);
  });

  it('decodes the other nokiatech files', async () => {
    for (const name of ['crowd_1440x960.heic', 'cheers_1440x960.heic']) {
      const photo = await decodePhoto(await readFile(heic('nokiatech', name)));
      expect([photo.format, photo.width, photo.height]).toEqual(['heif', 1440, 960]);
    }
  });
});
