import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.js';
import type { RgbImage } from '../../src/core/types.js';
import {
  DEFAULT_MAX_DISTANCE,
  dctHash,
  differenceHash,
  findDuplicates,
  hammingDistance,
  perceptualHash,
  type DedupItem,
} from '../../src/pipeline/dedup.js';
import { fixture, hasFixtures, loadRgb } from '../support/fixtures.js';

describe('hammingDistance', () => {
  it('counts differing bits of 64-bit hashes', () => {
    expect(hammingDistance(0n, 0n)).toBe(0);
    expect(hammingDistance(0n, 0xffff_ffff_ffff_ffffn)).toBe(64);
    expect(hammingDistance(0b1011n, 0b0110n)).toBe(3);
    // Negative bigints are read as their 64-bit two's complement.
    expect(hammingDistance(-1n, 0n)).toBe(64);
  });
});

describe('findDuplicates (hand-made hashes: the grouping logic only)', () => {
  const item = (id: string, sha: string, phash: bigint, quality?: number): DedupItem =>
    quality === undefined ? { id, sha256: sha, phash } : { id, sha256: sha, phash, quality };

  it('marks byte-identical items exact and near hashes near, keeping the first', () => {
    const r = findDuplicates([
      item('a', 's1', 0n),
      item('b', 's1', 0n),
      item('c', 's2', 0b111n),
      item('d', 's3', 0xffffn),
    ]);
    expect(Object.fromEntries(r.duplicateOf)).toEqual({ b: 'a', c: 'a' });
    expect(Object.fromEntries(r.reason)).toEqual({ b: 'exact', c: 'near' });
  });

  it('keeps the best quality of a group', () => {
    const r = findDuplicates([
      item('small', 's1', 0n, 0.2),
      item('large', 's2', 1n, 0.9),
      item('mid', 's3', 3n, 0.5),
    ]);
    expect(Object.fromEntries(r.duplicateOf)).toEqual({ small: 'large', mid: 'large' });
  });

  it('does not chain: A≈B and B≈C but A≉C keeps C', () => {
    const a = 0n;
    const b = 0b1111n; // 4 bits from a
    const c = 0b1111_1111n; // 4 bits from b, 8 from a
    const r = findDuplicates([item('a', 's1', a), item('b', 's2', b), item('c', 's3', c)], {
      maxDistance: 5,
    });
    expect(Object.fromEntries(r.duplicateOf)).toEqual({ b: 'a' });
  });

  it('a byte copy of a near duplicate points at the kept original, as near', () => {
    const r = findDuplicates([
      item('orig', 's1', 0n),
      item('resent', 's2', 1n),
      item('resent-copy', 's2', 1n),
    ]);
    expect(Object.fromEntries(r.duplicateOf)).toEqual({ resent: 'orig', 'resent-copy': 'orig' });
    expect(r.reason.get('resent-copy')).toBe('near');
  });

  it('rejects bad options and repeated ids', () => {
    expect(() => findDuplicates([], { maxDistance: -1 })).toThrow(AppError);
    expect(() => findDuplicates([], { maxDistance: 65 })).toThrow(AppError);
    expect(() => findDuplicates([item('a', 's', 0n), item('a', 't', 1n)])).toThrow(AppError);
  });
});

// ---------------------------------------------------------------------------------------------------
// Real photos.
// ---------------------------------------------------------------------------------------------------

async function rgbOf(bytes: Buffer): Promise<RgbImage> {
  const { data, info } = await sharp(bytes)
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

interface Hashed {
  readonly photo: string;
  readonly sha256: string;
  readonly p: bigint;
  readonly d: bigint;
  readonly pixels: number;
}

/** Found by the hashes: the same picture as examples/obama2.jpg (same face box to the pixel). */
const PNG_COPY = 'face_recognition/tests/test_images/32bit.png';

const RESOLUTIONS = ['1080p', '720p', '480p', '240p'].map((r) => `face_recognition/examples/obama-${r}.jpg`);

const summary = (xs: readonly number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number): number => s[Math.min(s.length - 1, Math.floor(f * s.length))] ?? NaN;
  return `n=${s.length} min=${s[0] ?? NaN} p1=${q(0.01)} p5=${q(0.05)} median=${q(0.5)} max=${s.at(-1) ?? NaN}`;
};

describe.skipIf(!hasFixtures())('perceptual hashes on real fixture photos', () => {
  const hashed = new Map<string, Hashed>();

  beforeAll(async () => {
    const csv = await readFile(fixture('face_recognition/identities.csv'), 'utf8');
    const photos = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => `face_recognition/${line.split(',')[0]!}`);
    const ann = JSON.parse(await readFile(fixture('compreface/annotations.json'), 'utf8')) as {
      faces: Record<string, unknown>;
    };
    photos.push(...Object.keys(ann.faces).map((f) => `compreface/${f}`));
    for (const photo of photos) {
      const bytes = await readFile(fixture(photo));
      const image = await loadRgb(fixture(photo));
      hashed.set(photo, {
        photo,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        p: dctHash(image),
        d: differenceHash(image),
        pixels: image.width * image.height,
      });
    }
  });

  const get = (photo: string): Hashed => {
    const h = hashed.get(photo);
    if (!h) throw new Error(`not hashed: ${photo}`);
    return h;
  };

  it('perceptualHash is the DCT hash', async () => {
    const image = await loadRgb(fixture('face_recognition/examples/biden.jpg'));
    expect(perceptualHash(image)).toBe(dctHash(image));
  });

  it('the same photo at 1080p/720p/480p/240p: near duplicates, the largest kept', () => {
    const items = RESOLUTIONS.map((photo) => ({ ...toItem(get(photo)), quality: get(photo).pixels }));
    const distances: number[] = [];
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++)
        distances.push(hammingDistance(items[i]!.phash, items[j]!.phash));
    }
    console.log(`[dedup] resolutions pHash distances: ${distances.join(',')}`);
    const r = findDuplicates([...items].reverse());
    expect(Object.fromEntries(r.duplicateOf)).toEqual(
      Object.fromEntries(RESOLUTIONS.slice(1).map((photo) => [photo, RESOLUTIONS[0]])),
    );
    expect([...r.reason.values()].every((why) => why === 'near')).toBe(true);
  });

  it('byte-identical copies are exact duplicates', () => {
    const copies = [
      'face_recognition/examples/obama.jpg',
      'face_recognition/examples/knn_examples/train/obama/obama.jpg',
      'face_recognition/tests/test_images/obama.jpg',
    ];
    const r = findDuplicates(copies.map((photo) => toItem(get(photo))));
    expect(Object.fromEntries(r.duplicateOf)).toEqual({ [copies[1]!]: copies[0], [copies[2]!]: copies[0] });
    expect([...r.reason.values()]).toEqual(['exact', 'exact']);
  });

  it('32bit.png is obama2.jpg saved again as a 32-bit PNG: a near duplicate', () => {
    const original = get('face_recognition/examples/obama2.jpg');
    const png = get(PNG_COPY);
    console.log(`[dedup] obama2.jpg vs 32bit.png pHash ${hammingDistance(original.p, png.p)}`);
    const r = findDuplicates([toItem(original), toItem(png)]);
    expect(r.duplicateOf.get(PNG_COPY)).toBe(original.photo);
    expect(r.reason.get(PNG_COPY)).toBe('near');
  });

  it('distinct photos (same person or not) are not duplicates', () => {
    // One item per distinct picture: byte copies and the resolution set collapse to one.
    const distinct = new Map<string, Hashed>();
    for (const h of hashed.values()) {
      if (RESOLUTIONS.slice(1).includes(h.photo) || h.photo === PNG_COPY) continue;
      if (!distinct.has(h.sha256)) distinct.set(h.sha256, h);
    }
    const list = [...distinct.values()];
    const p: number[] = [];
    const d: number[] = [];
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        p.push(hammingDistance(list[i]!.p, list[j]!.p));
        d.push(hammingDistance(list[i]!.d, list[j]!.d));
      }
    }
    console.log(
      `[dedup] distinct photos pHash ${summary(p)}; dHash ${summary(d)}; maxDistance ${DEFAULT_MAX_DISTANCE}`,
    );
    const sameMan = hammingDistance(
      get('face_recognition/examples/obama.jpg').p,
      get('face_recognition/examples/obama2.jpg').p,
    );
    console.log(`[dedup] obama.jpg vs obama2.jpg pHash ${sameMan}`);
    expect(findDuplicates(list.map(toItem)).duplicateOf.size).toBe(0);
  });

  it('a JPEG re-encode at quality 60 is a near duplicate; a 10 % crop is reported', async () => {
    const photos = [
      'face_recognition/examples/obama.jpg',
      'face_recognition/examples/biden.jpg',
      'face_recognition/examples/knn_examples/test/kit_with_rose.jpg',
      'compreface/011_3.jpg',
      'compreface/016_8.jpg',
    ];
    const reencoded: number[] = [];
    const reencodedD: number[] = [];
    const cropped: number[] = [];
    const croppedD: number[] = [];
    for (const photo of photos) {
      const bytes = await readFile(fixture(photo));
      const original = get(photo);
      const q60 = await sharp(bytes).rotate().jpeg({ quality: 60 }).toBuffer();
      const q60Image = await rgbOf(q60);
      const q60Item: DedupItem = {
        id: `${photo}@q60`,
        sha256: createHash('sha256').update(q60).digest('hex'),
        phash: perceptualHash(q60Image),
      };
      reencoded.push(hammingDistance(original.p, q60Item.phash));
      reencodedD.push(hammingDistance(original.d, differenceHash(q60Image)));
      const r = findDuplicates([toItem(original), q60Item]);
      expect(r.duplicateOf.get(q60Item.id), photo).toBe(photo);
      expect(r.reason.get(q60Item.id)).toBe('near');

      // Cut 10 % off the left edge: the framing changes, which pHash is not built to ignore.
      const upright = await sharp(bytes).rotate().toBuffer();
      const { width, height } = await sharp(upright).metadata();
      const cut = Math.round(width * 0.1);
      const crop = await rgbOf(
        await sharp(upright)
          .extract({ left: cut, top: 0, width: width - cut, height })
          .toBuffer(),
      );
      cropped.push(hammingDistance(original.p, perceptualHash(crop)));
      croppedD.push(hammingDistance(original.d, differenceHash(crop)));
    }
    console.log(
      `[dedup] q60 re-encode pHash ${reencoded.join(',')} (dHash ${reencodedD.join(',')}); ` +
        `10 % crop pHash ${cropped.join(',')} (dHash ${croppedD.join(',')}); maxDistance ${DEFAULT_MAX_DISTANCE}`,
    );
  });
});

function toItem(h: Hashed): DedupItem {
  return { id: h.photo, sha256: h.sha256, phash: h.p };
}
