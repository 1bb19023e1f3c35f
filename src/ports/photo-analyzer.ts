import type { ResolvedPack } from '../core/manifest.js';
import type { Face, PhotoInfo } from '../core/types.js';

/** One photo through decode → detect → align → quality → embed; plain data, safe to send between threads. */
export interface AnalyzedPhoto {
  readonly photo: PhotoInfo;
  /** Faces in upright original-image pixels, best detector score first. */
  readonly faces: readonly Face[];
  /** 64-bit perceptual hash of the photo, for near-duplicate detection. */
  readonly phash: bigint;
  /** Milliseconds per stage. */
  readonly timings: Readonly<Record<string, number>>;
}

/**
 * Runs the face pipeline on photos: in this thread, or on a pool of worker threads so that model
 * inference (which holds its thread while it runs) uses every core and never blocks the event loop.
 */
export interface PhotoAnalyzer {
  readonly pack: ResolvedPack;
  /** Rejects with an AppError (code, message) for a bad photo. */
  analyze(bytes: Uint8Array): Promise<AnalyzedPhoto>;
  close(): Promise<void>;
}
