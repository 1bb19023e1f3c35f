/**
 * The TenantGuard port on Redis, shared by every worker, bot and API process of a deployment:
 *
 * - generation: `<prefix>:gen:<tenant>`, INCR by forget; jobs carry the generation they were queued
 *   under (in their payload and their id), and a job of an older generation writes nothing.
 * - the chat's one lock: `<prefix>:lock:tenant:<tenant>` (SET NX PX, renewed while the work runs) plus a
 *   fencing counter `<prefix>:fence:<tenant>` taken in the same script. A holder checks before every
 *   write that the lock is still its own and that no later holder took a larger token; a lost renewal
 *   marks the fence lost at once, so a holder that stalled past its lease never writes again.
 * - running jobs: a sorted set `<prefix>:running:<tenant>` of job ids scored by lease expiry, renewed
 *   while the job runs, so a killed worker's entry lapses by itself.
 */
import { randomUUID } from 'node:crypto';

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

import { AppError, ErrorCode } from '../core/errors.js';
import { tenantId } from '../core/keys.js';
import type { Fence, JobLease, TenantGuard } from '../ports/tenant-guard.js';
import { QueueName } from './names.js';

export interface TenantGuardOptions {
  /** Key prefix (the queues' prefix), so that test runs and deployments sharing a Redis never meet. */
  readonly prefix: string;
  /** The lock expires this long after its last renewal, so a killed worker cannot hold it forever. */
  readonly ttlMs?: number;
  /** How long a caller waits for the lock before it fails (a job is then retried with backoff). */
  readonly waitMs?: number;
  /** A running job's register entry lapses this long after its last renewal. */
  readonly leaseMs?: number;
}

/** Takes the lock and, only if it was free, the next fencing token (0: the lock is held). */
const ACQUIRE = `if redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return redis.call('incr', KEYS[2]) else return 0 end`;
/** 1 while the lock is ours and no later holder has taken a token. */
const HELD = `if redis.call('get', KEYS[1]) == ARGV[1] and redis.call('get', KEYS[2]) == ARGV[2] then return 1 else return 0 end`;
/** Deletes the lock only if it is still ours (it may have expired and been taken by another process). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createTenantGuard(
  redis: Redis,
  opts: TenantGuardOptions,
): TenantGuard & {
  close(): Promise<void>;
} {
  // 30 s covers a pause of the event loop several times over; renewal keeps long groupings locked.
  const ttlMs = opts.ttlMs ?? 30_000;
  const waitMs = opts.waitMs ?? 120_000;
  // A photo job takes seconds; renewed every third of this, so only a dead worker's entry lapses.
  const leaseMs = opts.leaseMs ?? 30_000;
  const key = (what: string, tenant: string) => `${opts.prefix}:${what}:${tenantId(tenant)}`;
  const lockKey = (tenant: string) => `${opts.prefix}:lock:tenant:${tenantId(tenant)}`;
  let queues: Queue[] | null = null;
  const openQueues = () =>
    (queues ??= [QueueName.photos, QueueName.albums].map(
      (name) => new Queue(name, { connection: redis, prefix: opts.prefix }),
    ));

  async function generation(tenant: string): Promise<number> {
    return Number((await redis.get(key('gen', tenant))) ?? 0);
  }

  return {
    generation,

    async advance(tenant) {
      return redis.incr(key('gen', tenant));
    },

    async exclusive<T>(tenant: string, fn: (fence: Fence) => Promise<T>): Promise<T> {
      const lk = lockKey(tenant);
      const fk = key('fence', tenant);
      const owner = randomUUID();
      const deadline = Date.now() + waitMs;
      let token = 0;
      // Polling is fine here: changes to one chat's people rarely overlap, and each takes about a second.
      while ((token = Number(await redis.eval(ACQUIRE, 2, lk, fk, owner, String(ttlMs)))) === 0) {
        if (Date.now() > deadline) {
          throw new AppError(ErrorCode.Io, `another process is still changing the people of ${tenant}`, {
            tenant,
            waitMs,
          });
        }
        await sleep(100);
      }
      let lost = false;
      const renew = setInterval(() => {
        redis.eval(RENEW, 1, lk, owner, String(ttlMs)).then(
          (ok) => {
            if (Number(ok) !== 1) lost = true;
          },
          () => {
            // Not knowing whether the renewal landed is the same as having lost it.
            lost = true;
          },
        );
      }, ttlMs / 3);
      const fence: Fence = {
        token,
        async check() {
          if (!lost && Number(await redis.eval(HELD, 2, lk, fk, owner, String(token))) === 1) return;
          lost = true;
          throw new AppError(ErrorCode.LockLost, `the lock on ${tenant} was lost; nothing more is written`, {
            tenant,
            token,
          });
        },
      };
      try {
        return await fn(fence);
      } finally {
        clearInterval(renew);
        await redis.eval(RELEASE, 1, lk, owner);
      }
    },

    async enter(tenant, gen, jobId) {
      const rk = key('running', tenant);
      await redis.zadd(rk, Date.now() + leaseMs, jobId);
      const renew = setInterval(() => {
        void redis.zadd(rk, 'XX', Date.now() + leaseMs, jobId).catch(() => undefined);
      }, leaseMs / 3);
      const lease: JobLease = {
        // Entered before this check: a forget that bumps the generation after it waits for this job.
        current: async () => (await generation(tenant)) === gen,
        async release() {
          clearInterval(renew);
          await redis.zrem(rk, jobId);
        },
      };
      return lease;
    },

    async drained(tenant, timeoutMs) {
      const rk = key('running', tenant);
      const until = Date.now() + timeoutMs;
      for (;;) {
        await redis.zremrangebyscore(rk, '-inf', Date.now());
        if ((await redis.zcard(rk)) === 0) return true;
        if (Date.now() > until) return false;
        await sleep(100);
      }
    },

    async purge(tenant) {
      tenantId(tenant);
      let removed = 0;
      for (const queue of openQueues()) {
        const jobPrefix = `${queue.name === QueueName.photos ? 'photo' : 'album'}_${tenant}_`;
        const base = `${opts.prefix}:${queue.name}:`;
        const ids = new Set<string>();
        for await (const keys of redis.scanStream({ match: `${base}${jobPrefix}*`, count: 500 })) {
          for (const k of keys as string[]) ids.add(k.slice(base.length).split(':')[0] ?? '');
        }
        for (const id of ids) {
          // A job that cannot be removed (still locked by a worker that died) is deleted key by key.
          const ok = await queue.remove(id, { removeChildren: true }).catch(() => 0);
          if (ok !== 1) await dropJobKeys(redis, base, id);
          removed += 1;
        }
        // Progress and completion events name the job (and with it the photo's hash).
        await dropEvents(redis, `${base}events`, jobPrefix);
      }
      await redis.del(key('running', tenant));
      return removed;
    },

    async close() {
      if (queues) await Promise.all(queues.map((q) => q.close()));
    },
  };
}

/** The job's own keys and its entries in the queue's lists and sets. */
async function dropJobKeys(redis: Redis, base: string, id: string): Promise<void> {
  const own: string[] = [];
  for await (const keys of redis.scanStream({ match: `${base}${id}*`, count: 500 })) {
    own.push(...(keys as string[]).filter((k) => k === `${base}${id}` || k.startsWith(`${base}${id}:`)));
  }
  if (own.length > 0) await redis.del(...own);
  for (const list of ['wait', 'active', 'paused']) await redis.lrem(`${base}${list}`, 0, id);
  for (const set of ['completed', 'failed', 'delayed', 'prioritized', 'waiting-children']) {
    await redis.zrem(`${base}${set}`, id);
  }
}

async function dropEvents(redis: Redis, stream: string, jobPrefix: string): Promise<void> {
  let start = '-';
  for (;;) {
    const entries = await redis.xrange(stream, start, '+', 'COUNT', 1000);
    if (entries.length === 0) return;
    const doomed = entries
      .filter(([, fields]) => fields.some((v) => v.includes(jobPrefix)))
      .map(([id]) => id);
    if (doomed.length > 0) await redis.xdel(stream, ...doomed);
    const last = entries.at(-1)?.[0];
    if (last === undefined || entries.length < 1000) return;
    start = `(${last}`;
  }
}
