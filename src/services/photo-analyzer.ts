import type { Box, FaceDetection, GpsPoint, QualityReport } from '../core/types.js';

/**
 * The pipeline as the services see it: bytes in, faces and renderings out. The worker runs it on a
 * pool of threads (src/jobs/analyzer-pool.ts), because onnxruntime's run blocks the thread that calls
 * it; tests and the CLI may run it in-process.
 */
export interface AnalyzedFace extends FaceDetection {
  readonly quality: QualityReport;
  /** L2-normalised fused embedding of the pack. */
  readonly embedding: Float32Array;
}

export interface AnalyzedPhoto {
  readonly sha256: string;
  readonly format: string;
  /** Upright size of the original. */
  readonly width: number;
  readonly height: number;
  readonly takenAt: string | null;
  readonly gps: GpsPoint | null;
  /** 64-bit pHash as 16 hex digits (bigints do not survive JSON). */
  readonly phash: string;
  /** Best detector score first; boxes in upright original pixels. */
  readonly faces: readonly AnalyzedFace[];
  /** JPEG crop per face (same order as `faces`); empty unless renders were asked for. */
  readonly crops: readonly Uint8Array[];
  /** JPEG thumbnail; null unless renders were asked for. */
  readonly thumb: Uint8Array | null;
}

export interface AnalyzeRequest {
  /** Render face crops and a thumbnail for storage (photos of an album, not selfies). */
  readonly renders: boolean;
}

export interface PhotoAnalyzer {
  /** Rejects with a permanent AppError for a photo that cannot be read (see AppError.permanent). */
  analyze(bytes: Uint8Array, request: AnalyzeRequest): Promise<AnalyzedPhoto>;
  close(): Promise<void>;
}

/** A face crop's square region around a box: 40 % margin each side, as src/blog/images.ts crops. */
export function cropRegion(box: Box, width: number, height: number): Box {
  const [x, y, w, h] = box;
  const side = Math.max(w, h) * 1.8;
  const left = Math.max(0, x + w / 2 - side / 2);
  const top = Math.max(0, y + h / 2 - side / 2);
  return [left, top, Math.min(width - left, side), Math.min(height - top, side)];
}
