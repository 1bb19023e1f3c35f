/**
 * Every error we raise on purpose carries a stable `code` (for logs, metrics and the album's failure
 * list) and the context needed to act on it. Wrap foreign errors at each boundary with `cause`.
 */
export const ErrorCode = {
  // Input photos: permanent, never retried.
  EmptyFile: 'EMPTY_FILE',
  UnsupportedFormat: 'UNSUPPORTED_FORMAT',
  CorruptImage: 'CORRUPT_IMAGE',
  TooManyPixels: 'TOO_MANY_PIXELS',
  FileTooLarge: 'FILE_TOO_LARGE',
  // Models and configuration.
  ModelMissing: 'MODEL_MISSING',
  ModelHashMismatch: 'MODEL_HASH_MISMATCH',
  ModelDownloadFailed: 'MODEL_DOWNLOAD_FAILED',
  ModelLoadFailed: 'MODEL_LOAD_FAILED',
  UnknownModelPack: 'UNKNOWN_MODEL_PACK',
  NoModelPack: 'NO_MODEL_PACK',
  BadManifest: 'BAD_MANIFEST',
  BadConfig: 'BAD_CONFIG',
  BadArguments: 'BAD_ARGUMENTS',
  // Runtime.
  InferenceFailed: 'INFERENCE_FAILED',
  Io: 'IO_ERROR',
  /** The chat's lock was lost mid-change (a later holder has a larger fencing token): retried. */
  LockLost: 'LOCK_LOST',
  /** The chat was forgotten while the work waited: nothing is written. */
  Forgotten: 'FORGOTTEN',
  /** A bounded queue is full: the client may retry later. */
  Busy: 'BUSY',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes that describe the input itself: retrying the same bytes cannot succeed. */
const PERMANENT_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.EmptyFile,
  ErrorCode.UnsupportedFormat,
  ErrorCode.CorruptImage,
  ErrorCode.TooManyPixels,
  ErrorCode.FileTooLarge,
]);

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.context = context;
  }

  /** True when the same input will fail the same way again (a bad photo, not a busy server). */
  get permanent(): boolean {
    return PERMANENT_CODES.has(this.code);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** The code and message to show a user for any thrown value. */
export function describeError(error: unknown): { code: ErrorCode; message: string } {
  if (isAppError(error)) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  return { code: ErrorCode.Internal, message };
}
