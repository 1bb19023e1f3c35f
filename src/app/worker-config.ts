/**
 * The worker's slice of the environment: where Redis, blobs, vectors and metadata live. Parsed once by
 * the entry point; every variable is optional, and the embedded twins under FACEBLOG_DATA_DIR stand in
 * for the servers that are not named.
 */
import { z } from 'zod';

import { parseEnv } from '../core/env.js';
import { AppError, ErrorCode } from '../core/errors.js';

export interface S3Settings {
  readonly endPoint: string;
  readonly port: number;
  readonly useSSL: boolean;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly bucket: string;
  readonly region: string;
}

export interface WorkerConfig {
  /** REDIS_URL, default redis://127.0.0.1:6379. */
  readonly redisUrl: string;
  /** FACEBLOG_QUEUE_PREFIX: Redis key prefix of the queues (default `faceblog`). */
  readonly queuePrefix: string;
  /** S3_ENDPOINT (+ S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET, S3_REGION); null = FsBlobStore in the data dir. */
  readonly s3: S3Settings | null;
  /** QDRANT_URL (+ QDRANT_API_KEY); null = SqliteVectorIndex in the data dir. */
  readonly qdrant: { readonly url: string; readonly apiKey: string | null } | null;
  /** DATABASE_URL (postgres://…); null = SqliteMetadataStore in the data dir. */
  readonly databaseUrl: string | null;
  /** WORKER_CONCURRENCY: photos analyzed at once, one analyzer thread each (default 1). */
  readonly concurrency: number;
  /** WORKER_LOCK_MS and WORKER_STALLED_MS: BullMQ lock duration and stalled-check interval. */
  readonly lockDurationMs: number | null;
  readonly stalledIntervalMs: number | null;
}

const positiveInt = z
  .string()
  .regex(/^[1-9][0-9]{0,6}$/)
  .transform(Number);

const envSchema = z.object({
  REDIS_URL: z.url().optional(),
  FACEBLOG_QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/)
    .optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_ACCESS_KEY: z.string().min(1).optional(),
  S3_SECRET_KEY: z.string().min(1).optional(),
  S3_BUCKET: z.string().min(3).optional(),
  S3_REGION: z.string().min(1).optional(),
  QDRANT_URL: z.url().optional(),
  QDRANT_API_KEY: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//)
    .optional(),
  WORKER_CONCURRENCY: positiveInt.optional(),
  WORKER_LOCK_MS: positiveInt.optional(),
  WORKER_STALLED_MS: positiveInt.optional(),
});

export function parseWorkerConfig(env: Readonly<Record<string, string | undefined>>): WorkerConfig {
  const e = parseEnv(envSchema, env);
  let s3: S3Settings | null = null;
  if (e.S3_ENDPOINT) {
    if (!e.S3_ACCESS_KEY || !e.S3_SECRET_KEY) {
      throw new AppError(ErrorCode.BadConfig, 'S3_ENDPOINT needs S3_ACCESS_KEY and S3_SECRET_KEY');
    }
    const url = new URL(e.S3_ENDPOINT);
    const useSSL = url.protocol === 'https:';
    s3 = {
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey: e.S3_ACCESS_KEY,
      secretKey: e.S3_SECRET_KEY,
      bucket: e.S3_BUCKET ?? 'faceblog',
      // MinIO ignores the region; us-east-1 is S3's default and what MinIO reports.
      region: e.S3_REGION ?? 'us-east-1',
    };
  }
  return {
    redisUrl: e.REDIS_URL ?? 'redis://127.0.0.1:6379',
    queuePrefix: e.FACEBLOG_QUEUE_PREFIX ?? 'faceblog',
    s3,
    qdrant: e.QDRANT_URL ? { url: e.QDRANT_URL, apiKey: e.QDRANT_API_KEY ?? null } : null,
    databaseUrl: e.DATABASE_URL ?? null,
    concurrency: e.WORKER_CONCURRENCY ?? 1,
    lockDurationMs: e.WORKER_LOCK_MS ?? null,
    stalledIntervalMs: e.WORKER_STALLED_MS ?? null,
  };
}
