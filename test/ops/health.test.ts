/**
 * Readiness over the real embedded stores and real Redis, served by the ops server the worker and the
 * bots use: ready when everything answers; 503 naming the failing check when Redis is away or a check
 * hangs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createStores, type Stores } from '../../src/app/create-app.js';
import { readiness, redisCheck, storeChecks } from '../../src/ops/health.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { startOpsServer } from '../../src/ops/ops-server.js';
import { EMBEDDED, REDIS_URL } from '../jobs/support/harness.js';

describe('health and readiness', () => {
  let dir: string;
  let stores: Stores;
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  // Nothing listens on port 1: connections are refused at once.
  const deadRedis = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  deadRedis.on('error', () => undefined);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'faceblog-ops-'));
    stores = createStores(EMBEDDED, dir, 128);
    await stores.metadata.migrate();
    await redis.connect();
  });
  afterAll(async () => {
    redis.disconnect();
    deadRedis.disconnect();
    await stores.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is ready when Redis, index, metadata and storage answer', async () => {
    const r = await readiness([redisCheck(redis), ...storeChecks(stores)]);
    expect(r.ready).toBe(true);
    expect(Object.keys(r.checks).sort()).toEqual(['index', 'metadata', 'redis', 'storage']);
  });

  it('serves /healthz, /readyz and /metrics, with 503 when a dependency is down or hangs', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.errors.inc({ code: 'CORRUPT_IMAGE', source: 'job:photos' });
    const hung = { name: 'hung', check: () => new Promise<void>(() => undefined) };
    const server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      checks: [redisCheck(deadRedis), ...storeChecks(stores)],
      metrics,
    });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as { checks: Record<string, { ok: boolean; error?: string }> };
      expect(body.checks.redis?.ok).toBe(false);
      expect(body.checks.storage?.ok).toBe(true);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain(
        'faceblog_errors_total{code="CORRUPT_IMAGE",source="job:photos"} 1',
      );
      expect((await fetch(`${base}/nothing`)).status).toBe(404);
    } finally {
      await server.close();
    }
    const timedOut = await readiness([hung], 50);
    expect(timedOut).toMatchObject({
      ready: false,
      checks: { hung: { ok: false, error: 'no answer within 50 ms' } },
    });
  });
});
