import type { ResolvedPack } from '../core/manifest.js';
import type { Face, PhotoInfo, SceneObject } from '../core/types.js';

/** What a caller may ask of one analysis beyond the faces. */
export interface AnalyzeRequest {
  /**
   * Also render JPEG face crops and a thumbnail for storage: album photos, not selfies. Default false.
   * `{ web: true }` adds a screen-sized JPEG for the album site. They come from the rasters the analysis
   * decoded anyway, so no caller needs to decode the photo again.
   */
  readonly renders?: boolean | RenderRequest;
  /**
   * The caller hands the bytes over: a thread pool may move their buffer to the thread instead of
   * copying 3–6 MB per photo, which leaves `bytes` empty (detached) afterwards. Default false.
   */
  readonly transfer?: boolean;
}

export interface RenderRequest {
  /** Also a JPEG for a web page (the detection raster, 1280 px long side by default). */
  readonly web?: boolean;
}

/** JPEG renderings of an analyzed photo, for the blob store, the chat and the album site. */
export interface PhotoRenders {
  /** One square crop per face, in the order of `AnalyzedPhoto.faces`. */
  readonly crops: readonly Uint8Array[];
  /** 512 px long side: storage thumbnail and the copy a language model sees. */
  readonly thumb: Uint8Array;
  /** Present when asked for: the web page's JPEG. */
  readonly web?: Uint8Array;
}

/** One photo through decode → detect → align → quality → embed; plain data, safe to send between threads. */
export interface AnalyzedPhoto {
  readonly photo: PhotoInfo;
  /** Faces in upright original-image pixels, best detector score first. */
  readonly faces: readonly Face[];
  /** 64-bit perceptual hash of the photo, for near-duplicate detection. */
  readonly phash: bigint;
  /** Scene objects of the photo (COCO classes), best score first; absent from older analyses. */
  readonly objects?: readonly SceneObject[];
  /** Milliseconds per stage. */
  readonly timings: Readonly<Record<string, number>>;
  /** Present when the request asked for renders. */
  readonly renders?: PhotoRenders;
}

/**
 * Runs the face pipeline on photos: in this thread, or on a pool of worker threads so that model
 * inference (which holds its thread while it runs) uses every core and never blocks the event loop.
 */
export interface PhotoAnalyzer {
  readonly pack: ResolvedPack;
  /** Rejects with an AppError (code, message, context) for a bad photo; see AppError.permanent. */
  analyze(bytes: Uint8Array, request?: AnalyzeRequest): Promise<AnalyzedPhoto>;
  close(): Promise<void>;
}
