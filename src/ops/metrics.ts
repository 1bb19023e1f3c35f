/**
 * Prometheus metrics (prom-client), one registry per process: jobs by state (read from Redis on each
 * scrape), stage latencies (analyzer stages, jobs, HTTP requests), faces indexed and errors by code.
 * Names follow Prometheus conventions: base units (seconds), `_total` for counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import { describeError } from '../core/errors.js';
import type { PhotoAnalyzer } from '../ports/photo-analyzer.js';

/**
 * Seconds, from 5 ms (a decode of a small photo) to 60 s (an album job of a large album); the local
 * pack takes 0.1–0.5 s per photo on one core.
 */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Counts of jobs per queue and state; read on scrape. */
export type JobCounter = () => Promise<Record<string, Record<string, number>>>;

export interface Metrics {
  readonly registry: Registry;
  readonly stageSeconds: Histogram<'stage'>;
  readonly facesIndexed: Counter;
  readonly errors: Counter<'code' | 'source'>;
  readonly httpSeconds: Histogram<'method' | 'route' | 'status'>;
  /** Sets where jobs by state come from (the process that knows the queues). */
  countJobsWith(counter: JobCounter): void;
  /** Text exposition format for /metrics. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'faceblog_' });
  let jobCounter: JobCounter | null = null;
  new Gauge({
    name: 'faceblog_jobs',
    help: 'Jobs per queue and state (waiting, active, delayed, completed, failed, waiting-children).',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      if (!jobCounter) return;
      this.reset();
      const counts = await jobCounter();
      for (const [queue, states] of Object.entries(counts)) {
        for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
      }
    },
  });
  const stageSeconds = new Histogram({
    name: 'faceblog_stage_seconds',
    help: 'Latency of pipeline stages (decode, detect, embed, ...) and of whole jobs (job:<queue>).',
    labelNames: ['stage'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const facesIndexed = new Counter({
    name: 'faceblog_faces_indexed_total',
    help: 'Faces written to the vector index by completed photo jobs.',
    registers: [registry],
  });
  const errors = new Counter({
    name: 'faceblog_errors_total',
    help: 'Errors by stable code (AppError codes, HTTP problem types) and where they happened.',
    labelNames: ['code', 'source'],
    registers: [registry],
  });
  const httpSeconds = new Histogram({
    name: 'faceblog_http_request_seconds',
    help: 'HTTP API requests by route template and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    stageSeconds,
    facesIndexed,
    errors,
    httpSeconds,
    countJobsWith(counter) {
      jobCounter = counter;
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/** An analyzer that records its stage timings and its errors by code; otherwise the same analyzer. */
export function instrumentAnalyzer(analyzer: PhotoAnalyzer, metrics: Metrics, source: string): PhotoAnalyzer {
  return {
    pack: analyzer.pack,
    async analyze(bytes, request) {
      try {
        const analyzed = await analyzer.analyze(bytes, request);
        for (const [stage, ms] of Object.entries(analyzed.timings)) {
          metrics.stageSeconds.observe({ stage }, ms / 1000);
        }
        return analyzed;
      } catch (error) {
        metrics.errors.inc({ code: describeError(error).code, source });
        throw error;
      }
    },
    close: () => analyzer.close(),
  };
}
