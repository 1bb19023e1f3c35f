import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FsBlobStore } from '../../src/adapters/fs-blob-store.js';
import { SqliteMetadataStore } from '../../src/adapters/sqlite-metadata-store.js';
import { SqliteVectorIndex } from '../../src/adapters/sqlite-vector-index.js';
import { startProcessOps } from '../../src/ops/process-ops.js';

/** The worker's and bots' health and metrics endpoints, on real Redis and the embedded stores. */
describe('process ops server', () => {
  let dir: string;
  let ops: Awaited<ReturnType<typeof startProcessOps>>;
  let stores: { blobs: FsBlobStore; index: SqliteVectorIndex; metadata: SqliteMetadataStore };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'faceblog-ops-'));
    stores = {
      blobs: new FsBlobStore({ root: path.join(dir, 'blobs') }),
      index: new SqliteVectorIndex({ file: path.join(dir, 'index.sqlite'), dimension: 8 }),
      metadata: new SqliteMetadataStore({ file: path.join(dir, 'metadata.sqlite') }),
    };
    ops = await startProcessOps({
      host: '127.0.0.1',
      port: 0,
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: `ops-test-${process.pid}`,
      stores,
    });
  });

  afterAll(async () => {
    await ops.close();
    await stores.index.close();
    await stores.metadata.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers /healthz, /readyz with every check, and /metrics', async () => {
    const base = `http://127.0.0.1:${ops.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    const body = await ready.text();
    for (const name of ['redis', 'index', 'metadata', 'storage']) expect(body).toContain(name);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^# HELP /m);
  });
});
