/**
 * Entry point of the HTTP API: `faceblog serve`. Reads the environment (src/config.ts,
 * src/app/worker-config.ts, src/http/serve-config.ts), opens the same stores and queues as the worker,
 * and serves the API until stopped. Photos it accepts are processed by `faceblog worker` processes;
 * the API itself runs one analyzer thread, for selfie search.
 */
import { Redis } from 'ioredis';

import { packInfo } from './app/create-app.js';
import { openServiceRuntime } from './app/open-runtime.js';
import { runAsMain, runUntilSignal } from './app/run-until-signal.js';
import { apiKeyStore } from './http/api-keys.js';
import { createApiServer } from './http/create-server.js';
import { parseServeConfig } from './http/serve-config.js';
import { createImportService } from './import/import-service.js';
import { redisCheck, storeChecks } from './ops/health.js';
import { createLogger, lineLog } from './ops/logger.js';
import { createMetrics, instrumentAnalyzer } from './ops/metrics.js';
import { observeQueues } from './ops/queue-metrics.js';

/** Stops the server; `port` is where it listened (useful with FACEBLOG_HTTP_PORT=0). */
export type StopServe = (() => Promise<void>) & { readonly port: number };

export async function runServe(
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): Promise<StopServe> {
  const serveConfig = parseServeConfig(env);
  const logger = createLogger({ level: serveConfig.logLevel, base: { service: 'api' } });
  const metrics = createMetrics();
  // The API analyzes selfies for search; photos it accepts go to the workers.
  const runtime = await openServiceRuntime(env, log, {
    wrapAnalyzer: (analyzer) => instrumentAnalyzer(analyzer, metrics, 'api-search'),
  });
  const { config, workerConfig, pack, stores, services } = runtime;
  const queueMetrics = observeQueues(metrics, workerConfig.redisUrl, workerConfig.queuePrefix);
  // Readiness pings fail fast instead of queueing while Redis is away.
  const probe = new Redis(workerConfig.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  probe.on('error', () => undefined);
  const server = await createApiServer({
    services,
    importer: createImportService({ photos: services.photos }),
    stores,
    pack: packInfo(pack),
    apiKeys: apiKeyStore(config.dataDir),
    logger,
    metrics,
    readinessChecks: [redisCheck(probe), ...storeChecks(stores)],
    metricsToken: serveConfig.metricsToken,
    limits: { maxUploadBytes: serveConfig.maxUploadBytes, urlSeconds: serveConfig.urlSeconds },
  });
  await server.listen({ host: serveConfig.host, port: serveConfig.port });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : serveConfig.port;
  lineLog(logger)(
    `faceblog serve: pack ${pack.name}, http://${serveConfig.host}:${port}, prefix ${workerConfig.queuePrefix}`,
  );
  log(`faceblog serve: listening on ${serveConfig.host}:${port}`);
  const stop = async () => {
    // Stop taking requests and let those in flight finish, then close what they used.
    await server.close();
    await queueMetrics.close();
    probe.disconnect();
    await runtime.close();
  };
  return Object.assign(stop, { port });
}

/** Serves until SIGTERM or SIGINT, then stops; resolves with the exit code (0 after a clean stop). */
export function runServeUntilSignal(
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): Promise<number> {
  return runUntilSignal('faceblog serve', () => runServe(env, log), log);
}

runAsMain(import.meta.url, 'faceblog serve', (log) => runServeUntilSignal(process.env, log));
