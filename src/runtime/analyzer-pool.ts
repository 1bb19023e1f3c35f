/**
 * PhotoAnalyzer on a pool of worker threads. onnxruntime-node's `run` holds the thread that calls it for
 * the whole inference, which would stall the event loop (and with it BullMQ's lock renewal, making long
 * photos look stalled) and leave the other cores idle. Each thread loads the pack once; the main thread
 * only moves bytes and results.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

// Native addons used inside the threads are loaded here, in the main thread, first: sharp's documentation
// asks for it, and without it a thread that ends can take libvips' or onnxruntime's global state down with
// it and abort the process ("terminate called after throwing Napi::Error", seen in tests).
import 'onnxruntime-node';
import sharp from 'sharp';

import { AppError, ErrorCode } from '../core/errors.js';
import type { ResolvedPack } from '../core/manifest.js';
import type { AnalyzeOptions } from '../pipeline/analyze-photo.js';
import type { AnalyzedPhoto, PhotoAnalyzer } from '../ports/photo-analyzer.js';
import type {
  SerializedError,
  ThreadClose,
  ThreadInit,
  ThreadReply,
  ThreadRequest,
} from './analyzer-thread.js';

export interface AnalyzerPoolOptions {
  readonly pack: ResolvedPack;
  readonly modelsDir: string;
  /** Worker threads, each with its own model sessions (about 100 MB for `local`). One per core: inference holds its thread. */
  readonly threads: number;
  /** onnxruntime threads per operator inside each worker; 1 when the pool already fills the cores. */
  readonly intraOpThreads?: number;
  readonly analyze?: AnalyzeOptions;
}

interface Pending {
  resolve(result: AnalyzedPhoto): void;
  reject(error: unknown): void;
}

interface Thread {
  readonly worker: Worker;
  /** Photos sent to this thread and not answered yet, by request id. */
  readonly pending: Map<number, Pending>;
}

/** A photo takes well under a second; a thread still busy after 10 s is stuck. */
const CLOSE_TIMEOUT_MS = 10_000;

const revive = (e: SerializedError) => new AppError(e.code as ErrorCode, e.message, e.context);

/**
 * Starts `threads` threads and resolves once every one has loaded its models; rejects with the first
 * thread's load error (a missing model file fails the start, not the first photo).
 *
 * Photos go to the least busy thread; a thread may hold several photos so that libvips decodes the next
 * one while the current one is in the models. A thread that dies fails only its own photos and is
 * replaced; photos asked for meanwhile wait for the replacement.
 */
export async function createAnalyzerPool(opts: AnalyzerPoolOptions): Promise<PhotoAnalyzer> {
  if (!Number.isSafeInteger(opts.threads) || opts.threads < 1) {
    throw new AppError(ErrorCode.BadConfig, 'analyzer pool needs at least one thread', {
      threads: opts.threads,
    });
  }
  // libvips' operation cache (50 MB by default) keeps decoded tiles of photos we never read again, and
  // its per-pipeline threads each grow a malloc arena: the pool already runs one photo per core, so one
  // libvips thread per pipeline costs no speed and keeps the process's peak well lower (bench/pipeline.ts).
  sharp.cache(false);
  sharp.concurrency(1);
  const init: ThreadInit = {
    pack: opts.pack,
    modelsDir: opts.modelsDir,
    intraOpThreads: opts.intraOpThreads ?? 1,
    analyze: opts.analyze ?? {},
  };
  /** Threads whose models are loaded: the ones photos go to. */
  const ready = new Set<Thread>();
  /** Every thread alive, ready or not, for close(). */
  const workers = new Set<Worker>();
  const starting = new Set<Promise<Thread>>();
  let startError: unknown;
  let nextId = 0;
  let closing = false;

  const closedError = () => new AppError(ErrorCode.Internal, 'analyzer pool is closed');

  function startThread(): Promise<Thread> {
    const started = new Promise<Thread>((resolve, reject) => {
      const thread: Thread = { worker: spawnThread(init), pending: new Map() };
      const { worker } = thread;
      workers.add(worker);
      let isReady = false;
      let crash: unknown;
      worker.on('message', (msg: ThreadReply) => {
        if (msg.kind === 'ready') {
          isReady = true;
          ready.add(thread);
          resolve(thread);
        } else if (msg.kind === 'init-failed') {
          reject(revive(msg.error));
          void worker.terminate();
        } else {
          const job = thread.pending.get(msg.id);
          thread.pending.delete(msg.id);
          if (msg.kind === 'done') job?.resolve(msg.result);
          else job?.reject(revive(msg.error));
        }
      });
      worker.on('error', (error) => {
        crash = error;
      });
      worker.on('exit', (code) => {
        workers.delete(worker);
        ready.delete(thread);
        if (!isReady) {
          reject(
            new AppError(
              ErrorCode.ModelLoadFailed,
              `analyzer thread exited with code ${code} while starting`,
              {},
              crash,
            ),
          );
          return;
        }
        // A thread that dies takes its photos with it: fail them rather than leave them waiting forever.
        const error = closing
          ? closedError()
          : new AppError(ErrorCode.Internal, `analyzer thread exited with code ${code}`, { code }, crash);
        for (const job of thread.pending.values()) job.reject(error);
        thread.pending.clear();
        // It loaded its models once, so a new one will too (a thread that never started is not retried).
        if (!closing) {
          startThread().catch((e: unknown) => {
            startError = e;
          });
        }
      });
    });
    starting.add(started);
    const forget = () => starting.delete(started);
    started.then(forget, forget);
    return started;
  }

  /** The least busy ready thread, waiting for a replacement while none is ready. */
  async function pick(): Promise<Thread> {
    for (;;) {
      if (closing) throw closedError();
      let best: Thread | undefined;
      for (const t of ready) if (!best || t.pending.size < best.pending.size) best = t;
      if (best) return best;
      if (starting.size === 0) {
        throw new AppError(ErrorCode.ModelLoadFailed, 'no analyzer thread is running', {}, startError);
      }
      await Promise.race([...starting].map((p) => p.catch(() => undefined)));
    }
  }

  /**
   * Asks a thread to finish its photos, release its models and end; terminates it only if it has not
   * ended after `CLOSE_TIMEOUT_MS` (terminating live onnxruntime sessions can abort the process).
   */
  function closeThread(worker: Worker): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      worker.postMessage({ kind: 'close' } satisfies ThreadClose);
    });
  }

  const first = await Promise.allSettled(Array.from({ length: opts.threads }, startThread));
  const failed = first.find((r) => r.status === 'rejected');
  if (failed) {
    closing = true;
    await Promise.all([...workers].map(closeThread));
    throw failed.reason;
  }

  return {
    pack: opts.pack,
    async analyze(bytes, request = {}) {
      const thread = await pick();
      const id = nextId++;
      return new Promise<AnalyzedPhoto>((resolve, reject) => {
        thread.pending.set(id, { resolve, reject });
        const msg = { id, bytes, renders: request.renders ?? false } satisfies ThreadRequest;
        // Moved, not copied, when the caller gave the bytes up and they fill their whole buffer.
        const movable =
          request.transfer === true &&
          bytes.buffer instanceof ArrayBuffer &&
          bytes.byteOffset === 0 &&
          bytes.byteLength === bytes.buffer.byteLength;
        thread.worker.postMessage(msg, movable ? [bytes.buffer] : []);
      });
    },
    async close() {
      closing = true;
      // Photos already sent finish first; any left when a thread exits fail with 'pool is closed'.
      await Promise.all([...workers].map(closeThread));
    },
  };
}

/**
 * The thread entry beside this module: the compiled .js, or under tsx and vitest the .ts source. On
 * Node 20 neither the parent's loader hooks nor `execArgv: ['--import', 'tsx']` reach a worker's entry
 * module (ERR_UNKNOWN_FILE_EXTENSION, measured), so a .ts entry runs behind a one-line eval'd bootstrap
 * that registers tsx inside the thread first.
 */
function spawnThread(init: ThreadInit): Worker {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const file = new URL(`./analyzer-thread.${ext}`, import.meta.url);
  if (ext === 'js') return new Worker(file, { workerData: init });
  // tsx's "import" export (dist/esm/api/index.mjs) beside the "require" one that createRequire resolves;
  // an absolute URL, because a bare specifier in eval'd code resolves from the working directory.
  const api = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  );
  const bootstrap = `import(${JSON.stringify(api.href)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: init });
}
