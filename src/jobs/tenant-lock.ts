import { randomUUID } from 'node:crypto';

import type { Redis } from 'ioredis';

import { AppError, ErrorCode } from '../core/errors.js';

export interface TenantLockOptions {
  /** Key prefix, so that test runs and deployments sharing a Redis never share locks. */
  readonly prefix: string;
  /** The lock expires this long after its last renewal, so a killed worker cannot hold it forever. */
  readonly ttlMs?: number;
  /** How long a job waits for the lock before it fails and BullMQ retries it with backoff. */
  readonly waitMs?: number;
}

/** Deletes the lock only if it is still ours (it may have expired and been taken by another worker). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * One holder at a time per chat, across every worker process: grouping an album reads and rewrites the
 * chat's people as a whole, so two albums of one chat grouped at once could both create the same
 * person. A Redis key with a token (SET NX PX), renewed while the work runs, released by token.
 */
export function createTenantLock(redis: Redis, opts: TenantLockOptions) {
  // 30 s covers a pause of the event loop several times over; renewal keeps long groupings locked.
  const ttlMs = opts.ttlMs ?? 30_000;
  const waitMs = opts.waitMs ?? 120_000;
  return async function exclusive<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
    const key = `${opts.prefix}:lock:tenant:${tenant}`;
    const token = randomUUID();
    const deadline = Date.now() + waitMs;
    // Polling is fine here: albums of one chat rarely overlap, and each grouping takes under a second.
    while ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') {
      if (Date.now() > deadline) {
        throw new AppError(ErrorCode.Io, `another worker is still grouping albums of ${tenant}`, {
          tenant,
          waitMs,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const renew = setInterval(() => {
      void redis.eval(RENEW, 1, key, token, String(ttlMs)).catch(() => undefined);
    }, ttlMs / 3);
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      await redis.eval(RELEASE, 1, key, token);
    }
  };
}

export type TenantLock = ReturnType<typeof createTenantLock>;
