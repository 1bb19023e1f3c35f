import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';

import { createTenantLock } from '../../src/jobs/tenant-lock.js';

/** The per-chat lock that keeps two workers from grouping albums of one chat at once (real Redis). */
describe('tenant lock', () => {
  const redis = new Redis('redis://127.0.0.1:6379');
  const prefix = `lock-test-${process.pid}-${Date.now()}`;
  afterAll(() => {
    redis.disconnect();
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('runs work of one chat one at a time, and of different chats side by side', async () => {
    // Two locks on two connections stand for two worker processes.
    const other = redis.duplicate();
    const a = createTenantLock(redis, { prefix });
    const b = createTenantLock(other, { prefix });
    const events: string[] = [];
    const work = (name: string) => async () => {
      events.push(`${name} start`);
      await sleep(150);
      events.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([a('tg-1', work('a1')), b('tg-1', work('b1')), b('tg-2', work('b2'))]);
    other.disconnect();
    expect(results).toEqual(['a1', 'b1', 'b2']);
    // The two tg-1 runs never overlap; tg-2 overlaps one of them.
    const first = events.indexOf('a1 start') < events.indexOf('b1 start') ? 'a1' : 'b1';
    const second = first === 'a1' ? 'b1' : 'a1';
    expect(events.indexOf(`${first} end`)).toBeLessThan(events.indexOf(`${second} start`));
    expect(events.indexOf('b2 start')).toBeLessThan(events.indexOf(`${first} end`));
    expect(await redis.exists(`${prefix}:lock:tenant:tg-1`)).toBe(0);
  });

  it('releases the lock when the work throws, and gives up after waitMs', async () => {
    const lock = createTenantLock(redis, { prefix, waitMs: 300 });
    await expect(lock('tg-3', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await redis.exists(`${prefix}:lock:tenant:tg-3`)).toBe(0);
    // A holder that keeps the lock longer than the other side will wait.
    const holder = lock('tg-3', () => sleep(800));
    await sleep(50);
    await expect(lock('tg-3', () => Promise.resolve('late'))).rejects.toMatchObject({ code: 'IO_ERROR' });
    await holder;
  });
});
