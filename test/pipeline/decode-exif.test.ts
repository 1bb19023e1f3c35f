import { readFile, readdir } from 'node:fs/promises';

import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';

import { decodePhoto } from '../../src/pipeline/decode.js';
import { exifDateToIso, gpsFromTags, metaFromTags } from '../../src/pipeline/decode-exif.js';
import { fixture, hasFixtures } from '../support/fixtures.js';

describe('exifDateToIso', () => {
  it('keeps the offset when the camera wrote one, local time otherwise', () => {
    expect(exifDateToIso('2022:08:14 14:12:31', '+03:00')).toBe('2022-08-14T14:12:31+03:00');
    expect(exifDateToIso('2021:04:11 15:47:53', '-05:00')).toBe('2021-04-11T15:47:53-05:00');
    expect(exifDateToIso('2008:10:22 16:28:39', undefined)).toBe('2008-10-22T16:28:39');
    expect(exifDateToIso('2008:10:22 16:28:39\0', '  ')).toBe('2008-10-22T16:28:39');
  });

  it('refuses blank, zeroed and impossible dates and offsets', () => {
    expect(exifDateToIso('0000:00:00 00:00:00', '+01:00')).toBeNull();
    expect(exifDateToIso('    :  :     :  :  ', undefined)).toBeNull();
    expect(exifDateToIso('2023:02:29 10:00:00', undefined)).toBeNull();
    expect(exifDateToIso(1234567890, undefined)).toBeNull();
    expect(exifDateToIso('2024:02:29 10:00:00', '+25:00')).toBe('2024-02-29T10:00:00');
  });
});

describe('gpsFromTags', () => {
  it('turns DMS into signed decimal degrees with altitude below sea level negative', () => {
    const gps = gpsFromTags({
      GPSLatitude: [33, 51, 54],
      GPSLatitudeRef: 'S',
      GPSLongitude: [151, 12, 36],
      GPSLongitudeRef: 'W',
      GPSAltitude: 28,
      GPSAltitudeRef: new Uint8Array([1]),
    });
    expect(gps?.lat).toBeCloseTo(-33.865, 6);
    expect(gps?.lon).toBeCloseTo(-151.21, 6);
    expect(gps?.alt).toBe(-28);
  });

  it('treats a missing or zero fix as no position', () => {
    expect(gpsFromTags({ GPSLatitude: [0, 0, 0], GPSLongitude: [0, 0, 0] })).toBeNull();
    expect(gpsFromTags({ GPSLatitude: [43, 28, 2] })).toBeNull();
    expect(gpsFromTags({ GPSLatitude: [120, 0, 0], GPSLongitude: [10, 0, 0] })).toBeNull();
  });

  it('names the camera once', () => {
    expect(metaFromTags({ Make: 'Canon', Model: 'Canon EOS 5D' }).camera).toBe('Canon EOS 5D');
    expect(metaFromTags({ Make: 'Apple\0', Model: 'iPhone 13 Pro Max' }).camera).toBe(
      'Apple iPhone 13 Pro Max',
    );
    expect(metaFromTags({}).camera).toBeUndefined();
  });
});

describe.skipIf(!hasFixtures())('EXIF of the fixture photos', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('Nokia 8.3 JPEG: time with its +03:00 offset, GPS in Helsinki', async () => {
    const photo = await decodePhoto(await readFile(fixture('exif', 'mobile', 'HMD_Nokia_8.3_5G.jpg')));
    expect(photo.meta.takenAt).toBe('2022-08-14T14:12:31+03:00');
    // 60° 8' 48.14" N, 24° 54' 24.38" E.
    expect(photo.meta.gps?.lat).toBeCloseTo(60.1467, 4);
    expect(photo.meta.gps?.lon).toBeCloseTo(24.9068, 4);
    expect(photo.meta.camera).toBe('HMD Global Nokia 8.3 5G');
    expect(photo.meta.orientation).toBe(1);
  });

  it('Jolla JPEG: local time, no GPS', async () => {
    const photo = await decodePhoto(await readFile(fixture('exif', 'mobile', 'jolla.jpg')));
    expect(photo.meta).toEqual({
      takenAt: '2014-09-21T16:00:56',
      gps: null,
      orientation: 1,
      camera: 'Jolla',
    });
  });

  it('the GPS walk: nine photos 16:28–17:00 near 43.46 N 11.88 E, whatever the machine time zone', async () => {
    // Kiritimati is UTC+14: a Date parsed in local time would move these by hours.
    process.env.TZ = 'Pacific/Kiritimati';
    const dir = fixture('exif', 'gps');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.jpg')).sort();
    expect(files.length).toBe(9);
    const metas = await Promise.all(
      files.map(async (f) => (await decodePhoto(await readFile(`${dir}/${f}`))).meta),
    );
    const times = metas.map((m) => m.takenAt);
    expect(times[0]).toBe('2008-10-22T16:28:39');
    expect(times[8]).toBe('2008-10-22T17:00:07');
    for (const [i, m] of metas.entries()) {
      expect(m.takenAt).toMatch(/^2008-10-22T(16:(2[89]|[345]\d)|17:00):\d\d$/);
      if (i > 0) expect(m.takenAt! > times[i - 1]!).toBe(true);
      expect(m.gps?.lat).toBeCloseTo(43.46, 1);
      expect(m.gps?.lon).toBeCloseTo(11.88, 1);
      expect(m.camera).toBe('NIKON COOLPIX P6000');
    }
    expect(metas[0]!.gps?.lat).toBeCloseTo(43.467448, 5);
    expect(metas[0]!.gps?.lon).toBeCloseTo(11.885127, 5);
  });

  it('EXIF survives in PNG, WebP and AVIF made from the Nokia JPEG', async () => {
    const jpeg = await readFile(fixture('exif', 'mobile', 'HMD_Nokia_8.3_5G.jpg'));
    const small = sharp(jpeg).resize(480).keepExif();
    for (const bytes of [
      await small.clone().png().toBuffer(),
      await small.clone().webp().toBuffer(),
      await small.clone().avif({ quality: 40, effort: 0 }).toBuffer(),
    ]) {
      const photo = await decodePhoto(bytes);
      expect(photo.meta.takenAt).toBe('2022-08-14T14:12:31+03:00');
      expect(photo.meta.gps?.lat).toBeCloseTo(60.1467, 4);
    }
  });
});
