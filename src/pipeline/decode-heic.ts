/**
 * HEIC/HEIF through libheif compiled to WebAssembly (libheif-js, the library inside heic-decode).
 * sharp's prebuilt libvips carries libheif without an HEVC decoder, so it can read HEIC headers but
 * not pixels. We call libheif-js directly rather than through heic-decode because heic-decode decodes
 * the first top-level image, which is not always the primary one, and logs parse failures to the
 * console instead of returning them.
 *
 * libheif applies the container's transformations (irot, imir, clap), so the pixels come out upright;
 * the EXIF Orientation tag inside HEIC repeats that rotation and must not be applied again.
 */
import { createRequire } from 'node:module';

import { AppError, ErrorCode } from '../core/errors.js';

/** The few embind enum values and functions of libheif-js that we call. */
interface EmbindEnum {
  readonly value: number;
}
interface HeifError {
  readonly code: EmbindEnum;
  readonly message: string;
}
type HeifContext = object;
type HeifHandle = object;
interface HeifDecoded {
  readonly image: object;
  readonly channels: readonly {
    readonly id: EmbindEnum;
    readonly width: number;
    readonly height: number;
    readonly stride: number;
    readonly data: Uint8Array;
  }[];
}
interface LibHeif {
  readonly ready?: Promise<unknown>;
  readonly heif_error_code: { readonly heif_error_Ok: EmbindEnum };
  readonly heif_colorspace: { readonly heif_colorspace_RGB: EmbindEnum };
  readonly heif_chroma: {
    readonly heif_chroma_interleaved_RGB: EmbindEnum;
    readonly heif_chroma_interleaved_RGBA: EmbindEnum;
  };
  readonly heif_channel: { readonly heif_channel_interleaved: EmbindEnum };
  heif_context_alloc(): HeifContext | null;
  heif_context_free(context: HeifContext): void;
  heif_context_read_from_memory(context: HeifContext, data: Uint8Array): HeifError;
  heif_js_context_get_primary_image_handle(context: HeifContext): HeifHandle | HeifError | null;
  heif_image_handle_get_width(handle: HeifHandle): number;
  heif_image_handle_get_height(handle: HeifHandle): number;
  heif_image_handle_has_alpha_channel(handle: HeifHandle): number;
  heif_image_handle_release(handle: HeifHandle): void;
  heif_js_decode_image2(
    handle: HeifHandle,
    colorspace: EmbindEnum,
    chroma: EmbindEnum,
  ): HeifDecoded | HeifError | null;
  heif_image_release(image: object): void;
}

let libheifPromise: Promise<LibHeif> | undefined;

/** Loads the ~2 MB WebAssembly module on first use, not at import time. */
function loadLibheif(): Promise<LibHeif> {
  libheifPromise ??= (async () => {
    const require = createRequire(import.meta.url);
    const lib = require('libheif-js/wasm-bundle') as LibHeif;
    await lib.ready;
    return lib;
  })();
  return libheifPromise;
}

function isHeifError(value: unknown): value is HeifError {
  return typeof value === 'object' && value !== null && 'code' in value && 'message' in value;
}

export interface HeicPixels {
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  /** Interleaved 8-bit RGB or RGBA, upright, tightly packed. */
  readonly data: Uint8Array;
}

/** libheif's messages ("Invalid input: No 'iinf' box") stay in the context, not in the user's text. */
function corrupt(decoderMessage: string, cause?: unknown): AppError {
  return new AppError(
    ErrorCode.CorruptImage,
    'This HEIC/HEIF photo is damaged and cannot be read: its image data is missing or invalid.',
    { format: 'heif', decoderMessage },
    cause,
  );
}

/**
 * Decodes the primary image of a HEIC/HEIF file. `checkSize` sees the upright dimensions from the
 * header before any pixel is decoded and may throw (the pixel limit).
 */
export async function decodeHeic(
  bytes: Uint8Array,
  checkSize: (width: number, height: number) => void,
): Promise<HeicPixels> {
  const lib = await loadLibheif();
  const context = lib.heif_context_alloc();
  if (!context) throw new AppError(ErrorCode.Internal, 'Could not start the HEIC decoder.');
  let handle: HeifHandle | undefined;
  try {
    const read = lib.heif_context_read_from_memory(context, bytes);
    if (read.code !== lib.heif_error_code.heif_error_Ok) throw corrupt(read.message);

    const primary = lib.heif_js_context_get_primary_image_handle(context);
    if (!primary || isHeifError(primary)) throw corrupt(primary ? primary.message : 'no primary image');
    handle = primary;

    const width = lib.heif_image_handle_get_width(handle);
    const height = lib.heif_image_handle_get_height(handle);
    if (width <= 0 || height <= 0) throw corrupt('the image has no size');
    checkSize(width, height);

    const channels = lib.heif_image_handle_has_alpha_channel(handle) ? 4 : 3;
    const decoded = lib.heif_js_decode_image2(
      handle,
      lib.heif_colorspace.heif_colorspace_RGB,
      channels === 4
        ? lib.heif_chroma.heif_chroma_interleaved_RGBA
        : lib.heif_chroma.heif_chroma_interleaved_RGB,
    );
    if (!decoded || isHeifError(decoded)) throw corrupt(decoded ? decoded.message : 'decoding failed');
    try {
      const plane = decoded.channels.find((c) => c.id === lib.heif_channel.heif_channel_interleaved);
      const rowBytes = width * channels;
      const layoutOk =
        plane?.width === width &&
        plane.height === height &&
        plane.stride >= rowBytes &&
        plane.data.length >= plane.stride * (height - 1) + rowBytes;
      if (!plane || !layoutOk) throw corrupt('unexpected pixel layout');
      // The plane is a view into the WebAssembly heap, freed below: copy it out once, dropping the
      // row padding if there is any.
      let data: Uint8Array;
      if (plane.stride === rowBytes) {
        data = plane.data.slice(0, rowBytes * height);
      } else {
        data = new Uint8Array(rowBytes * height);
        for (let y = 0; y < height; y++) {
          data.set(plane.data.subarray(y * plane.stride, y * plane.stride + rowBytes), y * rowBytes);
        }
      }
      return { width, height, channels, data };
    } finally {
      lib.heif_image_release(decoded.image);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw corrupt(error instanceof Error ? error.message : String(error), error);
  } finally {
    if (handle) lib.heif_image_handle_release(handle);
    lib.heif_context_free(context);
  }
}
