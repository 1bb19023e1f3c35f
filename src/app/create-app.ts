/**
 * Composition: builds the adapters a configuration names, the services over them, and the queue
 * workers. Entry points (src/main-worker.ts, the CLI's `worker` command, tests) call these; nothing
 * here reads the environment.
 */
import path from 'node:path';

import { FlowProducer, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';

import { FsBlobStore } from '../adapters/fs-blob-store.js';
import { MinioBlobStore } from '../adapters/minio-blob-store.js';
import { PostgresMetadataStore } from '../adapters/postgres-metadata-store.js';
import { QdrantVectorIndex } from '../adapters/qdrant-vector-index.js';
import { SqliteMetadataStore } from '../adapters/sqlite-metadata-store.js';
import { SqliteVectorIndex } from '../adapters/sqlite-vector-index.js';
import type { ResolvedPack } from '../core/manifest.js';
import { createAlbumQueue, type RetrySettings } from '../jobs/flows.js';
import { createHandlers } from '../jobs/handlers.js';
import { QueueName } from '../jobs/names.js';
import { queueProgress } from '../jobs/progress.js';
import { createTenantGuard } from '../jobs/tenant-guard.js';
import { startWorkers, type WorkerSettings, type Workers } from '../jobs/start-workers.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { PhotoAnalyzer } from '../ports/photo-analyzer.js';
import type { VectorIndex } from '../ports/vector-index.js';
import { createAnalyzerPool } from '../runtime/analyzer-pool.js';
import type { PackInfo, ServiceDeps } from '../services/deps.js';
import { createPeopleService } from '../services/people-service.js';
import { createPhotoService } from '../services/photo-service.js';
import { createPrivacyService } from '../services/privacy-service.js';
import { createSearchService } from '../services/search-service.js';
import type { WorkerConfig } from './worker-config.js';
import type { Log } from '../core/log.js';

export interface Stores {
  readonly blobs: BlobStore;
  readonly index: VectorIndex;
  readonly metadata: MetadataStore;
  close(): Promise<void>;
}

export function packInfo(pack: ResolvedPack): PackInfo {
  const { match, cluster, qualityIndex, qualitySearch, search } = pack.spec.thresholds;
  return {
    name: pack.name,
    dim: pack.dim,
    thresholds: { match, cluster, qualityIndex, qualitySearch, search },
  };
}

/** The servers the config names, the embedded twins under `dataDir` for the others. Does no I/O. */
export function createStores(config: WorkerConfig, dataDir: string, dimension: number): Stores {
  const blobs: BlobStore = config.s3
    ? new MinioBlobStore({
        bucket: config.s3.bucket,
        client: {
          endPoint: config.s3.endPoint,
          port: config.s3.port,
          useSSL: config.s3.useSSL,
          accessKey: config.s3.accessKey,
          secretKey: config.s3.secretKey,
          region: config.s3.region,
          // MinIO behind a compose service name has no bucket subdomains.
          pathStyle: true,
        },
      })
    : new FsBlobStore({ root: path.join(dataDir, 'blobs') });
  const index: VectorIndex = config.qdrant
    ? new QdrantVectorIndex({
        url: config.qdrant.url,
        dimension,
        ...(config.qdrant.apiKey ? { apiKey: config.qdrant.apiKey } : {}),
      })
    : new SqliteVectorIndex({ file: path.join(dataDir, 'index.sqlite'), dimension });
  const metadata: MetadataStore = config.databaseUrl
    ? new PostgresMetadataStore({ connectionString: config.databaseUrl })
    : new SqliteMetadataStore({ file: path.join(dataDir, 'metadata.sqlite') });
  return {
    blobs,
    index,
    metadata,
    async close() {
      await Promise.all([index.close(), metadata.close()]);
    },
  };
}

export interface WorkerAppOptions extends WorkerSettings {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly stores: Omit<Stores, 'close'>;
  readonly pack: ResolvedPack;
  readonly modelsDir: string;
  readonly log?: Log;
}

export interface WorkerApp {
  readonly workers: Workers;
  readonly analyzer: PhotoAnalyzer;
  /** Lets jobs in progress finish (or hands them back with `force`), then stops threads and Redis. */
  close(force?: boolean): Promise<void>;
}

/**
 * A worker process: an analyzer thread per concurrent photo, and the workers of both queues. Resolves
 * once the threads have loaded their models, so a missing model fails the start, not every photo.
 */
export async function createWorkerApp(options: WorkerAppOptions): Promise<WorkerApp> {
  const concurrency = options.concurrency ?? 1;
  const analyzer = await createAnalyzerPool({
    threads: concurrency,
    pack: options.pack,
    modelsDir: options.modelsDir,
  });
  // BullMQ workers block on Redis and must never give up a command (maxRetriesPerRequest null).
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  // The chat guard gets a connection of its own, so it never waits behind a worker's blocking commands.
  const guardConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const guard = createTenantGuard(guardConnection, { prefix: options.prefix });
  const deps = { ...options.stores, pack: packInfo(options.pack), analyzer, guard };
  const workers = startWorkers({
    connection,
    prefix: options.prefix,
    handlers: createHandlers(deps),
    concurrency,
    ...(options.lockDurationMs === undefined ? {} : { lockDurationMs: options.lockDurationMs }),
    ...(options.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: options.stalledIntervalMs }),
    ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: options.maxStalledCount }),
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    workers,
    analyzer,
    async close(force = false) {
      await workers.close(force);
      await analyzer.close();
      await guard.close();
      connection.disconnect();
      guardConnection.disconnect();
    },
  };
}

export interface ServicesOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly stores: Omit<Stores, 'close'>;
  readonly pack: ResolvedPack;
  /** Needed by findBySelfie; a bot process can share the worker's pool or start its own. */
  readonly analyzer: PhotoAnalyzer;
  readonly retry?: RetrySettings;
}

/** The services a bot calls, with the album queue on a FlowProducer and album progress. */
export function createServices(options: ServicesOptions) {
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const producer = new FlowProducer({ connection, prefix: options.prefix });
  // QueueEvents blocks on XREAD: it gets a connection of its own.
  const eventsConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const photoEvents = new QueueEvents(QueueName.photos, {
    connection: eventsConnection,
    prefix: options.prefix,
  });
  const guard = createTenantGuard(connection, { prefix: options.prefix });
  const deps: ServiceDeps = { ...options.stores, pack: packInfo(options.pack), guard };
  return {
    photos: createPhotoService({
      blobs: options.stores.blobs,
      metadata: options.stores.metadata,
      queue: createAlbumQueue(producer, options.retry),
      guard,
    }),
    people: createPeopleService(deps),
    search: createSearchService({ ...deps, analyzer: options.analyzer }),
    privacy: createPrivacyService(deps),
    /** Album progress for the bots' status messages (the AlbumProgress port over `photoEvents`). */
    progress: queueProgress(photoEvents),
    /** The photos queue's events, for entry points (waitUntilReady) and tests; bots use `progress`. */
    photoEvents,
    async close() {
      await Promise.all([producer.close(), photoEvents.close(), guard.close()]);
      connection.disconnect();
      eventsConnection.disconnect();
    },
  };
}

export type Services = ReturnType<typeof createServices>;
