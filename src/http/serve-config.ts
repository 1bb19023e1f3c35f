/**
 * The API server's slice of the environment. Every variable is optional; see docs/http-api.md.
 */
import { z } from 'zod';

import { parseEnv } from '../core/env.js';

export interface ServeConfig {
  /** FACEBLOG_HTTP_HOST, default 0.0.0.0 (every interface: the API authenticates every call). */
  readonly host: string;
  /** FACEBLOG_HTTP_PORT, default 8080; 0 picks a free port (tests). */
  readonly port: number;
  /** FACEBLOG_MAX_UPLOAD_MB: one uploaded photo, default 20. */
  readonly maxUploadBytes: number;
  /** FACEBLOG_LOG_LEVEL: pino level, default info. */
  readonly logLevel: string;
  /** FACEBLOG_URL_SECONDS: lifetime of thumbnail URLs in answers, default 3600. */
  readonly urlSeconds: number;
  /**
   * FACEBLOG_METRICS_TOKEN: bearer token for /metrics on the API port (at least 16 characters). Unset:
   * the API port serves no metrics (they describe every tenant).
   */
  readonly metricsToken: string | null;
}

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,7}$/)
    .transform(Number)
    .refine((n) => n >= min && n <= max);

const envSchema = z.object({
  FACEBLOG_HTTP_HOST: z.string().min(1).optional(),
  FACEBLOG_HTTP_PORT: int(0, 65535).optional(),
  FACEBLOG_MAX_UPLOAD_MB: int(1, 200).optional(),
  FACEBLOG_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  FACEBLOG_URL_SECONDS: int(1, 7 * 24 * 3600).optional(),
  FACEBLOG_METRICS_TOKEN: z.string().min(16).max(256).optional(),
});

export function parseServeConfig(env: Readonly<Record<string, string | undefined>>): ServeConfig {
  const e = parseEnv(envSchema, env);
  return {
    host: e.FACEBLOG_HTTP_HOST ?? '0.0.0.0',
    port: e.FACEBLOG_HTTP_PORT ?? 8080,
    maxUploadBytes: (e.FACEBLOG_MAX_UPLOAD_MB ?? 20) * 1024 * 1024,
    logLevel: e.FACEBLOG_LOG_LEVEL ?? 'info',
    urlSeconds: e.FACEBLOG_URL_SECONDS ?? 3600,
    metricsToken: e.FACEBLOG_METRICS_TOKEN ?? null,
  };
}
