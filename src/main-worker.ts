/**
 * Entry point of a worker process: `node dist/main-worker.js` (or `faceblog worker`). Reads the
 * environment (see src/app/worker-config.ts and src/config.ts), opens the stores and runs the photo and
 * album queues until SIGTERM or SIGINT, then finishes the photos in progress and exits.
 */
import { createWorkerApp } from './app/create-app.js';
import { openRuntime } from './app/open-runtime.js';
import { runAsMain, runUntilSignal } from './app/run-until-signal.js';
import { startProcessOps } from './ops/process-ops.js';

/**
 * How long a shutdown waits for photos in progress before handing them back (Docker's default stop
 * grace period is 10 s; a photo takes well under a second on the local pack).
 */
const SHUTDOWN_GRACE_MS = 8000;

export async function runWorker(
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): Promise<() => Promise<void>> {
  const { workerConfig, pack, modelsDir, stores } = await openRuntime(env, log);
  const app = await createWorkerApp({
    redisUrl: workerConfig.redisUrl,
    prefix: workerConfig.queuePrefix,
    stores,
    pack,
    modelsDir,
    concurrency: workerConfig.concurrency,
    ...(workerConfig.lockDurationMs === null ? {} : { lockDurationMs: workerConfig.lockDurationMs }),
    ...(workerConfig.stalledIntervalMs === null ? {} : { stalledIntervalMs: workerConfig.stalledIntervalMs }),
    log,
  });
  log(
    `faceblog worker: pack ${pack.name}, ${workerConfig.concurrency} photo(s) at a time, prefix ${workerConfig.queuePrefix}`,
  );
  // FACEBLOG_OPS_PORT: /healthz, /readyz and /metrics for the orchestrator and Prometheus.
  const opsPort = env.FACEBLOG_OPS_PORT ? Number(env.FACEBLOG_OPS_PORT) : null;
  const ops =
    opsPort === null
      ? null
      : await startProcessOps({
          host: env.FACEBLOG_OPS_HOST ?? '0.0.0.0',
          port: opsPort,
          redisUrl: workerConfig.redisUrl,
          queuePrefix: workerConfig.queuePrefix,
          stores,
        });
  if (ops) log(`faceblog worker: health and metrics on port ${ops.port}`);
  return async () => {
    await ops?.close();
    // Finish the photos in progress; past the grace period, hand them back to the queue.
    const timer = setTimeout(() => void app.close(true), SHUTDOWN_GRACE_MS);
    await app.close();
    clearTimeout(timer);
    await stores.close();
  };
}

/** Runs the worker until SIGTERM or SIGINT, then stops it; resolves with the exit code. */
export function runWorkerUntilSignal(
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): Promise<number> {
  return runUntilSignal('faceblog worker', () => runWorker(env, log), log);
}

runAsMain(import.meta.url, 'faceblog worker', (log) => runWorkerUntilSignal(process.env, log));
