/**
 * Entry point of a worker process: `node dist/main-worker.js` (or `faceblog worker`). Takes the parsed
 * configuration (src/config.ts), opens the stores and runs the photo and album queues until SIGTERM or
 * SIGINT, then finishes the photos in progress and exits. With FACEBLOG_OPS_PORT it answers /healthz,
 * /readyz and /metrics there.
 */
import type { Logger } from 'pino';

import { createWorkerApp } from './app/create-app.js';
import { openRuntime } from './app/open-runtime.js';
import { runAsMain, runUntilSignal } from './app/run-until-signal.js';
import type { Config } from './config.js';
import { lineLog } from './ops/logger.js';
import { startProcessOps } from './ops/process-ops.js';

/**
 * How long a shutdown waits for photos in progress before handing them back (Docker's default stop
 * grace period is 10 s; a photo takes well under a second on the local pack).
 */
const SHUTDOWN_GRACE_MS = 8000;

export async function runWorker(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const log = lineLog(logger);
  const { workerConfig, pack, modelsDir, stores } = await openRuntime(config, log);
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
  const ops =
    config.ops.port === null
      ? null
      : await startProcessOps({
          host: config.ops.host,
          port: config.ops.port,
          redisUrl: workerConfig.redisUrl,
          queuePrefix: workerConfig.queuePrefix,
          stores,
        });
  if (ops) log(`faceblog worker: health and metrics on port ${ops.port}`, { opsPort: ops.port });
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
export function runWorkerUntilSignal(config: Config, logger: Logger): Promise<number> {
  return runUntilSignal('faceblog worker', () => runWorker(config, logger), lineLog(logger));
}

runAsMain(import.meta.url, 'worker', runWorkerUntilSignal);
