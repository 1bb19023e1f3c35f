/**
 * Entry point of the HTTP API: `faceblog serve`. Reads the environment (src/config.ts,
 * src/app/worker-config.ts, src/http/serve-config.ts), opens the same stores and queues as the worker,
 * and serves the API until stopped. Photos it accepts are processed by `faceblog worker` processes;
 * the API itself runs one analyzer thread, for selfie search.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Redis } from 'ioredis';

import { createServices, createStores, packInfo } from './app/create-app.js';
import { parseWorkerConfig } from './app/worker-config.js';
import { resolvePack } from './cli/load-models.js';
import { parseConfig } from './config.js';
import { describeError } from './core/errors.js';
import { apiKeyStore } from './http/api-keys.js';
import { createApiServer } from './http/create-server.js';
import { parseServeConfig } from './http/serve-config.js';
import { createImportService } from './import/import-service.js';
import { redisCheck, storeChecks } from './ops/health.js';
import { createLogger, lineLog } from './ops/logger.js';
import { createMetrics, instrumentAnalyzer } from './ops/metrics.js';
import { observeQueues } from './ops/queue-metrics.js';
import { createAnalyzerPool } from './runtime/analyzer-pool.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Stops the server; `port` is where it listened (useful with FACEBLOG_HTTP_PORT=0). */
export type StopServe = (() => Promise<void>) & { readonly port: number };

export async function runServe(
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): Promise<StopServe> {
  const config = parseConfig(env, packageRoot);
  const workerConfig = parseWorkerConfig(env);
  const serveConfig = parseServeConfig(env);
  const logger = createLogger({ level: serveConfig.logLevel, base: { service: 'api' } });
  const { pack, modelsDir } = await resolvePack(config, packageRoot, log);
  const stores = createStores(workerConfig, config.dataDir, pack.dim);
  await stores.metadata.migrate();
  const metrics = createMetrics();
  const analyzer = instrumentAnalyzer(
    await createAnalyzerPool({ threads: 1, pack, modelsDir }),
    metrics,
    'api-search',
  );
  const services = createServices({
    redisUrl: workerConfig.redisUrl,
    prefix: workerConfig.queuePrefix,
    stores,
    pack,
    analyzer,
  });
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
    await services.close();
    await analyzer.close();
    probe.disconnect();
    await stores.close();
  };
  return Object.assign(stop, { port });
}

/** Serves until SIGTERM or SIGINT, then stops; resolves with the exit code (0 after a clean stop). */
export async function runServeUntilSignal(
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): Promise<number> {
  const stop = await runServe(env, log);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve).once('SIGINT', resolve);
  });
  log(`faceblog serve: ${signal}, stopping`);
  try {
    await stop();
    return 0;
  } catch (error) {
    log(`faceblog serve: shutdown failed: ${describeError(error).message}`);
    return 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const log = (line: string) => {
    process.stderr.write(`${line}\n`);
  };
  runServeUntilSignal(process.env, log).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const { code, message } = describeError(error);
      log(`faceblog serve: ${code}: ${message}`);
      process.exit(1);
    },
  );
}
