import { Redis } from 'ioredis';

import type { BlobStore } from '../ports/blob-store.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { VectorIndex } from '../ports/vector-index.js';
import { type ReadinessCheck, redisCheck, storeChecks } from './health.js';
import { createMetrics, type Metrics } from './metrics.js';
import { startOpsServer } from './ops-server.js';
import { observeQueues } from './queue-metrics.js';

export interface ProcessOpsOptions {
  readonly host: string;
  readonly port: number;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly stores: {
    readonly blobs: BlobStore;
    readonly index: VectorIndex;
    readonly metadata: MetadataStore;
  };
  /** The process's own registry (a bot counts its analyzer stages there); default a new one. */
  readonly metrics?: Metrics;
  /** Checks beyond Redis and the stores, e.g. "the bot is connected to Telegram". */
  readonly checks?: readonly ReadinessCheck[];
}

/**
 * /healthz, /readyz (Redis, index, metadata, storage, plus the process's own checks) and /metrics for a
 * long-running process (the worker, the bots, and the API besides its own port), on a port of its own.
 */
export async function startProcessOps(
  opts: ProcessOpsOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const metrics = opts.metrics ?? createMetrics();
  const queueMetrics = observeQueues(metrics, opts.redisUrl, opts.queuePrefix);
  // Readiness pings fail fast instead of queueing while Redis is away.
  const probe = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  probe.on('error', () => undefined);
  const server = await startOpsServer({
    host: opts.host,
    port: opts.port,
    checks: [redisCheck(probe), ...storeChecks(opts.stores), ...(opts.checks ?? [])],
    metrics,
  });
  return {
    port: server.port,
    async close() {
      await server.close();
      await queueMetrics.close();
      probe.disconnect();
    },
  };
}
