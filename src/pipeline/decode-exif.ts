/**
 * Photo metadata from EXIF: when it was taken, where, which camera. exifr reads the raw tag values
 * (`reviveValues: false`), so no Date object ever passes through the machine's time zone: the
 * wall-clock time the camera wrote is what we keep, with its UTC offset when the camera wrote one.
 */
import exifr from 'exifr';

import type { GpsPoint } from '../core/types.js';

export interface PhotoMeta {
  /**
   * When the photo was taken, ISO 8601: "2022-08-14T14:12:31+03:00" when the camera recorded its UTC
   * offset (OffsetTimeOriginal), local wall-clock time "2008-10-22T16:28:39" when it did not.
   */
  readonly takenAt: string | null;
  readonly gps: GpsPoint | null;
  /**
   * The EXIF Orientation tag as stored (1–8; 1 when absent). Informational only: every width, height
   * and raster from the decode stage is already upright, so never apply it again. In HEIC files the
   * tag repeats what the container's rotation already did.
   */
  readonly orientation: number;
  /** "Make Model", e.g. "Apple iPhone 13 Pro Max", when the camera wrote them. */
  readonly camera?: string;
}

export const EMPTY_META: PhotoMeta = { takenAt: null, gps: null, orientation: 1 };

/** Tags we read; picking them lets exifr skip everything else. */
const TAGS = [
  'Make',
  'Model',
  'Orientation',
  'DateTimeOriginal',
  'OffsetTimeOriginal',
  'CreateDate',
  'OffsetTimeDigitized',
  'GPSLatitude',
  'GPSLatitudeRef',
  'GPSLongitude',
  'GPSLongitudeRef',
  'GPSAltitude',
  'GPSAltitudeRef',
] as const;

type RawTags = Partial<Record<(typeof TAGS)[number], unknown>>;

/**
 * Reads the metadata from a whole file (JPEG, TIFF, HEIC, PNG) or from a bare EXIF/TIFF block (what
 * sharp's metadata returns for WebP and AVIF, which exifr cannot open as files). A missing or broken
 * EXIF block is not an error: the photo is still a photo, it just has no metadata.
 */
export async function readExifMeta(source: Uint8Array): Promise<PhotoMeta> {
  let tags: unknown;
  try {
    tags = await exifr.parse(bareTiff(source), {
      pick: [...TAGS],
      reviveValues: false,
      translateValues: false,
      translateKeys: true,
      mergeOutput: true,
    });
  } catch {
    return EMPTY_META;
  }
  if (typeof tags !== 'object' || tags === null) return EMPTY_META;
  return metaFromTags(tags);
}

/** sharp returns EXIF as "Exif\0\0" + TIFF; exifr wants the TIFF (or a whole file). */
function bareTiff(source: Uint8Array): Uint8Array {
  const isExifHeader =
    source.length > 6 &&
    source[0] === 0x45 &&
    source[1] === 0x78 &&
    source[2] === 0x69 &&
    source[3] === 0x66 &&
    source[4] === 0 &&
    source[5] === 0;
  return isExifHeader ? source.subarray(6) : source;
}

/** PhotoMeta from raw exifr tags (pure; exported for tests of edge cases). */
export function metaFromTags(tags: RawTags): PhotoMeta {
  const takenAt =
    exifDateToIso(tags.DateTimeOriginal, tags.OffsetTimeOriginal) ??
    exifDateToIso(tags.CreateDate, tags.OffsetTimeDigitized);
  const orientation =
    typeof tags.Orientation === 'number' && tags.Orientation >= 1 && tags.Orientation <= 8
      ? tags.Orientation
      : 1;
  const camera = cameraName(tags.Make, tags.Model);
  return { takenAt, gps: gpsFromTags(tags), orientation, ...(camera === undefined ? {} : { camera }) };
}

const EXIF_DATE = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;
const EXIF_OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/**
 * EXIF "YYYY:MM:DD HH:MM:SS" (EXIF 2.32 §4.6.5) plus an optional "+HH:MM" offset to ISO 8601.
 * Null for blank or zeroed dates ("0000:00:00 00:00:00" is how cameras without a clock say none).
 */
export function exifDateToIso(date: unknown, offset: unknown): string | null {
  if (typeof date !== 'string') return null;
  const m = EXIF_DATE.exec(date.trim());
  if (!m) return null;
  const [, year, month, day, hour, minute, second] = m.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const valid =
    year >= 1800 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 60;
  if (!valid) return null;
  const local = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  const o = typeof offset === 'string' ? EXIF_OFFSET.exec(offset.trim()) : null;
  // UTC offsets run from -12:00 to +14:00.
  if (o && Number(o[2]) <= 14 && Number(o[3]) <= 59) return `${local}${o[1]}${o[2]}:${o[3]}`;
  return local;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Degrees from EXIF [degrees, minutes, seconds] rationals (already numbers with reviveValues false). */
function dmsToDegrees(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (!Array.isArray(value) || value.length === 0) return null;
  const [d = 0, m = 0, s = 0] = value as unknown[];
  if (typeof d !== 'number' || typeof m !== 'number' || typeof s !== 'number') return null;
  const degrees = d + m / 60 + s / 3600;
  return Number.isFinite(degrees) ? degrees : null;
}

/** A ref tag as text ("N", "S", "E", "W"); raw exifr may hand it over as a string only. */
function refLetter(value: unknown): string {
  return typeof value === 'string' ? value.trim().toUpperCase() : '';
}

/** GPSAltitudeRef is a BYTE: 0 above sea level, 1 below. Raw exifr returns it as bytes. */
function altitudeRef(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value instanceof Uint8Array || Array.isArray(value))
    return Number((value as ArrayLike<unknown>)[0] ?? 0);
  if (typeof value === 'object' && value !== null)
    return Number((value as Record<string, unknown>)['0'] ?? 0);
  return 0;
}

/**
 * Decimal degrees, south and west negative. Exactly (0, 0) is treated as no fix: phones that lost
 * the signal write zeros, and nobody's album is at Null Island.
 */
export function gpsFromTags(tags: RawTags): GpsPoint | null {
  const latAbs = dmsToDegrees(tags.GPSLatitude);
  const lonAbs = dmsToDegrees(tags.GPSLongitude);
  if (latAbs === null || lonAbs === null) return null;
  const lat = refLetter(tags.GPSLatitudeRef) === 'S' ? -Math.abs(latAbs) : latAbs;
  const lon = refLetter(tags.GPSLongitudeRef) === 'W' ? -Math.abs(lonAbs) : lonAbs;
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180 || (lat === 0 && lon === 0)) return null;
  const altAbs =
    typeof tags.GPSAltitude === 'number' && Number.isFinite(tags.GPSAltitude) ? tags.GPSAltitude : null;
  if (altAbs === null) return { lat, lon };
  return { lat, lon, alt: altitudeRef(tags.GPSAltitudeRef) === 1 ? -Math.abs(altAbs) : altAbs };
}

function cleanText(value: unknown): string {
  // EXIF ASCII fields are NUL-terminated and often space-padded.
  return typeof value === 'string' ? value.replace(/\0/g, '').trim() : '';
}

/** "Make Model" without repeating the make ("Canon" + "Canon EOS 5D" is "Canon EOS 5D"). */
function cameraName(make: unknown, model: unknown): string | undefined {
  const m = cleanText(make);
  const mo = cleanText(model);
  if (!m && !mo) return undefined;
  if (!m) return mo;
  if (!mo) return m;
  const firstWord = m.split(/\s+/)[0]?.toLowerCase() ?? '';
  return mo.toLowerCase().startsWith(firstWord) ? mo : `${m} ${mo}`;
}
