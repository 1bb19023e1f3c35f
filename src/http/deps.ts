import type { FastifyBaseLogger } from 'fastify';

import type { ImportService } from '../import/import-service.js';
import type { ReadinessCheck } from '../ops/health.js';
import type { Metrics } from '../ops/metrics.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { VectorIndex } from '../ports/vector-index.js';
import type { PackInfo } from '../services/deps.js';
import type { PeopleService } from '../services/people-service.js';
import type { PhotoService } from '../services/photo-service.js';
import type { PrivacyService } from '../services/privacy-service.js';
import type { SearchService } from '../services/search-service.js';
import type { ApiKeyStore } from './api-keys.js';

export interface ApiLimits {
  /**
   * Bytes of one uploaded photo. Default 20 MiB: the Telegram Bot API's download cap, so the API takes
   * what the bots take; a 48 MP JPEG from a phone is 8–15 MB.
   */
  readonly maxUploadBytes: number;
  /**
   * Bytes of all files of one multipart request. Default 100 MiB: a request holds its files in memory
   * until they are stored, and this keeps a few concurrent uploads within a 1 GiB container.
   */
  readonly maxRequestBytes: number;
  /** Files in one multipart batch. Default 50: a gallery; larger albums go by object key. */
  readonly maxFiles: number;
  /** Bytes of a JSON body. Default 1 MiB: 500 object keys or a 4096-d embedding fit many times over. */
  readonly maxJsonBytes: number;
  /** Lifetime of thumbnail and photo URLs in answers, seconds. Default 3600. */
  readonly urlSeconds: number;
  /**
   * Bytes of all objects one JSON batch ingest reads. Default 100 MiB, the multipart request cap: the
   * keys' objects are read into memory until they are stored, like the files of a multipart batch.
   */
  readonly maxBatchBytes: number;
  /** Requests a minute per API key. Default 120: an album upload is one request, a gallery app's polling a few. */
  readonly ratePerKeyPerMinute: number;
  /** Requests a minute per client address, before authentication (throttles key guessing). Default 300. */
  readonly ratePerIpPerMinute: number;
  /** Selfie searches analyzed at once (the API runs one analyzer thread). Default 2. */
  readonly searchConcurrency: number;
  /** Selfie searches waiting for a turn before the API answers 503. Default 8. */
  readonly searchQueue: number;
  /** Imports running at once per tenant (each crawls for up to its time limit). Default 1. */
  readonly importsPerTenant: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = {
  maxUploadBytes: 20 * 1024 * 1024,
  maxRequestBytes: 100 * 1024 * 1024,
  maxFiles: 50,
  maxJsonBytes: 1024 * 1024,
  urlSeconds: 3600,
  maxBatchBytes: 100 * 1024 * 1024,
  ratePerKeyPerMinute: 120,
  ratePerIpPerMinute: 300,
  searchConcurrency: 2,
  searchQueue: 8,
  importsPerTenant: 1,
};

export interface ApiDeps {
  readonly services: {
    readonly photos: PhotoService;
    readonly people: PeopleService;
    readonly search: SearchService;
    readonly privacy: PrivacyService;
  };
  readonly importer: ImportService;
  /** The stores themselves, for reads the services do not offer (object ingest, embedding search). */
  readonly stores: {
    readonly blobs: BlobStore;
    readonly index: VectorIndex;
    readonly metadata: MetadataStore;
  };
  readonly pack: PackInfo;
  readonly apiKeys: ApiKeyStore;
  /** A pino logger (src/ops/logger.ts); requests log through children of it. */
  readonly logger: FastifyBaseLogger;
  readonly metrics: Metrics | null;
  readonly readinessChecks: readonly ReadinessCheck[];
  /** Bearer token that /metrics on the API port asks for (FACEBLOG_METRICS_TOKEN); null: not served. */
  readonly metricsToken?: string | null;
  readonly limits?: Partial<ApiLimits>;
}
