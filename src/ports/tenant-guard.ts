/**
 * What keeps a chat's data consistent across processes: its generation (bumped by "forget all", so a
 * job queued before the forget can tell it is stale), the one lock with a fencing token that every
 * change to the chat's people takes, and the register of the chat's running jobs that forget waits on
 * before it sweeps a second time. Implemented on Redis (src/jobs/tenant-guard.ts), which every process
 * that queues or runs jobs already shares.
 */
export interface Fence {
  /** Increases with every acquisition of the chat's lock; a later holder always has a larger token. */
  readonly token: number;
  /**
   * Throws a coded conflict when the lock is no longer ours (a renewal was lost, or a later holder took
   * it): called before every write, so a holder that stalled past its lease writes nothing.
   */
  check(): Promise<void>;
}

export interface JobLease {
  /** True while the chat is still at the generation the job was queued under. */
  current(): Promise<boolean>;
  /** Leaves the register; always call it, in `finally`. */
  release(): Promise<void>;
}

export interface TenantGuard {
  /** The chat's generation: 0 until its first "forget all", then one more per forget. */
  generation(tenant: string): Promise<number>;
  /** Bumps the generation: every job and write queued under an older one is now stale. */
  advance(tenant: string): Promise<number>;
  /** Runs `fn` holding the chat's lock (every change to people, grouping and forget go through it). */
  exclusive<T>(tenant: string, fn: (fence: Fence) => Promise<T>): Promise<T>;
  /** Registers a running job of the chat queued under `generation`, until `release`. */
  enter(tenant: string, generation: number, jobId: string): Promise<JobLease>;
  /** Resolves true once no job of the chat is registered, false when `timeoutMs` passed first. */
  drained(tenant: string, timeoutMs: number): Promise<boolean>;
  /**
   * Removes what the queues keep of the chat (finished and failed jobs with their file names, hashes in
   * job ids, event stream entries); returns the number of jobs removed.
   */
  purge(tenant: string): Promise<number>;
}
