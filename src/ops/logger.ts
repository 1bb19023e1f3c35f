/**
 * Structured JSON logs (pino) for every process. Secrets and vectors never reach a log line: the
 * redaction list below removes API keys, bot tokens, passwords and embeddings wherever they appear at
 * the top level or one level down (pino's fast-redact paths), and the HTTP request serializer logs no
 * headers but the request id. Tenant and job ids go in as fields (`log.child({ tenant, jobId })`).
 */
import { pino, type DestinationStream, type Logger } from 'pino';

import type { Log } from '../core/log.js';

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

/**
 * Secrets that end up inside message text rather than in a field: a Telegram bot token in a Bot API URL
 * (grammY's network errors quote the URL), an API key pasted into an error, a password in a Redis or
 * PostgreSQL URL.
 */
const SECRET_TEXT: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b\d{1,20}:[A-Za-z0-9_-]{30,100}\b/g, '[redacted-token]'],
  [/\bfbk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\b/g, '[redacted-key]'],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^@/\s]+@/gi, '$1:[redacted]@'],
];

/** `text` with the secrets of SECRET_TEXT masked. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  return out;
}

export interface LoggerOptions {
  /** pino level; default `info`. */
  readonly level?: string;
  /**
   * Where lines go; default stderr, so that stdout stays free for what a command prints (`faces --json`,
   * `config`). Docker and systemd collect both. Tests pass a stream.
   */
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
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? scrubSecrets(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** The `Log` function the services, jobs and bots take, on top of a pino logger. */
export function lineLog(logger: Logger): Log {
  return (line, fields) => {
    if (!fields) {
      logger.info(line);
      return;
    }
    const { level = 'info', ...rest } = fields;
    logger[level](rest, line);
  };
}
