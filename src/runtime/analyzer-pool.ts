import { Worker } from 'node:worker_threads';

import { AppError, type ErrorCode } from '../core/errors.js';
import type { ResolvedPack } from '../core/manifest.js';
import type { AnalyzeOptions } from '../pipeline/analyze-photo.js';
import type { AnalyzedPhoto, PhotoAnalyzer } from '../ports/photo-analyzer.js';
import type { SerializedError, ThreadInit, ThreadReply, ThreadRequest } from './analyzer-thread.js';

export interface AnalyzerPoolOptions {
  readonly pack: ResolvedPack;
  readonly modelsDir: string;
  /** Worker threads, each with its own model sessions. One per core: inference holds its thread. */
  readonly threads: number;
  /** onnxruntime threads per operator inside each worker; 1 when the pool already fills the cores. */
  readonly intraOpThreads?: number;
  readonly analyze?: AnalyzeOptions;
}

interface Pending {
  resolve(result: AnalyzedPhoto): void;
  reject(error: unknown): void;
}

const revive = (e: SerializedError) => new AppError(e.code as ErrorCode, e.message, e.context);

/**
 * The worker: the compiled .js next to this module, or, under tsx and vitest, the .ts source behind a
 * bootstrap that registers tsx's loader inside the new thread first.
 */
function spawnThread(init: ThreadInit): Worker {
  const url = new URL(`./analyzer-thread.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
  if (url.pathname.endsWith('.js')) return new Worker(url, { workerData: init });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: init });
}

/**
 * Photos go to the least busy thread; each thread may hold several photos so that libvips decodes the
 * next one while the current one is in the models.
 */
export async function createAnalyzerPool(opts: AnalyzerPoolOptions): Promise<PhotoAnalyzer> {
  const init: ThreadInit = {
    pack: opts.pack,
    modelsDir: opts.modelsDir,
    intraOpThreads: opts.intraOpThreads ?? 1,
    analyze: opts.analyze ?? {},
  };
  const pending = new Map<number, Pending>();
  const load = new Map<Worker, number>();
  let nextId = 0;
  let closing = false;

  const startWorker = () =>
    new Promise<Worker>((resolve, reject) => {
      const worker = spawnThread(init);
      worker.once('error', reject);
      worker.on('message', (msg: ThreadReply) => {
        if (msg.kind === 'ready') {
          worker.off('error', reject);
          resolve(worker);
        } else if (msg.kind === 'init-failed') {
          reject(revive(msg.error));
          void worker.terminate();
        } else {
          const job = pending.get(msg.id);
          pending.delete(msg.id);
          load.set(worker, (load.get(worker) ?? 1) - 1);
          if (msg.kind === 'done') job?.resolve(msg.result as AnalyzedPhoto);
          else job?.reject(revive(msg.error));
        }
      });
    });

  const workers = await Promise.all(Array.from({ length: Math.max(1, opts.threads) }, startWorker));
  for (const w of workers) {
    load.set(w, 0);
    // A thread that dies takes its photos with it: fail them rather than wait forever.
    w.on('exit', (code) => {
      load.delete(w);
      if (closing) return;
      for (const [id, job] of pending) {
        pending.delete(id);
        job.reject(new AppError('INTERNAL', `analyzer thread exited with code ${code}`));
      }
    });
  }

  return {
    pack: opts.pack,
    analyze(bytes) {
      const candidates = [...load.entries()].sort((a, b) => a[1] - b[1]);
      const target = candidates[0];
      if (!target || closing) return Promise.reject(new AppError('INTERNAL', 'analyzer pool is closed'));
      const [worker, busy] = target;
      load.set(worker, busy + 1);
      const id = nextId++;
      return new Promise<AnalyzedPhoto>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, bytes } satisfies ThreadRequest);
      });
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
