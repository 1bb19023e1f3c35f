/**
 * What keeps one client from taking the API down: request rates per API key and per client address
 * (@fastify/rate-limit, answered `429` with `Retry-After`), and gates that bound work which holds memory
 * or a thread: selfie searches (a bounded queue answered `503` with `Retry-After` when full) and
 * imports per tenant (`429` past the limit).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { ApiLimits } from './deps.js';
import { HttpProblem } from './problem.js';

/** The key's id (`fbk_<id>_...`), never the secret: rate-limit state must not hold credentials. */
function keyId(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  const header = request.headers['x-api-key'];
  const key = typeof auth === 'string' ? /^Bearer\s+(\S+)$/i.exec(auth)?.[1] : header;
  if (typeof key !== 'string') return null;
  return /^fbk_([0-9a-f]{16})_/.exec(key)?.[1] ?? null;
}

export async function registerRateLimits(app: FastifyInstance, limits: ApiLimits): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) =>
      new HttpProblem('TOO_MANY_REQUESTS', `more than ${context.max} requests a minute; retry later`, {
        headers: { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) },
      }),
  });
  // Per address first (before authentication, so that guessing keys is throttled too), then per key.
  // The plugin's own hook runs once per request, so the address limit is applied by hand.
  const perIp = app.createRateLimit({ max: limits.ratePerIpPerMinute, keyGenerator: (r) => `ip:${r.ip}` });
  app.addHook('onRequest', async (request) => {
    const verdict = await perIp(request);
    if (verdict.isAllowed || !verdict.isExceeded) return;
    throw new HttpProblem(
      'TOO_MANY_REQUESTS',
      `more than ${verdict.max} requests a minute from one address`,
      {
        headers: { 'retry-after': String(Math.max(1, verdict.ttlInSeconds)) },
      },
    );
  });
  app.addHook(
    'onRequest',
    app.rateLimit({
      max: limits.ratePerKeyPerMinute,
      keyGenerator: (r) => `key:${keyId(r) ?? `ip:${r.ip}`}`,
    }),
  );
}

/** Runs at most `concurrency` tasks at once with at most `queue` waiting; past that, `503`. */
export function createGate(concurrency: number, queue: number, what: string) {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async function gated<T>(fn: () => Promise<T>): Promise<T> {
    if (running >= concurrency) {
      if (waiting.length >= queue) {
        throw new HttpProblem('BUSY', `too many ${what} in progress; retry shortly`, {
          headers: { 'retry-after': '2' },
        });
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else running += 1;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      // The slot passes straight to the next waiter; otherwise it is freed.
      if (next) next();
      else running -= 1;
    }
  };
}

/** At most `max` tasks at once per tenant; past that, `429`. */
export function createTenantSlots(max: number, what: string) {
  const inUse = new Map<string, number>();
  return async function slot<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
    const n = inUse.get(tenant) ?? 0;
    if (n >= max) {
      throw new HttpProblem('TOO_MANY_REQUESTS', `${max} ${what} of this tenant already running`, {
        headers: { 'retry-after': '5' },
      });
    }
    inUse.set(tenant, n + 1);
    try {
      return await fn();
    } finally {
      const left = (inUse.get(tenant) ?? 1) - 1;
      if (left === 0) inUse.delete(tenant);
      else inUse.set(tenant, left);
    }
  };
}
