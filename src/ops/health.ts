/**
 * Liveness and readiness. /healthz says the process is up (it answers at all); /readyz says it can do
 * its work: every check (Redis, vector index, metadata, blob storage) answers within the timeout.
 * An orchestrator restarts on a failed /healthz and only routes traffic on a passing /readyz.
 */
import type { Redis } from 'ioredis';

import { describeError } from '../core/errors.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { VectorIndex } from '../ports/vector-index.js';

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the dependency answers; rejects (or times out) when it does not. */
  check(): Promise<void>;
}

export interface Readiness {
  readonly ready: boolean;
  readonly checks: Record<string, { ok: boolean; ms: number; error?: string }>;
}

/**
 * A check that has not answered in 2 s counts as down: Kubernetes' default probe timeout is 1 s and
 * period 10 s; 2 s tolerates a busy Redis without letting a hung one look alive.
 */
export const CHECK_TIMEOUT_MS = 2000;

/** A tenant no chat can be (chats are `tg-…`/`dc-…`): probes read it and find nothing, touching no data. */
const PROBE_TENANT = 'ops-readiness-probe';

export function redisCheck(redis: Pick<Redis, 'ping'>): ReadinessCheck {
  return {
    name: 'redis',
    async check() {
      await redis.ping();
    },
  };
}

export function storeChecks(stores: {
  readonly blobs: BlobStore;
  readonly index: VectorIndex;
  readonly metadata: MetadataStore;
}): ReadinessCheck[] {
  return [
    {
      name: 'index',
      async check() {
        await stores.index.count({ tenant: PROBE_TENANT });
      },
    },
    {
      name: 'metadata',
      async check() {
        await stores.metadata.getAlbum(PROBE_TENANT, 'probe');
      },
    },
    {
      name: 'storage',
      async check() {
        await stores.blobs.head(`${PROBE_TENANT}/probe`);
      },
    },
  ];
}

export async function readiness(
  checks: readonly ReadinessCheck[],
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async (c) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          c.check(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              reject(new Error(`no answer within ${timeoutMs} ms`));
            }, timeoutMs);
          }),
        ]);
        return [c.name, { ok: true, ms: Math.round(performance.now() - started) }] as const;
      } catch (error) {
        return [
          c.name,
          { ok: false, ms: Math.round(performance.now() - started), error: describeError(error).message },
        ] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const byName: Readiness['checks'] = {};
  for (const [name, result] of results) byName[name] = result;
  return { ready: results.every(([, r]) => r.ok), checks: byName };
}
