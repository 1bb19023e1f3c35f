/**
 * Format detection by magic bytes and cheap structural checks that run before any pixel is decoded.
 * File names and MIME types from chat apps are unreliable (an iPhone HEIC often arrives as
 * `photo.jpg`), so only the bytes decide.
 */

export type PhotoFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'bmp' | 'gif' | 'avif' | 'heif';

/** Human names for the formats we read, for error messages. */
export const SUPPORTED_FORMATS_TEXT = 'JPEG, PNG, WebP, HEIC/HEIF, AVIF, TIFF, GIF or BMP';

/** ISOBMFF brands (ISO/IEC 23008-12 Annex B, AV1 Image File Format §8). */
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
const AVIF_BRANDS = new Set(['avif', 'avis']);
/** Structural brands that say "some HEIF image" without naming the codec. */
const GENERIC_HEIF_BRANDS = new Set(['mif1', 'msf1', 'mif2', 'mif3']);

function ascii(bytes: Uint8Array, start: number, end: number): string {
  let text = '';
  for (let i = start; i < end && i < bytes.length; i++) text += String.fromCharCode(bytes[i] ?? 0);
  return text;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((value, i) => bytes[at + i] === value);
}

export function readU16BE(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

export function readU32BE(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] ?? 0) << 24) |
      ((bytes[at + 1] ?? 0) << 16) |
      ((bytes[at + 2] ?? 0) << 8) |
      (bytes[at + 3] ?? 0)) >>>
    0
  );
}

function readU32LE(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] ?? 0) |
      ((bytes[at + 1] ?? 0) << 8) |
      ((bytes[at + 2] ?? 0) << 16) |
      ((bytes[at + 3] ?? 0) << 24)) >>>
    0
  );
}

/** The ISOBMFF `ftyp` brands: major first, then the compatible ones. */
function ftypBrands(bytes: Uint8Array): string[] {
  const size = readU32BE(bytes, 0);
  const end = Math.min(bytes.length, size >= 16 ? size : 16);
  const brands = [ascii(bytes, 8, 12)];
  for (let at = 16; at + 4 <= end; at += 4) brands.push(ascii(bytes, at, at + 4));
  return brands;
}

function sniffIsoBmff(bytes: Uint8Array): PhotoFormat | null {
  const brands = ftypBrands(bytes);
  const major = brands[0] ?? '';
  if (AVIF_BRANDS.has(major)) return 'avif';
  if (HEIF_BRANDS.has(major)) return 'heif';
  if (GENERIC_HEIF_BRANDS.has(major) || brands.some((b) => GENERIC_HEIF_BRANDS.has(b))) {
    if (brands.some((b) => HEIF_BRANDS.has(b))) return 'heif';
    if (brands.some((b) => AVIF_BRANDS.has(b))) return 'avif';
    // A HEIF container that names no codec: libheif reads the item types and decides.
    return 'heif';
  }
  return null;
}

/** The format of a photo by its first bytes, or null when it is none we read. */
export function sniffFormat(bytes: Uint8Array): PhotoFormat | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 12) === 'WEBP') return 'webp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'tiff';
  const gif = ascii(bytes, 0, 6);
  if (gif === 'GIF87a' || gif === 'GIF89a') return 'gif';
  // "BM" alone is too weak (a text file may start with it): also require a known DIB header size.
  if (ascii(bytes, 0, 2) === 'BM' && [12, 40, 52, 56, 64, 108, 124].includes(readU32LE(bytes, 14)))
    return 'bmp';
  if (ascii(bytes, 4, 8) === 'ftyp') return sniffIsoBmff(bytes);
  return null;
}

/** A few things people send instead of photos, named so the error message can say what it saw. */
export function describeUnsupported(bytes: Uint8Array): string | null {
  const head = ascii(bytes, 0, 12);
  if (head.startsWith('%PDF')) return 'a PDF document';
  if (head.startsWith('PK\u0003\u0004')) return 'a ZIP archive';
  if (ascii(bytes, 4, 8) === 'ftyp') return 'a video or an unsupported ISO media file';
  if (startsWith(bytes, [0xff, 0x0a]) || ascii(bytes, 4, 8) === 'JXL ') return 'a JPEG XL image';
  if (head.startsWith('<?xml') || head.startsWith('<svg')) return 'an SVG or XML document';
  // Mostly printable ASCII in the first bytes: a text file renamed to .jpg, an HTML error page...
  const sample = bytes.subarray(0, 512);
  if (sample.length > 0) {
    let printable = 0;
    for (const byte of sample)
      if ((byte >= 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x0a || byte === 0x0d) printable++;
    if (printable / sample.length > 0.95) return 'a text file';
  }
  return null;
}

/** Width and height from headers we can read without a library (for the pixel limit first). */
export function headerDimensions(
  bytes: Uint8Array,
  format: PhotoFormat,
): { width: number; height: number } | null {
  if (format === 'png' && bytes.length >= 24 && ascii(bytes, 12, 16) === 'IHDR') {
    return { width: readU32BE(bytes, 16), height: readU32BE(bytes, 20) };
  }
  if (format === 'gif' && bytes.length >= 10) {
    // Logical screen size; frames may not exceed it.
    return {
      width: (bytes[6] ?? 0) | ((bytes[7] ?? 0) << 8),
      height: (bytes[8] ?? 0) | ((bytes[9] ?? 0) << 8),
    };
  }
  return null;
}

/**
 * Why the file's structure is incomplete, or null when it looks whole. Catches the usual failure, a
 * file cut off in transfer, before any pixel work. Only container framing is checked; damage inside
 * the compressed data is left to the decoder.
 */
export function findTruncation(bytes: Uint8Array, format: PhotoFormat): string | null {
  switch (format) {
    case 'jpeg':
      return jpegTruncation(bytes);
    case 'png':
      return pngTruncation(bytes);
    case 'webp':
      // RIFF size counts the bytes after the 8-byte RIFF header; trailing bytes are harmless.
      return readU32LE(bytes, 4) + 8 > bytes.length ? 'the file ends too early' : null;
    case 'avif':
    case 'heif':
      return isoBmffTruncation(bytes);
    default:
      return null;
  }
}

/**
 * Walks the JPEG marker segments (ITU T.81 Annex B) and the entropy-coded data after each SOS up to
 * EOI. In entropy-coded data 0xFF is always followed by 0x00 (stuffing) or a restart marker
 * D0–D7, so the next real marker is the first 0xFF followed by anything else.
 */
function jpegTruncation(bytes: Uint8Array): string | null {
  const n = bytes.length;
  let at = 2;
  while (at < n) {
    if (bytes[at] !== 0xff) {
      // Garbage between segments: libjpeg skips it with a warning, so do we.
      const next = bytes.indexOf(0xff, at);
      if (next < 0) break;
      at = next;
      continue;
    }
    const marker = bytes[at + 1];
    if (marker === undefined) break;
    if (marker === 0xff) {
      at += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) return null; // EOI
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // standalone markers have no length
      continue;
    }
    if (at + 4 > n) break;
    const segmentEnd = at + 2 + readU16BE(bytes, at + 2);
    if (segmentEnd > n) break;
    at = segmentEnd;
    if (marker === 0xda) {
      // Scan the entropy-coded segment for the next marker.
      let found = -1;
      let search = at;
      while (search < n) {
        const ff = bytes.indexOf(0xff, search);
        if (ff < 0 || ff + 1 >= n) break;
        const following = bytes[ff + 1] ?? 0;
        if (following === 0x00 || following === 0xff || (following >= 0xd0 && following <= 0xd7)) {
          search = ff + 1;
          continue;
        }
        found = ff;
        break;
      }
      if (found < 0) break;
      at = found;
    }
  }
  return 'the file ends before the end of the picture';
}

/** Walks the PNG chunks (PNG spec §5.3) up to IEND. */
function pngTruncation(bytes: Uint8Array): string | null {
  let at = 8;
  while (at + 12 <= bytes.length) {
    const length = readU32BE(bytes, at);
    const type = ascii(bytes, at + 4, at + 8);
    const end = at + 12 + length;
    if (end > bytes.length) break;
    if (type === 'IEND') return null;
    at = end;
  }
  return 'the file ends before the end of the picture';
}

/** Walks the top-level ISOBMFF boxes (ISO/IEC 14496-12 §4.2): every box must fit in the file. */
function isoBmffTruncation(bytes: Uint8Array): string | null {
  let at = 0;
  while (at + 8 <= bytes.length) {
    let size = readU32BE(bytes, at);
    if (size === 1) {
      if (at + 16 > bytes.length) return 'the file ends too early';
      size = readU32BE(bytes, at + 8) * 2 ** 32 + readU32BE(bytes, at + 12);
    } else if (size === 0) {
      return null; // the last box runs to the end of the file
    }
    if (size < 8) return 'its structure is damaged';
    if (at + size > bytes.length) return 'the file ends too early';
    at += size;
  }
  return at === bytes.length ? null : 'the file ends too early';
}
