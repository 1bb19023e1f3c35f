/**
 * The TenantGuard of one process, for services that run without Redis (unit tests, a single embedded
 * process): the same contract as src/jobs/tenant-guard.ts, with the lock a promise chain per chat. In
 * one process a holder cannot lose its lock, so the fence only checks that no later holder exists.
 */
import { AppError, ErrorCode } from '../core/errors.js';
import type { Fence, JobLease, TenantGuard } from '../ports/tenant-guard.js';

export function createLocalTenantGuard(): TenantGuard {
  const generations = new Map<string, number>();
  const tails = new Map<string, Promise<unknown>>();
  const tokens = new Map<string, number>();
  const running = new Map<string, Set<string>>();
  const generation = (tenant: string) => generations.get(tenant) ?? 0;

  return {
    generation: (tenant) => Promise.resolve(generation(tenant)),
    advance(tenant) {
      generations.set(tenant, generation(tenant) + 1);
      return Promise.resolve(generation(tenant));
    },
    exclusive<T>(tenant: string, fn: (fence: Fence) => Promise<T>): Promise<T> {
      const before = tails.get(tenant) ?? Promise.resolve();
      const run = before.then(() => {
        const token = (tokens.get(tenant) ?? 0) + 1;
        tokens.set(tenant, token);
        return fn({
          token,
          check() {
            if (tokens.get(tenant) === token) return Promise.resolve();
            return Promise.reject(
              new AppError(ErrorCode.LockLost, `the lock on ${tenant} was lost`, { tenant, token }),
            );
          },
        });
      });
      tails.set(
        tenant,
        run.catch(() => undefined),
      );
      return run;
    },
    enter(tenant, gen, jobId) {
      const set = running.get(tenant) ?? new Set<string>();
      running.set(tenant, set.add(jobId));
      const lease: JobLease = {
        current: () => Promise.resolve(generation(tenant) === gen),
        release() {
          set.delete(jobId);
          return Promise.resolve();
        },
      };
      return Promise.resolve(lease);
    },
    async drained(tenant, timeoutMs) {
      const until = Date.now() + timeoutMs;
      while ((running.get(tenant)?.size ?? 0) > 0) {
        if (Date.now() > until) return false;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return true;
    },
    purge: () => Promise.resolve(0),
  };
}
