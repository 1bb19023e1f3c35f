/**
 * Entry point of a worker process: `node dist/main-worker.js` (or `faceblog worker`). Reads the
 * environment (see src/app/worker-config.ts and src/config.ts), opens the stores and runs the photo and
 * album queues until SIGTERM or SIGINT, then finishes the photos in progress and exits.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createStores, createWorkerApp } from './app/create-app.js';
import { parseWorkerConfig } from './app/worker-config.js';
import { defaultMirror } from './cli/load-models.js';
import { parseConfig } from './config.js';
import { describeError } from './core/errors.js';
import { parseManifest } from './core/manifest.js';
import { resolveRuntimePack } from './models/select-pack.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/**
 * How long a shutdown waits for photos in progress before handing them back (Docker's default stop
 * grace period is 10 s; a photo takes well under a second on the local pack).
 */
const SHUTDOWN_GRACE_MS = 8000;

export async function runWorker(
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): Promise<() => Promise<void>> {
  const config = parseConfig(env, packageRoot);
  const workerConfig = parseWorkerConfig(env);
  const manifest = parseManifest(
    JSON.parse(await readFile(path.join(packageRoot, 'models', 'manifest.json'), 'utf8')) as unknown,
  );
  const { pack, modelsDir } = await resolveRuntimePack({
    manifest,
    modelsDir: config.modelsDir,
    mirrorDir: config.modelMirror ?? defaultMirror(packageRoot),
    packEnv: config.modelPack,
    log,
  });
  const stores = createStores(workerConfig, config.dataDir, pack.dim);
  await stores.metadata.migrate();
  const app = createWorkerApp({
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
  return async () => {
    // Finish the photos in progress; past the grace period, hand them back to the queue.
    const timer = setTimeout(() => void app.close(true), SHUTDOWN_GRACE_MS);
    await app.close();
    clearTimeout(timer);
    await stores.close();
  };
}

async function main(): Promise<void> {
  const log = (line: string) => {
    process.stderr.write(`${line}\n`);
  };
  const stop = await runWorker(process.env, log);
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`faceblog worker: ${signal}, finishing jobs in progress`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`faceblog worker: shutdown failed: ${describeError(error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    const { code, message } = describeError(error);
    process.stderr.write(`faceblog worker: ${code}: ${message}\n`);
    process.exit(1);
  });
}
