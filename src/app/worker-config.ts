/**
 * The worker's slice of the configuration: where Redis, blobs, vectors and metadata live. Parsed with
 * everything else by src/config.ts; every variable is optional, and the embedded twins under
 * FACEBLOG_DATA_DIR stand in for the servers that are not named.
 */

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
