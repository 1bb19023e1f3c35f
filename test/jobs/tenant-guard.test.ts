import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

import { createTenantGuard } from '../../src/jobs/tenant-guard.js';

/**
 * The per-chat guard on real Redis: the one lock (with a fencing token) that grouping, merges, splits
 * and forgets take, the generation that forget bumps, and the register of running jobs.
 */
describe('tenant guard', () => {
  const redis = new Redis('redis://127.0.0.1:6379');
  const prefix = `guard-test-${process.pid}-${Date.now()}`;
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('runs work of one chat one at a time, and of different chats side by side', async () => {
    // Two guards on two connections stand for two processes.
    const other = redis.duplicate();
    const a = createTenantGuard(redis, { prefix });
    const b = createTenantGuard(other, { prefix });
    const events: string[] = [];
    const work = (name: string) => async () => {
      events.push(`${name} start`);
      await sleep(150);
      events.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([
      a.exclusive('tg-1', work('a1')),
      b.exclusive('tg-1', work('b1')),
      b.exclusive('tg-2', work('b2')),
    ]);
    other.disconnect();
    expect(results).toEqual(['a1', 'b1', 'b2']);
    const first = events.indexOf('a1 start') < events.indexOf('b1 start') ? 'a1' : 'b1';
    const second = first === 'a1' ? 'b1' : 'a1';
    expect(events.indexOf(`${first} end`)).toBeLessThan(events.indexOf(`${second} start`));
    expect(events.indexOf('b2 start')).toBeLessThan(events.indexOf(`${first} end`));
    expect(await redis.exists(`${prefix}:lock:tenant:tg-1`)).toBe(0);
  });

  it('releases the lock when the work throws, and gives up after waitMs', async () => {
    const guard = createTenantGuard(redis, { prefix, waitMs: 300 });
    await expect(guard.exclusive('tg-3', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await redis.exists(`${prefix}:lock:tenant:tg-3`)).toBe(0);
    const holder = guard.exclusive('tg-3', () => sleep(800));
    await sleep(50);
    await expect(guard.exclusive('tg-3', () => Promise.resolve('late'))).rejects.toMatchObject({
      code: 'IO_ERROR',
    });
    await holder;
  });

  it('fences a holder whose lease lapsed: the later holder has a larger token, the stale one writes nothing', async () => {
    // A 200 ms lease whose renewals never land stands for a holder frozen by a long pause.
    const slow = createTenantGuard(redis, { prefix, ttlMs: 200 });
    const fast = createTenantGuard(redis, { prefix });
    const writes: string[] = [];
    let staleToken = 0;
    let freshToken = 0;
    const stale = slow.exclusive('tg-4', async (fence) => {
      staleToken = fence.token;
      await fence.check();
      writes.push('stale first');
      // Freeze past the lease (the renewal timer is starved, as in a real pause).
      const until = Date.now() + 400;
      while (Date.now() < until) {
        /* busy */
      }
      await sleep(300);
      await fence.check();
      writes.push('stale second');
    });
    await sleep(450);
    await fast.exclusive('tg-4', async (fence) => {
      freshToken = fence.token;
      await fence.check();
      writes.push('fresh');
    });
    await expect(stale).rejects.toMatchObject({ code: 'LOCK_LOST' });
    expect(freshToken).toBeGreaterThan(staleToken);
    expect(writes).toEqual(['stale first', 'fresh']);
  });

  it('bumps the generation, and waits for the running jobs of a chat to leave', async () => {
    const guard = createTenantGuard(redis, { prefix, leaseMs: 3000 });
    expect(await guard.generation('tg-5')).toBe(0);
    const lease = await guard.enter('tg-5', 0, 'photo_tg-5_g0_x');
    expect(await lease.current()).toBe(true);
    expect(await guard.advance('tg-5')).toBe(1);
    expect(await lease.current()).toBe(false);
    expect(await guard.drained('tg-5', 150)).toBe(false);
    setTimeout(() => void lease.release(), 200);
    expect(await guard.drained('tg-5', 5000)).toBe(true);
  });
});
