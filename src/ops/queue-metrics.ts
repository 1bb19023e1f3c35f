/**
 * Feeds the job metrics from BullMQ: counts by state on each scrape, and, from the queues' event
 * streams, faces indexed, job latencies and failures by code. Any process that can reach Redis can run
 * it (the API does); the events are the workers' own, so nothing in the workers changes.
 */
import { Job, type JobType, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';

import { QueueName } from '../jobs/names.js';
import type { Metrics } from './metrics.js';

/** States BullMQ counts; `waiting-children` is an album waiting for its photos. */
const STATES: JobType[] = [
  'waiting',
  'active',
  'delayed',
  'completed',
  'failed',
  'waiting-children',
  'prioritized',
];

export interface QueueMetrics {
  waitUntilReady(): Promise<void>;
  close(): Promise<void>;
}

export function observeQueues(metrics: Metrics, redisUrl: string, prefix: string): QueueMetrics {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const eventConnections: Redis[] = [];
  const queues = Object.values(QueueName).map((name) => new Queue(name, { connection, prefix }));
  metrics.countJobsWith(async () => {
    const out: Record<string, Record<string, number>> = {};
    for (const queue of queues) out[queue.name] = await queue.getJobCounts(...STATES);
    return out;
  });
  const events = queues.map((queue) => {
    // QueueEvents blocks on XREAD: one connection each.
    const eventsConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    eventConnections.push(eventsConnection);
    const queueEvents = new QueueEvents(queue.name, { connection: eventsConnection, prefix });
    queueEvents.on('completed', ({ jobId, returnvalue }) => {
      const value: unknown = typeof returnvalue === 'string' ? safeParse(returnvalue) : returnvalue;
      if (queue.name === QueueName.photos && isIndexed(value)) metrics.facesIndexed.inc(value.faces);
      void Job.fromId(queue, jobId).then(
        (job) => {
          if (job?.processedOn && job.finishedOn) {
            metrics.stageSeconds.observe(
              { stage: `job:${queue.name}` },
              (job.finishedOn - job.processedOn) / 1000,
            );
          }
        },
        () => undefined,
      );
    });
    queueEvents.on('failed', ({ failedReason }) => {
      // Permanent failures are thrown as "CODE: message" (src/jobs/handlers.ts).
      const code = /^([A-Z][A-Z0-9_]+): /.exec(failedReason)?.[1] ?? 'JOB_FAILED';
      metrics.errors.inc({ code, source: `job:${queue.name}` });
    });
    return queueEvents;
  });
  return {
    async waitUntilReady() {
      await Promise.all(events.map((e) => e.waitUntilReady()));
    },
    async close() {
      await Promise.all(events.map((e) => e.close()));
      await Promise.all(queues.map((q) => q.close()));
      connection.disconnect();
      for (const c of eventConnections) c.disconnect();
    },
  };
}

function isIndexed(value: unknown): value is { status: 'indexed'; faces: number } {
  const v = value as { status?: unknown; faces?: unknown } | null;
  return typeof v === 'object' && v !== null && v.status === 'indexed' && typeof v.faces === 'number';
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
