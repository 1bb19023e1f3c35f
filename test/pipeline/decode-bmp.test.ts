import { readFile } from 'node:fs/promises';

import { beforeAll, describe, expect, it } from 'vitest';

import type { RgbImage } from '../../src/core/types.js';
import { decodePhoto, rasterize } from '../../src/pipeline/decode.js';
import { fixture, hasFixtures } from '../support/fixtures.js';

function meanAbsDiff(a: RgbImage, b: RgbImage): number {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

interface BmpOptions {
  bits: 1 | 4 | 8 | 16 | 24 | 32;
  topDown?: boolean;
  /** BITMAPV5HEADER with bit-field masks (16/32-bit); alpha mask for 32-bit. */
  v5?: boolean;
  /** RGBA source for 32-bit with alpha. */
  alpha?: Uint8Array;
}

/**
 * A tiny BMP writer (BITMAPINFOHEADER or BITMAPV5HEADER). Palette modes map grey levels onto a grey
 * palette of 2^bits entries; 16-bit writes RGB565 through bit fields.
 */
function writeBmp(image: RgbImage, opts: BmpOptions): Uint8Array {
  const { width, height } = image;
  const { bits } = opts;
  const paletteEntries = bits <= 8 ? 1 << bits : 0;
  const dibSize = opts.v5 ? 124 : 40;
  const masksAfterHeader = !opts.v5 && bits === 16 ? 12 : 0;
  const pixelOffset = 14 + dibSize + masksAfterHeader + paletteEntries * 4;
  const stride = Math.floor((bits * width + 31) / 32) * 4;
  const out = new Uint8Array(pixelOffset + stride * height);
  const view = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  view.setUint32(2, out.length, true);
  view.setUint32(10, pixelOffset, true);
  view.setUint32(14, dibSize, true);
  view.setInt32(18, width, true);
  view.setInt32(22, opts.topDown ? -height : height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, bits, true);
  const bitfields = bits === 16 || (bits === 32 && opts.v5);
  view.setUint32(30, bitfields ? 3 : 0, true);
  view.setUint32(34, stride * height, true);
  const masks = bits === 16 ? [0xf800, 0x07e0, 0x001f, 0] : [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000];
  if (bitfields) {
    masks.forEach((m, i) => {
      view.setUint32(54 + i * 4, m, true);
    });
  }
  for (let i = 0; i < paletteEntries; i++) {
    const level = Math.round((i * 255) / (paletteEntries - 1));
    out.set([level, level, level, 0], 14 + dibSize + i * 4);
  }
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + (opts.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const [r, g, b] = [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
      if (bits === 24) out.set([b, g, r], row + x * 3);
      else if (bits === 32) out.set([b, g, r, opts.alpha ? opts.alpha[y * width + x]! : 0], row + x * 4);
      else if (bits === 16) view.setUint16(row + x * 2, ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3), true);
      else {
        const index = Math.round((r * (paletteEntries - 1)) / 255); // grey input: r = g = b
        const perByte = 8 / bits;
        const shift = 8 - bits * ((x % perByte) + 1);
        out[row + Math.floor(x / perByte)]! |= index << shift;
      }
    }
  }
  return out;
}

describe.skipIf(!hasFixtures())('BMP', () => {
  let colour: RgbImage;
  let grey: RgbImage;

  beforeAll(async () => {
    const bytes = await readFile(fixture('exif', 'orientation', 'landscape_1.jpg'));
    colour = (await rasterize(await decodePhoto(bytes), 301)).image; // odd width: row padding
    // Rec. 601 luma, written out as equal R, G and B.
    const g = new Uint8Array(colour.data.length);
    for (let i = 0; i < g.length; i += 3) {
      const luma = Math.round(
        0.299 * colour.data[i]! + 0.587 * colour.data[i + 1]! + 0.114 * colour.data[i + 2]!,
      );
      g.fill(luma, i, i + 3);
    }
    grey = { width: colour.width, height: colour.height, data: g };
  });

  it('24-bit bottom-up and 32-bit top-down decode to the same picture', async () => {
    for (const opts of [{ bits: 24 }, { bits: 32, topDown: true }] as const) {
      const photo = await decodePhoto(writeBmp(colour, opts));
      expect([photo.format, photo.width, photo.height]).toEqual(['bmp', 301, 226]);
      expect(photo.meta).toEqual({ takenAt: null, gps: null, orientation: 1 });
      // Lossless: the 32-bit file's unused fourth byte (0) must not read as transparent.
      expect(meanAbsDiff((await rasterize(photo, 1000)).image, colour)).toBe(0);
    }
  });

  it('16-bit RGB565 loses only the low bits', async () => {
    const photo = await decodePhoto(writeBmp(colour, { bits: 16 }));
    expect(meanAbsDiff((await rasterize(photo, 1000)).image, colour)).toBeLessThan(4);
  });

  it('8-, 4- and 1-bit palettes', async () => {
    expect(
      meanAbsDiff((await rasterize(await decodePhoto(writeBmp(grey, { bits: 8 })), 1000)).image, grey),
    ).toBe(0);
    // 16 grey levels: at most half a step (8.5) off.
    const four = (await rasterize(await decodePhoto(writeBmp(grey, { bits: 4 })), 1000)).image;
    expect(meanAbsDiff(four, grey)).toBeLessThan(8.5);
    const one = (await rasterize(await decodePhoto(writeBmp(grey, { bits: 1 })), 1000)).image;
    expect(new Set(one.data)).toEqual(new Set([0, 255]));
  });

  it('32-bit V5 with an alpha mask: transparent pixels flattened on white', async () => {
    const alpha = new Uint8Array(colour.width * colour.height).fill(255);
    alpha.fill(0, 0, colour.width * 10); // top ten rows transparent
    const photo = await decodePhoto(writeBmp(colour, { bits: 32, v5: true, alpha }));
    expect(photo.source.kind === 'raw' && photo.source.channels).toBe(4);
    const { image } = await rasterize(photo, 1000);
    expect([...image.data.subarray(0, 6)]).toEqual([255, 255, 255, 255, 255, 255]);
    const row20 = 20 * colour.width * 3;
    expect([...image.data.subarray(row20, row20 + 3)]).toEqual([...colour.data.subarray(row20, row20 + 3)]);
  });

  it('refuses RLE, cut-off and oversized BMPs with codes', async () => {
    const bmp = writeBmp(colour, { bits: 24 });
    const rle = bmp.slice();
    new DataView(rle.buffer).setUint32(30, 1, true);
    await expect(decodePhoto(rle)).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT' });
    await expect(decodePhoto(bmp.subarray(0, bmp.length >> 1))).rejects.toMatchObject({
      code: 'CORRUPT_IMAGE',
    });
    await expect(decodePhoto(bmp.subarray(0, 20))).rejects.toMatchObject({ code: 'CORRUPT_IMAGE' });
    const huge = bmp.slice(0, 54);
    new DataView(huge.buffer).setInt32(18, 50_000, true);
    new DataView(huge.buffer).setInt32(22, 50_000, true);
    await expect(decodePhoto(huge)).rejects.toMatchObject({ code: 'TOO_MANY_PIXELS' });
  });
});
