/**
 * What every long-running process opens first, from the configuration its entry point parsed: the model pack,
 * the stores (migrated), and for the processes that answer users (bots, HTTP API) the services with an
 * analyzer of their own for selfies. Shared by the entry points (src/main-*.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { resolvePack } from '../cli/load-models.js';
import type { Config } from '../config.js';
import type { Log } from '../core/log.js';
import type { ResolvedPack } from '../core/manifest.js';
import type { PhotoAnalyzer } from '../ports/photo-analyzer.js';
import { createAnalyzerPool } from '../runtime/analyzer-pool.js';
import { createServices, createStores, type Services, type Stores } from './create-app.js';
import type { WorkerConfig } from './worker-config.js';

/** The package root (where models/manifest.json is), from this module's place in src/app or dist/app. */
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Runtime {
  readonly config: Config;
  readonly workerConfig: WorkerConfig;
  readonly pack: ResolvedPack;
  readonly modelsDir: string;
  readonly stores: Stores;
}

/** Resolves the pack, opens the stores and migrates the metadata store. */
export async function openRuntime(config: Config, log: Log): Promise<Runtime> {
  const workerConfig = config.worker;
  const { pack, modelsDir } = await resolvePack(config, packageRoot, log);
  const stores = createStores(workerConfig, config.dataDir, pack.dim);
  await stores.metadata.migrate();
  return { config, workerConfig, pack, modelsDir, stores };
}

export interface ServiceRuntimeOptions {
  /** Wraps the analyzer before the services get it (the HTTP API counts its stage timings). */
  readonly wrapAnalyzer?: (analyzer: PhotoAnalyzer) => PhotoAnalyzer;
}

export interface ServiceRuntime extends Runtime {
  readonly analyzer: PhotoAnalyzer;
  readonly services: Services;
  /** Closes the services, the analyzer and the stores, in that order. */
  close(): Promise<void>;
}

/** `openRuntime` plus the services on the queues of the workers, for the bots and the HTTP API. */
export async function openServiceRuntime(
  config: Config,
  log: Log,
  options: ServiceRuntimeOptions = {},
): Promise<ServiceRuntime> {
  const runtime = await openRuntime(config, log);
  const { workerConfig, pack, modelsDir, stores } = runtime;
  // One analyzer thread, for selfies: these processes analyze one photo per request; albums go to
  // the workers (`faceblog worker`).
  const pool = await createAnalyzerPool({ threads: 1, pack, modelsDir });
  const analyzer = options.wrapAnalyzer ? options.wrapAnalyzer(pool) : pool;
  const services = createServices({
    redisUrl: workerConfig.redisUrl,
    prefix: workerConfig.queuePrefix,
    stores,
    pack,
    analyzer,
  });
  return {
    ...runtime,
    analyzer,
    services,
    async close() {
      await services.close();
      await analyzer.close();
      await stores.close();
    },
  };
}
