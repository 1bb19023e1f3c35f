/**
 * Structured JSON logs (pino) for every process. Secrets and vectors never reach a log line: the
 * redaction list below removes API keys, bot tokens, passwords and embeddings wherever they appear at
 * the top level or one level down (pino's fast-redact paths), and the HTTP request serializer logs no
 * headers but the request id. Tenant and job ids go in as fields (`log.child({ tenant, jobId })`).
 */
import { pino, type DestinationStream, type Logger } from 'pino';

/** Field names whose values are never logged, wherever they appear (top level or one level down). */
const SECRET_FIELDS = [
  'authorization',
  'apiKey',
  'api_key',
  'x-api-key',
  'token',
  'botToken',
  'password',
  'secret',
  'secretKey',
  'accessKey',
  'cookie',
  'embedding',
  'vector',
  'vectors',
  'centroid',
];

export const REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS.flatMap((f) => [`["${f}"]`, `*["${f}"]`]),
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
];

export interface LoggerOptions {
  /** pino level; default `info`. */
  readonly level?: string;
  /** Where lines go; default stdout. Tests pass a stream. */
  readonly destination?: DestinationStream;
  /** Bound to every line, e.g. `{ service: 'api' }`. */
  readonly base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { ...options.base },
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}

/** The `(line) => void` the older entry points take, on top of a pino logger. */
export function lineLog(logger: Logger): (line: string) => void {
  return (line) => {
    logger.info(line);
  };
}
