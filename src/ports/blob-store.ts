import { AppError, ErrorCode } from '../core/errors.js';

/**
 * Where photos, face crops, thumbnails and album files live. Keys are built by `src/core/keys.ts`
 * (`<tenant>/photos/<sha256>.<ext>`, ...); adapters reject any other shape, so one chat can never read,
 * list or delete another's blobs.
 */
export interface BlobInfo {
  readonly key: string;
  /** Bytes. */
  readonly size: number;
}

export interface BlobHead extends BlobInfo {
  readonly contentType: string;
}

export interface PutOptions {
  /** MIME type, e.g. `image/jpeg`; served back with the blob. */
  readonly contentType: string;
}

export interface UrlOptions {
  /** Lifetime of a presigned URL in seconds; stores with public or file URLs ignore it. */
  readonly expiresInSeconds: number;
}

export interface BlobStore {
  /** Writes the whole blob; readers see the old bytes or the new ones, never a half-written file. */
  put(key: string, bytes: Uint8Array, options: PutOptions): Promise<void>;
  /** The bytes, or null when there is no such blob. */
  get(key: string): Promise<Uint8Array | null>;
  /** Size and type, or null when there is no such blob. */
  head(key: string): Promise<BlobHead | null>;
  /** Deleting a missing blob is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every blob whose key starts with `prefix` (a tenant, an album, a photo's faces). */
  deletePrefix(prefix: string): Promise<void>;
  /** Every blob whose key starts with `prefix`, in no particular order. */
  list(prefix: string): AsyncIterable<BlobInfo>;
  /** A URL a browser or a chat platform can fetch the blob from. Does not check that it exists. */
  url(key: string, options: UrlOptions): Promise<string>;
}

// ---------------------------------------------------------------------------------------------------
// Checks every adapter applies, so that all of them accept and refuse the same calls.

/** S3 caps presigned URLs at 7 days (SigV4 query-string auth); every store keeps to that. */
export const MAX_URL_SECONDS = 7 * 24 * 3600;

export function checkPutOptions(key: string, options: PutOptions): void {
  if (!/^[a-z]+\/[A-Za-z0-9.+-]+$/.test(options.contentType)) {
    throw new AppError(ErrorCode.BadArguments, 'invalid content type', {
      key,
      contentType: options.contentType,
    });
  }
}

export function checkUrlOptions(options: UrlOptions): void {
  const seconds = options.expiresInSeconds;
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > MAX_URL_SECONDS) {
    throw new AppError(ErrorCode.BadArguments, `expiresInSeconds must be 1..${MAX_URL_SECONDS}`, {
      seconds,
    });
  }
}
