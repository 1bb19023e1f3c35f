/**
 * Entry point of the HTTP API: `faceblog serve`. Takes the parsed configuration (src/config.ts), opens
 * the same stores and queues as the worker, and serves the API until stopped. Photos it accepts are
 * processed by `faceblog worker` processes; the API itself runs one analyzer thread, for selfie search.
 * /healthz, /readyz and /metrics answer on the API's port, and also on FACEBLOG_OPS_PORT when that is
 * set (the image's health check probes the same port in every container).
 */
import { Redis } from 'ioredis';
import type { Logger } from 'pino';

import { packInfo } from './app/create-app.js';
import { openServiceRuntime } from './app/open-runtime.js';
import { runAsMain, runUntilSignal } from './app/run-until-signal.js';
import { apiKeyStore } from './http/api-keys.js';
import { createApiServer } from './http/create-server.js';
import type { Config } from './config.js';
import { createImportService } from './import/import-service.js';
import { redisCheck, storeChecks } from './ops/health.js';
import { lineLog } from './ops/logger.js';
import { createMetrics, instrumentAnalyzer } from './ops/metrics.js';
import { startOpsServer } from './ops/ops-server.js';
import { observeQueues } from './ops/queue-metrics.js';

/** Stops the server; `port` is where it listened (useful with FACEBLOG_HTTP_PORT=0). */
export type StopServe = (() => Promise<void>) & { readonly port: number };

export async function runServe(config: Config, logger: Logger): Promise<StopServe> {
  const serveConfig = config.serve;
  const log = lineLog(logger);
  const metrics = createMetrics();
  // The API analyzes selfies for search; photos it accepts go to the workers.
  const runtime = await openServiceRuntime(config, log, {
    wrapAnalyzer: (analyzer) => instrumentAnalyzer(analyzer, metrics, 'api-search'),
  });
  const { workerConfig, pack, stores, services } = runtime;
  const queueMetrics = observeQueues(metrics, workerConfig.redisUrl, workerConfig.queuePrefix);
  // Readiness pings fail fast instead of queueing while Redis is away.
  const probe = new Redis(workerConfig.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  probe.on('error', () => undefined);
  const readinessChecks = [redisCheck(probe), ...storeChecks(stores)];
  const server = await createApiServer({
    services,
    importer: createImportService({ photos: services.photos }),
    stores,
    pack: packInfo(pack),
    apiKeys: apiKeyStore(config.dataDir),
    logger,
    metrics,
    readinessChecks,
    metricsToken: serveConfig.metricsToken,
    limits: { maxUploadBytes: serveConfig.maxUploadBytes, urlSeconds: serveConfig.urlSeconds },
  });
  await server.listen({ host: serveConfig.host, port: serveConfig.port });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : serveConfig.port;
  log(
    `faceblog serve: pack ${pack.name}, http://${serveConfig.host}:${port}, prefix ${workerConfig.queuePrefix}`,
    { port },
  );
  const opsPort = config.ops.port;
  const ops =
    opsPort === null || opsPort === port
      ? null
      : await startOpsServer({ host: config.ops.host, port: opsPort, checks: readinessChecks, metrics });
  if (ops) log(`faceblog serve: health and metrics also on port ${ops.port}`, { opsPort: ops.port });
  const stop = async () => {
    // Stop taking requests and let those in flight finish, then close what they used.
    await ops?.close();
    await server.close();
    await queueMetrics.close();
    probe.disconnect();
    await runtime.close();
  };
  return Object.assign(stop, { port });
}

/** Serves until SIGTERM or SIGINT, then stops; resolves with the exit code (0 after a clean stop). */
export function runServeUntilSignal(config: Config, logger: Logger): Promise<number> {
  return runUntilSignal('faceblog serve', () => runServe(config, logger), lineLog(logger));
}

runAsMain(import.meta.url, 'api', runServeUntilSignal);
