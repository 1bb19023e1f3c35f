/**
 * "Forget all" while a photo job of the chat is half-way: the job has analyzed the photo (real `local`
 * models in a worker thread) and is held just before its first write; the forget starts, and the job is
 * let go once the chat's generation has changed. Afterwards the chat has no photo row, no vector, no
 * blob, the queues keep no file name or hash of it, a selfie finds nothing, and the same photo sent
 * again runs again instead of finding the finished job of before.
 */
import { createHash } from 'node:crypto';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { packInfo } from '../../src/app/create-app.js';
import { tenantPrefix } from '../../src/core/keys.js';
import { createHandlers } from '../../src/jobs/handlers.js';
import { startWorkers, type Workers } from '../../src/jobs/start-workers.js';
import { createTenantGuard } from '../../src/jobs/tenant-guard.js';
import type { PhotoAnalyzer } from '../../src/ports/photo-analyzer.js';
import { createAnalyzerPool } from '../../src/runtime/analyzer-pool.js';
import { listBlobs, REDIS_URL, startHarness, uploads, type Harness } from '../jobs/support/harness.js';
import { OBAMA_PHOTOS } from '../support/albums.js';
import { testModelsDir } from '../support/models.js';

const T = 'tg-9101';
const PHOTO = OBAMA_PHOTOS[0];

describe('forget while a photo job runs', () => {
  let h: Harness;
  let real: PhotoAnalyzer;
  let workers: Workers;
  let redis: Redis;
  let guardRedis: Redis;
  let guard: ReturnType<typeof createTenantGuard>;
  // The first analysis is held until `release`; later ones run through.
  let reached: () => void = () => undefined;
  const reachedP = new Promise<void>((resolve) => (reached = resolve));
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held = false;

  beforeAll(async () => {
    h = await startHarness({ worker: false });
    real = await createAnalyzerPool({ threads: 1, pack: h.pack, modelsDir: testModelsDir() });
    const gated: PhotoAnalyzer = {
      async analyze(bytes, request) {
        const result = await real.analyze(bytes, request);
        if (!held) {
          held = true;
          reached();
          await gate;
        }
        return result;
      },
      close: () => real.close(),
      pack: real.pack,
    };
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    guardRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    guard = createTenantGuard(guardRedis, { prefix: h.prefix });
    workers = startWorkers({
      connection: redis,
      prefix: h.prefix,
      handlers: createHandlers({ ...h.stores, pack: packInfo(h.pack), analyzer: gated, guard }),
    });
  }, 60_000);
  afterAll(async () => {
    await workers.close(true);
    await guard.close();
    await real.close();
    redis.disconnect();
    guardRedis.disconnect();
    await h.close();
  });

  it('leaves no row, vector, blob or queue trace, and a resend runs again', async () => {
    const [upload] = await uploads(PHOTO);
    if (!upload) throw new Error('fixture missing');
    await h.services.photos.submitAlbum(T, [upload], { albumId: 'race1' });
    await reachedP;

    const forgetting = h.services.privacy.forgetTenant(T);
    // Let the job go on only once the forget has changed the generation (the worst moment: the job
    // checked before, and now writes crops, vectors, the analysis and the photo row).
    for (let i = 0; (await guard.generation(T)) === 0; i++) {
      if (i > 200) throw new Error('the forget never changed the generation');
      await new Promise((r) => setTimeout(r, 25));
    }
    release();
    await forgetting;

    const left = {
      rows: (await h.stores.metadata.listAlbums(T)).length + (await h.stores.metadata.listPeople(T)).length,
      photo: await h.stores.metadata.getPhoto(T, sha(upload.bytes)),
      vectors: await h.stores.index.count({ tenant: T }),
      blobs: await listBlobs(h.stores, tenantPrefix(T)),
    };
    expect(left).toEqual({ rows: 0, photo: null, vectors: 0, blobs: [] });
    const found = await h.services.search.findBySelfie(T, upload.bytes);
    // The answer names the selfie's own hash (to answer "is this them?"), never a forgotten photo.
    expect(found.status).toBe('no-match');

    // Nothing in Redis names the photo (its hash) or the file it was sent as.
    const traces: string[] = [];
    for (const key of await redis.keys(`${h.prefix}:*`)) {
      const type = await redis.type(key);
      const read: Record<string, () => Promise<unknown>> = {
        hash: () => redis.hgetall(key),
        stream: () => redis.xrange(key, '-', '+'),
        zset: () => redis.zrange(key, '0', '-1'),
        list: () => redis.lrange(key, 0, -1),
        set: () => redis.smembers(key),
        string: () => redis.get(key),
      };
      const text = JSON.stringify(await (read[type] ?? (() => Promise.resolve('')))());
      if (`${key} ${text}`.includes(sha(upload.bytes)) || `${key} ${text}`.includes('obama.jpg')) {
        traces.push(key);
      }
    }
    expect(traces).toEqual([]);

    // The same photo again: a new generation, so new job ids, and it runs to the end.
    const again = await h.services.photos.submitAlbum(T, [upload], { albumId: 'race1' });
    expect(again.alreadyKnown).toBe(false);
    const status = await h.waitForAlbum(T, 'race1', 60_000);
    expect(status.status).toBe('done');
    expect(await h.stores.index.count({ tenant: T })).toBeGreaterThan(0);
  }, 120_000);
});

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
