/**
 * Errors as RFC 9457 problem details (`application/problem+json`): a stable `type` URI per kind of
 * problem, the HTTP status, a human `title` and `detail`, and our `code` so that clients and metrics can
 * branch on it. Every error the API returns goes through `toProblem`.
 */
import { isAppError, type ErrorCode } from '../core/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** Stable code: an AppError code or one of PROBLEM_CODES. */
  readonly code: string;
  readonly instance?: string;
  /** Field-level validation errors. */
  readonly errors?: ReadonlyArray<{ readonly path: string; readonly message: string }>;
  /** Why an import was refused, or why a selfie cannot be used. */
  readonly reason?: string;
  /** A selfie's faces when none is clearly the one to search with: send one's `index` as `face`. */
  readonly faces?: ReadonlyArray<{
    readonly index: number;
    readonly box: readonly number[];
    readonly quality: number;
  }>;
  /** Why a face is too poor to search with (small, blurry, profile, …). */
  readonly reasons?: readonly string[];
}

/** The kinds of problem the API itself raises (beyond AppError codes), with their status and title. */
export const PROBLEM_KINDS = {
  UNAUTHORIZED: [401, 'Missing or invalid API key'],
  FORBIDDEN: [403, 'This API key belongs to another tenant'],
  NOT_FOUND: [404, 'Not found'],
  MALFORMED_JSON: [400, 'The body is not valid JSON'],
  VALIDATION: [400, 'The request does not match the schema'],
  PAYLOAD_TOO_LARGE: [413, 'Upload too large'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'Unsupported content type'],
  UNUSABLE_SELFIE: [422, 'The selfie cannot be searched with'],
  IMPORT_REFUSED: [422, 'The link cannot be imported'],
  BAD_INPUT: [422, 'The input cannot be processed'],
  UNAVAILABLE: [503, 'A backing service is unavailable'],
  INTERNAL: [500, 'Internal error'],
} as const satisfies Record<string, readonly [number, string]>;
export type ProblemKind = keyof typeof PROBLEM_KINDS;

/** `urn:` type URIs: stable names that need no web server to stay valid (RFC 9457 §3.1.1). */
export function problemType(kind: ProblemKind): string {
  return `urn:faceblog:problem:${kind.toLowerCase().replaceAll('_', '-')}`;
}

export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly kind: ProblemKind,
    detail: string,
    readonly extra: Pick<Problem, 'errors' | 'reason' | 'faces' | 'reasons'> & {
      headers?: Record<string, string>;
    } = {},
  ) {
    super(detail);
  }
}

export function problem(
  kind: ProblemKind,
  detail: string,
  extra: Pick<Problem, 'errors' | 'reason' | 'faces' | 'reasons' | 'instance'> & { code?: string } = {},
): Problem {
  const [status, title] = PROBLEM_KINDS[kind];
  const { code, ...rest } = extra;
  return { type: problemType(kind), title, status, detail, code: code ?? kind, ...rest };
}

/** AppError codes that describe the input: the client can fix them. */
const INPUT_CODES: ReadonlySet<ErrorCode> = new Set([
  'EMPTY_FILE',
  'UNSUPPORTED_FORMAT',
  'CORRUPT_IMAGE',
  'TOO_MANY_PIXELS',
  'FILE_TOO_LARGE',
  'BAD_ARGUMENTS',
]);

interface FrameworkError {
  readonly code?: string;
  readonly statusCode?: number;
  readonly message?: string;
  readonly validation?: ReadonlyArray<{ instancePath?: string; message?: string }>;
  readonly validationContext?: string;
}

/** Any thrown value as a problem; unexpected errors say nothing of their internals. */
export function toProblem(error: unknown, instance?: string): Problem {
  const at = instance === undefined ? {} : { instance };
  if (error instanceof HttpProblem) {
    return problem(error.kind, error.message, { ...at, ...withoutHeaders(error.extra) });
  }
  if (isAppError(error)) {
    const refusal = error.context.importRefusal;
    if (typeof refusal === 'string') {
      return problem('IMPORT_REFUSED', error.message, { ...at, reason: refusal });
    }
    if (INPUT_CODES.has(error.code)) return problem('BAD_INPUT', error.message, { ...at, code: error.code });
    if (error.code === 'IO_ERROR') {
      return problem('UNAVAILABLE', 'storage or queue did not answer', { ...at, code: error.code });
    }
    return problem('INTERNAL', 'the request failed', { ...at, code: error.code });
  }
  const e = (typeof error === 'object' && error !== null ? error : {}) as FrameworkError;
  if (e.validation) {
    const where = e.validationContext ?? 'body';
    return problem('VALIDATION', `the ${where} does not match the schema`, {
      ...at,
      errors: e.validation.map((v) => ({
        path: `${where}${v.instancePath ?? ''}`,
        message: v.message ?? '',
      })),
    });
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return problem('PAYLOAD_TOO_LARGE', e.message ?? 'too large', at);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return problem('UNSUPPORTED_MEDIA_TYPE', e.message ?? 'unsupported content type', at);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem('MALFORMED_JSON', e.message ?? 'malformed JSON', at);
  }
  // Fastify's JSON parser raises a SyntaxError with statusCode 400.
  if (error instanceof SyntaxError && e.statusCode === 400)
    return problem('MALFORMED_JSON', error.message, at);
  if (e.statusCode === 404) return problem('NOT_FOUND', e.message ?? 'not found', at);
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return problem('VALIDATION', e.message ?? 'bad request', { ...at, code: e.code ?? 'BAD_REQUEST' });
  }
  return problem('INTERNAL', 'the request failed', at);
}

function withoutHeaders(
  extra: HttpProblem['extra'],
): Pick<Problem, 'errors' | 'reason' | 'faces' | 'reasons'> {
  const { headers: _headers, ...rest } = extra;
  return rest;
}
