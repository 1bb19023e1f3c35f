/** Shared data shapes. Pixel coordinates are always in the upright (EXIF-oriented) original image. */

/** [x, y, width, height] in pixels. */
export type Box = [x: number, y: number, w: number, h: number];
/** [x, y] in pixels. */
export type Point = [x: number, y: number];

/**
 * Five landmarks in InsightFace order: left eye, right eye, nose tip, left mouth corner, right mouth
 * corner ("left" as seen in the image).
 */
export type Landmarks = [Point, Point, Point, Point, Point];

/** Interleaved 8-bit RGB pixels, row-major, no padding. */
/** A scene object (COCO class): what, how sure, where (upright original-image pixels). */
export interface SceneObject {
  readonly label: string;
  readonly score: number;
  readonly box: Box;
}

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface GpsPoint {
  readonly lat: number;
  readonly lon: number;
  readonly alt?: number;
}

export interface FaceDetection {
  readonly box: Box;
  readonly score: number;
  readonly landmarks: Landmarks;
  /** Which detector found it (manifest model name). */
  readonly detector: string;
}

export interface QualityReport {
  /** 0..1, higher is better. */
  readonly score: number;
  /** Why the score is low: 'small', 'blurry', 'profile', 'tilted', 'low-confidence', ... */
  readonly reasons: readonly string[];
  readonly indexable: boolean;
  readonly searchable: boolean;
  readonly faceSize: number;
  readonly blur: number;
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
}

/** L2-normalised embedding; the pack says its dimension. */
export type Embedding = Float32Array;

export interface Face extends FaceDetection {
  readonly quality: QualityReport;
  readonly embedding: Embedding;
}

/** What the decode stage learns about a photo, without its pixels. */
export interface PhotoInfo {
  /** Format from the file's magic bytes: jpeg, png, webp, tiff, bmp, gif, avif, heif. */
  readonly format: string;
  /** Upright (EXIF-oriented) size of the full-resolution image. */
  readonly width: number;
  readonly height: number;
  /** Hex SHA-256 of the original bytes. */
  readonly sha256: string;
  readonly byteLength: number;
  readonly meta: {
    readonly takenAt: string | null;
    readonly gps: GpsPoint | null;
    readonly orientation: number;
    readonly camera?: string;
  };
}
