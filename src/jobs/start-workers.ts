/**
 * The BullMQ workers of both queues, with the settings that keep an album safe when a worker dies:
 * a job whose lock is not renewed within `lockDurationMs` is found by the stalled check (every
 * `stalledIntervalMs`) and handed to another worker; after `maxStalledCount` such hand-overs it fails.
 * Photo jobs are idempotent (content-derived keys and point ids), so a second run doubles nothing.
 */
import { type ConnectionOptions, type Job, Queue, Worker } from 'bullmq';

import {
  type HandlerMap,
  type JobContext,
  JobName,
  type JobPayloads,
  type JobResults,
  type IndexPhotoPayload,
  QueueName,
} from './names.js';
import type { Log } from '../core/log.js';

export interface WorkerSettings {
  /** Photos analyzed at once by this process; match it to the analyzer pool's threads (default 1). */
  readonly concurrency?: number;
  /**
   * BullMQ's defaults (30 s lock, 30 s stalled check): a killed worker's photo resumes elsewhere within
   * about a minute. Tests shorten both to see it happen in seconds.
   */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  /**
   * Hand-overs before a stalled job fails (default 2, BullMQ's is 1): one crash of a worker should not
   * cost a photo, a photo that crashes every worker it reaches should.
   */
  readonly maxStalledCount?: number;
}

export interface Workers {
  readonly photos: Worker;
  readonly albums: Worker;
  /** Waits for jobs in progress to finish (or, with `force`, hands them back) and disconnects. */
  close(force?: boolean): Promise<void>;
}

export interface StartWorkersOptions extends WorkerSettings {
  readonly connection: ConnectionOptions;
  /** Redis key prefix (default `bull`); tests use their own. */
  readonly prefix?: string;
  readonly handlers: HandlerMap;
  /** Each finished or failed job, with its queue, job, tenant and album ids as fields. */
  readonly log?: Log;
}

export function startWorkers(options: StartWorkersOptions): Workers {
  const { connection, prefix, handlers } = options;
  const log = options.log ?? (() => undefined);
  const common = {
    connection,
    ...(prefix === undefined ? {} : { prefix }),
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 2,
  };
  // Job names of failed children come from their payloads; one Queue handle reads them.
  const photoQueue = new Queue<IndexPhotoPayload>(QueueName.photos, {
    connection,
    ...(prefix === undefined ? {} : { prefix }),
  });

  function context<N extends JobName>(job: Job<JobPayloads[N]>): JobContext<N> {
    const attempts = job.opts.attempts ?? 1;
    return {
      data: job.data,
      attempt: job.attemptsMade + 1,
      lastAttempt: job.attemptsMade + 1 >= attempts,
      id: job.id ?? '',
      progress: (value) => job.updateProgress({ ...value }),
      async failedChildren() {
        const failures = await job.getIgnoredChildrenFailures();
        const out: Record<string, string> = {};
        for (const [key, message] of Object.entries(failures)) {
          const id = key.slice(key.lastIndexOf(':') + 1);
          const child = await photoQueue.getJob(id);
          out[child?.data.name ?? id] = message;
        }
        return out;
      },
    };
  }

  const photos = new Worker<JobPayloads[typeof JobName.indexPhoto], JobResults[typeof JobName.indexPhoto]>(
    QueueName.photos,
    (job) => handlers[JobName.indexPhoto](context<typeof JobName.indexPhoto>(job)),
    { ...common, concurrency: options.concurrency ?? 1 },
  );
  // One album at a time per process: grouping reads and writes the chat's people as a whole.
  const albums = new Worker<JobPayloads[typeof JobName.groupAlbum], JobResults[typeof JobName.groupAlbum]>(
    QueueName.albums,
    (job) => handlers[JobName.groupAlbum](context<typeof JobName.groupAlbum>(job)),
    { ...common, concurrency: 1 },
  );
  const jobFields = (queue: string, job: Job<{ tenant: string; albumId: string }> | undefined) => ({
    queue,
    jobId: job?.id,
    tenant: job?.data.tenant,
    albumId: job?.data.albumId,
    attempt: job?.attemptsMade,
  });
  for (const worker of [photos, albums] as unknown as Array<Worker<{ tenant: string; albumId: string }>>) {
    worker.on('completed', (job, result: unknown) => {
      const status = (result as { status?: unknown } | null)?.status;
      log(`${worker.name} job done`, {
        ...jobFields(worker.name, job),
        status: typeof status === 'string' ? status : undefined,
        ms: job.finishedOn && job.processedOn ? job.finishedOn - job.processedOn : undefined,
      });
    });
    worker.on('failed', (job, error) => {
      log(
        `${worker.name} job ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`,
        { level: 'warn', ...jobFields(worker.name, job) },
      );
    });
    worker.on('error', (error) => {
      log(`${worker.name} worker error: ${error.message}`, { level: 'error', queue: worker.name });
    });
  }
  return {
    photos,
    albums,
    async close(force = false) {
      await Promise.all([photos.close(force), albums.close(force)]);
      await photoQueue.close();
    },
  };
}
