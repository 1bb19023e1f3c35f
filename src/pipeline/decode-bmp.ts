/**
 * A small BMP decoder: sharp's prebuilt libvips has no BMP loader. Reads the Windows DIB variants
 * that cameras, scanners and paint programs write: 1/4/8-bit palette, 16-bit (5-5-5 or bit fields),
 * 24-bit and 32-bit (plain or bit fields, with alpha when a mask says so), bottom-up or top-down.
 * RLE and embedded JPEG/PNG are refused as unsupported. Layout: Microsoft "Bitmap Storage"
 * (BITMAPINFOHEADER, BITMAPV4HEADER, BITMAPV5HEADER) and the OS/2 BITMAPCOREHEADER.
 */
import { AppError, ErrorCode } from '../core/errors.js';

export interface BmpHeader {
  readonly width: number;
  /** Absolute height; `topDown` says the row order. */
  readonly height: number;
  readonly topDown: boolean;
  readonly bitsPerPixel: number;
  readonly pixelOffset: number;
  readonly rowStride: number;
  readonly paletteOffset: number;
  readonly paletteEntries: number;
  readonly paletteEntrySize: 3 | 4;
  /** Channel masks for 16/32-bit; alpha 0 when the file has none. */
  readonly masks: { readonly r: number; readonly g: number; readonly b: number; readonly a: number };
}

export interface BmpPixels {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  readonly data: Uint8Array;
}

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

function corrupt(detail: string): AppError {
  return new AppError(ErrorCode.CorruptImage, `This BMP image is damaged and cannot be read (${detail}).`, {
    format: 'bmp',
    detail,
  });
}

function unsupported(detail: string): AppError {
  return new AppError(
    ErrorCode.UnsupportedFormat,
    `This kind of BMP image is not supported (${detail}). Save it as JPEG or PNG and send it again.`,
    { format: 'bmp', detail },
  );
}

/** Reads and checks the headers; touches no pixel. */
export function parseBmpHeader(bytes: Uint8Array): BmpHeader {
  if (bytes.length < 26) throw corrupt('the header is cut off');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pixelOffset = view.getUint32(10, true);
  const dibSize = view.getUint32(14, true);
  if (bytes.length < 14 + Math.min(dibSize, 40)) throw corrupt('the header is cut off');

  let width: number;
  let rawHeight: number;
  let planes: number;
  let bitsPerPixel: number;
  let compression = BI_RGB;
  let colorsUsed = 0;
  if (dibSize === 12) {
    width = view.getUint16(18, true);
    rawHeight = view.getInt16(20, true);
    planes = view.getUint16(22, true);
    bitsPerPixel = view.getUint16(24, true);
  } else if (dibSize >= 40) {
    width = view.getInt32(18, true);
    rawHeight = view.getInt32(22, true);
    planes = view.getUint16(26, true);
    bitsPerPixel = view.getUint16(28, true);
    compression = view.getUint32(30, true);
    colorsUsed = view.getUint32(46, true);
  } else {
    throw unsupported(`header size ${dibSize}`);
  }
  if (planes !== 1) throw corrupt(`${planes} planes`);
  if (width <= 0 || rawHeight === 0) throw corrupt(`impossible size ${width} x ${rawHeight}`);
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) throw unsupported(`${bitsPerPixel} bits per pixel`);
  if (compression === 1 || compression === 2) throw unsupported('RLE compression');
  if (compression === 4 || compression === 5) throw unsupported('embedded JPEG or PNG');
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw unsupported(`compression ${compression}`);
  }
  if (compression !== BI_RGB && bitsPerPixel !== 16 && bitsPerPixel !== 32) {
    throw corrupt(`bit fields with ${bitsPerPixel} bits per pixel`);
  }

  // Channel masks: defaults for BI_RGB; for bit fields they sit right after a 40-byte header, or
  // inside the larger V2–V5 headers at the same place.
  let masks =
    bitsPerPixel === 16
      ? { r: 0x7c00, g: 0x03e0, b: 0x001f, a: 0 }
      : { r: 0x00ff0000, g: 0x0000ff00, b: 0x000000ff, a: 0 };
  if (compression !== BI_RGB) {
    const hasAlphaMask = compression === BI_ALPHABITFIELDS || dibSize >= 56;
    const end = 54 + (hasAlphaMask ? 16 : 12);
    if (bytes.length < end) throw corrupt('the colour masks are cut off');
    masks = {
      r: view.getUint32(54, true),
      g: view.getUint32(58, true),
      b: view.getUint32(62, true),
      a: hasAlphaMask ? view.getUint32(66, true) : 0,
    };
  }

  const paletteEntrySize = dibSize === 12 ? 3 : 4;
  const extraMasks =
    dibSize === 40 && compression === BI_BITFIELDS
      ? 12
      : dibSize === 40 && compression === BI_ALPHABITFIELDS
        ? 16
        : 0;
  const paletteOffset = 14 + dibSize + extraMasks;
  const paletteEntries =
    bitsPerPixel <= 8 ? (colorsUsed > 0 ? Math.min(colorsUsed, 1 << bitsPerPixel) : 1 << bitsPerPixel) : 0;
  const height = Math.abs(rawHeight);
  const rowStride = Math.floor((bitsPerPixel * width + 31) / 32) * 4;
  return {
    width,
    height,
    topDown: rawHeight < 0,
    bitsPerPixel,
    pixelOffset,
    rowStride,
    paletteOffset,
    paletteEntries,
    paletteEntrySize,
    masks,
  };
}

/** Shift and scale that turn a masked channel into 0..255. */
function maskReader(mask: number): (pixel: number) => number {
  if (mask === 0) return () => 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  if (max === 0xff) return (pixel) => (pixel >>> shift) & 0xff;
  return (pixel) => Math.round((((pixel & mask) >>> shift) * 255) / max);
}

/** Decodes the pixels of a BMP whose header `parseBmpHeader` returned (and the caller checked). */
export function decodeBmp(bytes: Uint8Array, header: BmpHeader): BmpPixels {
  const { width, height, topDown, bitsPerPixel, pixelOffset, rowStride } = header;
  // Some writers drop the padding of the very last row; accept that, nothing else.
  const lastRowBytes = Math.ceil((bitsPerPixel * width) / 8);
  if (pixelOffset + rowStride * (height - 1) + lastRowBytes > bytes.length) {
    throw corrupt('the pixel data ends early');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rowStart = (y: number): number => pixelOffset + (topDown ? y : height - 1 - y) * rowStride;

  if (bitsPerPixel <= 8) {
    const { paletteOffset, paletteEntries, paletteEntrySize } = header;
    if (paletteOffset + paletteEntries * paletteEntrySize > bytes.length)
      throw corrupt('the palette is cut off');
    // Palette as RGB triples; indexes past its end read black, as Windows does.
    const palette = new Uint8Array(256 * 3);
    for (let i = 0; i < paletteEntries; i++) {
      const at = paletteOffset + i * paletteEntrySize;
      palette[i * 3] = bytes[at + 2] ?? 0;
      palette[i * 3 + 1] = bytes[at + 1] ?? 0;
      palette[i * 3 + 2] = bytes[at] ?? 0;
    }
    const out = new Uint8Array(width * height * 3);
    const perByte = 8 / bitsPerPixel;
    const valueMask = (1 << bitsPerPixel) - 1;
    for (let y = 0; y < height; y++) {
      const row = rowStart(y);
      let o = y * width * 3;
      for (let x = 0; x < width; x++) {
        const byte = bytes[row + Math.floor(x / perByte)] ?? 0;
        const shift = 8 - bitsPerPixel * ((x % perByte) + 1);
        const index = ((byte >> shift) & valueMask) * 3;
        out[o++] = palette[index] ?? 0;
        out[o++] = palette[index + 1] ?? 0;
        out[o++] = palette[index + 2] ?? 0;
      }
    }
    return { width, height, channels: 3, data: out };
  }

  if (bitsPerPixel === 24) {
    const out = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      let i = rowStart(y);
      let o = y * width * 3;
      for (let x = 0; x < width; x++, i += 3) {
        out[o++] = bytes[i + 2] ?? 0;
        out[o++] = bytes[i + 1] ?? 0;
        out[o++] = bytes[i] ?? 0;
      }
    }
    return { width, height, channels: 3, data: out };
  }

  // 16 or 32 bits through masks.
  const { masks } = header;
  const red = maskReader(masks.r);
  const green = maskReader(masks.g);
  const blue = maskReader(masks.b);
  const alpha = maskReader(masks.a);
  const bytesPerPixel = bitsPerPixel / 8;
  const read =
    bitsPerPixel === 32 ? (at: number) => view.getUint32(at, true) : (at: number) => view.getUint16(at, true);
  const channels = masks.a !== 0 ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  let anyAlpha = false;
  for (let y = 0; y < height; y++) {
    let i = rowStart(y);
    let o = y * width * channels;
    for (let x = 0; x < width; x++, i += bytesPerPixel) {
      const pixel = read(i);
      out[o++] = red(pixel);
      out[o++] = green(pixel);
      out[o++] = blue(pixel);
      if (channels === 4) {
        const a = alpha(pixel);
        if (a !== 0) anyAlpha = true;
        out[o++] = a;
      }
    }
  }
  if (channels === 4 && !anyAlpha) {
    // An alpha mask with every pixel at 0 is a writer that never filled it in, not an invisible
    // picture: read it as opaque.
    for (let i = 3; i < out.length; i += 4) out[i] = 255;
  }
  return { width, height, channels, data: out };
}
