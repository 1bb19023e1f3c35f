/**
 * A whole photo service on real parts: Redis at 127.0.0.1:6379 under a prefix of its own, the fs blob
 * store, the sqlite vector index and metadata store in a temp dir, and the real `local` pack analyzing in
 * a worker thread. `close()` obliterates the queues and deletes the dir.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

import {
  createServices,
  createStores,
  createWorkerApp,
  type Services,
  type Stores,
  type WorkerApp,
} from '../../../src/app/create-app.js';
import type { WorkerConfig } from '../../../src/app/worker-config.js';
import { parseConfig } from '../../../src/config.js';
import { resolvePack, type ResolvedPack } from '../../../src/core/manifest.js';
import { QueueName } from '../../../src/jobs/names.js';
import { createAnalyzerPool } from '../../../src/runtime/analyzer-pool.js';
import type { AlbumProgressView, PhotoUpload } from '../../../src/services/photo-service.js';
import { fixture, mirrorDir, repoRoot } from '../../support/fixtures.js';
import { loadManifest, testModelsDir } from '../../support/models.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The embedded setup: no server but Redis (the defaults of an empty environment). */
export const EMBEDDED: WorkerConfig = {
  ...parseConfig({}, repoRoot).worker,
  redisUrl: REDIS_URL,
  queuePrefix: 'unused',
};

export async function localPack(): Promise<ResolvedPack> {
  return resolvePack(await loadManifest(), 'local');
}

export interface Harness {
  readonly dir: string;
  readonly prefix: string;
  readonly pack: ResolvedPack;
  readonly stores: Stores;
  readonly services: Services;
  /** Null when the harness was asked to run no worker (a child process does). */
  readonly worker: WorkerApp | null;
  waitForAlbum(tenant: string, albumId: string, timeoutMs?: number): Promise<AlbumProgressView>;
  close(): Promise<void>;
}

export async function startHarness(opts: { worker?: boolean } = {}): Promise<Harness> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'faceblog-jobs-'));
  const prefix = `t${randomBytes(6).toString('hex')}`;
  const pack = await localPack();
  const stores = createStores(EMBEDDED, dir, pack.dim);
  await stores.metadata.migrate();
  const worker =
    opts.worker === false
      ? null
      : await createWorkerApp({
          redisUrl: REDIS_URL,
          prefix,
          stores,
          pack,
          modelsDir: testModelsDir(),
          concurrency: 1,
        });
  // Search needs an analyzer too: share the worker's thread, or start one for a worker-less harness.
  const searchAnalyzer =
    worker?.analyzer ??
    (await createAnalyzerPool({
      threads: 1,
      pack,
      modelsDir: testModelsDir(),
    }));
  const services = createServices({
    redisUrl: REDIS_URL,
    prefix,
    stores,
    pack,
    analyzer: searchAnalyzer,
    // Short backoff: a test waits for retries.
    retry: { backoffMs: 200 },
  });
  await services.photoEvents.waitUntilReady();

  async function waitForAlbum(
    tenant: string,
    albumId: string,
    timeoutMs = 60_000,
  ): Promise<AlbumProgressView> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const status = await services.photos.albumStatus(tenant, albumId);
      if (status && (status.status === 'done' || status.status === 'failed')) return status;
      if (Date.now() > until) throw new Error(`album ${albumId} not done: ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    dir,
    prefix,
    pack,
    stores,
    services,
    worker,
    waitForAlbum,
    async close() {
      await services.close();
      if (worker) await worker.close();
      else await searchAnalyzer.close();
      await obliterate(prefix);
      await stores.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A harness for the tests of the calling describe block: started before them, closed after them. The
 * returned object reads through to that harness, so use it only inside tests and hooks.
 */
export function useHarness(opts: { worker?: boolean } = {}): Harness {
  let started: Harness | undefined;
  beforeAll(async () => {
    started = await startHarness(opts);
  }, 60_000);
  afterAll(async () => {
    await started?.close();
  });
  return new Proxy({} as Harness, {
    get(_target, key) {
      if (!started) throw new Error('the harness is used before beforeAll started it');
      return Reflect.get(started, key) as unknown;
    },
  });
}

export async function obliterate(prefix: string): Promise<void> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  try {
    for (const name of Object.values(QueueName)) {
      const queue = new Queue(name, { connection, prefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
  } finally {
    connection.disconnect();
  }
}

/** Fixture photos as uploads, named by their path under fixtures/. */
export async function uploads(...paths: string[]): Promise<PhotoUpload[]> {
  return Promise.all(
    paths.map(async (p) => ({ name: p, bytes: new Uint8Array(await readFile(fixture(p))) })),
  );
}

export async function listBlobs(stores: Stores, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const blob of stores.blobs.list(prefix)) keys.push(blob.key);
  return keys.sort();
}

export { FR, KNN } from '../../support/albums.js';

/**
 * A worker process from source on this harness's queues and stores, with the real `local` pack:
 * `args` after node, e.g. ['src/main-worker.ts'] or ['src/cli.ts', 'worker']. Its stderr is piped.
 */
export function spawnWorker(
  h: Harness,
  args: readonly string[],
  env: Record<string, string> = {},
): ChildProcess {
  const [entry = '', ...rest] = args;
  return spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, entry), ...rest], {
    cwd: repoRoot,
    env: {
      ...process.env,
      REDIS_URL,
      FACEBLOG_DATA_DIR: h.dir,
      FACEBLOG_QUEUE_PREFIX: h.prefix,
      FACEBLOG_MODEL_PACK: 'local',
      FACEBLOG_MODELS_DIR: testModelsDir(),
      FACEBLOG_MODEL_MIRROR: mirrorDir,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** Resolves with the child's exit code (null when a signal ended it) once it has exited. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else
      child.once('exit', (code) => {
        resolve(code);
      });
  });
}
