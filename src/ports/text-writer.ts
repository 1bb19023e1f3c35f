import { AppError, ErrorCode } from '../core/errors.js';

/**
 * A language model that answers one request with a structured object (a blog post). The service builds
 * the prompt and validates the answer; the adapter only moves bytes. Declares only what we call.
 */
export interface TextWriterImage {
  /** Caller's id for the image (the photo id the post will cite). */
  readonly id: string;
  readonly mediaType: 'image/jpeg' | 'image/png' | 'image/webp';
  /** Base64 bytes, already downscaled by the caller. */
  readonly base64: string;
}

export interface TextWriterRequest {
  readonly system: string;
  /** The user turn: text first, then each image preceded by a label naming its id. */
  readonly text: string;
  readonly images: readonly TextWriterImage[];
  /** JSON Schema of the object the model must return. */
  readonly schema: Readonly<Record<string, unknown>>;
  readonly schemaName: string;
  readonly maxTokens: number;
}

export interface TextWriterResult {
  /** The object the model returned, not yet validated. */
  readonly output: unknown;
  readonly model: string;
}

/** Failures the caller can act on: fall back offline and tell the user why. */
export type TextWriterFailure = 'timeout' | 'rate-limited' | 'overloaded' | 'api-error' | 'bad-output';

/** An AppError (code IO_ERROR: the remote service, not the album) that says which failure it was. */
export class TextWriterError extends AppError {
  readonly reason: TextWriterFailure;
  constructor(reason: TextWriterFailure, message: string, cause?: unknown) {
    super(ErrorCode.Io, message, { reason }, cause);
    this.reason = reason;
  }
}

export interface TextWriter {
  write(request: TextWriterRequest): Promise<TextWriterResult>;
}
