/**
 * The API over real parts for tests: the jobs harness (Redis under its own prefix, fs blobs, sqlite
 * index and metadata, the `local` pack in a worker thread), API keys in the harness's temp dir, and the
 * server listening on 127.0.0.1 on a free port. Log lines are kept for assertions.
 */
import { Writable } from 'node:stream';

import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';

import { packInfo } from '../../../src/app/create-app.js';
import { apiKeyStore, type ApiKeyStore } from '../../../src/http/api-keys.js';
import { createApiServer } from '../../../src/http/create-server.js';
import type { ApiLimits } from '../../../src/http/deps.js';
import type { AddressPolicy } from '../../../src/import/address-policy.js';
import { createImportService } from '../../../src/import/import-service.js';
import { redisCheck, storeChecks } from '../../../src/ops/health.js';
import { createLogger } from '../../../src/ops/logger.js';
import { createMetrics, type Metrics } from '../../../src/ops/metrics.js';
import { observeQueues } from '../../../src/ops/queue-metrics.js';
import { REDIS_URL, startHarness, type Harness } from '../../jobs/support/harness.js';

export interface Api {
  readonly h: Harness;
  readonly base: string;
  readonly apiKeys: ApiKeyStore;
  readonly metrics: Metrics;
  readonly server: FastifyInstance;
  /** Every JSON log line the server wrote. */
  readonly logs: string[];
  close(): Promise<void>;
}

/** The ops token /metrics asks for in tests. */
export const METRICS_TOKEN = 'test-ops-token';

export async function startApi(opts: { policy: AddressPolicy; limits?: Partial<ApiLimits> }): Promise<Api> {
  const h = await startHarness();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const metrics = createMetrics({ defaultMetrics: false });
  const queues = observeQueues(metrics, REDIS_URL, h.prefix);
  await queues.waitUntilReady();
  const probe = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const apiKeys = apiKeyStore(h.dir);
  const server = await createApiServer({
    services: h.services,
    importer: createImportService({ photos: h.services.photos, policy: opts.policy }),
    stores: h.stores,
    pack: packInfo(h.pack),
    apiKeys,
    logger: createLogger({ level: 'info', destination: sink }),
    metrics,
    readinessChecks: [redisCheck(probe), ...storeChecks(h.stores)],
    metricsToken: METRICS_TOKEN,
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    h,
    base: `http://127.0.0.1:${port}`,
    apiKeys,
    metrics,
    server,
    logs,
    async close() {
      await server.close();
      await queues.close();
      probe.disconnect();
      await h.close();
    },
  };
}
