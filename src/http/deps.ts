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
}

export const DEFAULT_API_LIMITS: ApiLimits = {
  maxUploadBytes: 20 * 1024 * 1024,
  maxRequestBytes: 100 * 1024 * 1024,
  maxFiles: 50,
  maxJsonBytes: 1024 * 1024,
  urlSeconds: 3600,
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
  readonly limits?: Partial<ApiLimits>;
}
