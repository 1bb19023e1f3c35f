import { Redis } from 'ioredis';

import type { BlobStore } from '../ports/blob-store.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { VectorIndex } from '../ports/vector-index.js';
import { redisCheck, storeChecks } from './health.js';
import { createMetrics } from './metrics.js';
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
}

/**
 * /healthz, /readyz (Redis, index, metadata, storage) and /metrics for a process that is not the API
 * server (the worker, the bots), on a port of its own.
 */
export async function startProcessOps(
  opts: ProcessOpsOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const metrics = createMetrics();
  const queueMetrics = observeQueues(metrics, opts.redisUrl, opts.queuePrefix);
  // Readiness pings fail fast instead of queueing while Redis is away.
  const probe = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  probe.on('error', () => undefined);
  const server = await startOpsServer({
    host: opts.host,
    port: opts.port,
    checks: [redisCheck(probe), ...storeChecks(opts.stores)],
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
