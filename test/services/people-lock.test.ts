/**
 * Every change to a chat's people takes the chat's one lock (the one album grouping and forget take),
 * and writes through fenced ports: a merge waits for a grouping in progress, and a holder whose lock was
 * lost writes nothing. Real Redis guard, real SQLite stores.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SqliteMetadataStore } from '../../src/adapters/sqlite-metadata-store.js';
import { SqliteVectorIndex } from '../../src/adapters/sqlite-vector-index.js';
import { FsBlobStore } from '../../src/adapters/fs-blob-store.js';
import { createTenantGuard } from '../../src/jobs/tenant-guard.js';
import type { ServiceDeps } from '../../src/services/deps.js';
import { fencedDeps } from '../../src/services/fenced-deps.js';
import { createPeopleService } from '../../src/services/people-service.js';
import { REDIS_URL } from '../jobs/support/harness.js';

const T = 'tg-8801';

describe('changes to people are serialised per chat', () => {
  let dir: string;
  let redis: Redis;
  let deps: ServiceDeps;
  const prefix = `people-lock-${process.pid}-${Date.now()}`;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'faceblog-people-lock-'));
    redis = new Redis(REDIS_URL);
    const metadata = new SqliteMetadataStore({ file: path.join(dir, 'metadata.sqlite') });
    await metadata.migrate();
    deps = {
      blobs: new FsBlobStore({ root: path.join(dir, 'blobs') }),
      index: new SqliteVectorIndex({ file: path.join(dir, 'index.sqlite'), dimension: 8 }),
      metadata,
      pack: {
        name: 'p',
        dim: 8,
        thresholds: {
          match: 0.5,
          cluster: 0.5,
          qualityIndex: 0.5,
          qualitySearch: 0.5,
          search: { sure: 0.6, unsure: 0.5, margin: 0.05, topK: 3 },
        },
      },
      guard: createTenantGuard(redis, { prefix, ttlMs: 300 }),
    };
  });
  afterAll(async () => {
    await deps.index.close();
    await deps.metadata.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  const person = (id: string, name: string | null) => ({
    id,
    tenant: T,
    name,
    centroid: null,
    faceCount: 1,
    coverFace: null,
    createdAt: new Date(0).toISOString(),
  });

  it('a rename waits for a grouping that holds the chat lock', async () => {
    await deps.metadata.savePerson(person('p1', null));
    const events: string[] = [];
    const grouping = deps.guard.exclusive(T, async () => {
      events.push('grouping start');
      await new Promise((r) => setTimeout(r, 400));
      events.push('grouping end');
    });
    await new Promise((r) => setTimeout(r, 50));
    const people = createPeopleService(deps);
    const naming = people.namePerson(T, 'p1', 'Anna').then(() => events.push('named'));
    await Promise.all([grouping, naming]);
    expect(events).toEqual(['grouping start', 'grouping end', 'named']);
    expect((await deps.metadata.getPerson(T, 'p1'))?.name).toBe('Anna');
  });

  it('a holder whose lease lapsed writes nothing through the fenced ports', async () => {
    const stale = deps.guard.exclusive(T, async (fence) => {
      const locked = fencedDeps(deps, fence);
      // Frozen past the 300 ms lease: the renewal timer never runs, another holder takes the lock.
      const until = Date.now() + 500;
      while (Date.now() < until) {
        /* a long pause */
      }
      await new Promise((r) => setTimeout(r, 200));
      await locked.metadata.savePerson(person('ghost', 'Recreated'));
    });
    await new Promise((r) => setTimeout(r, 550));
    await deps.guard.exclusive(T, (fence) => fencedDeps(deps, fence).metadata.deletePerson(T, 'p1'));
    await expect(stale).rejects.toMatchObject({ code: 'LOCK_LOST' });
    expect(await deps.metadata.getPerson(T, 'ghost')).toBeNull();
  });
});
