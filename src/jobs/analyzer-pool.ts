/**
 * PhotoAnalyzer on a pool of worker threads. onnxruntime-node's `run` blocks the thread that calls it
 * (measured here: the event loop stalls for the whole inference), which would starve BullMQ's lock
 * renewal and make long photos look stalled. Each thread loads the pack once and analyzes one photo at a
 * time; the main thread only moves bytes and results.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import { AppError, ErrorCode, isAppError } from '../core/errors.js';
import type { ResolvedPack } from '../core/manifest.js';
import type { AnalyzedPhoto, AnalyzeRequest, PhotoAnalyzer } from '../services/photo-analyzer.js';

/** What a thread receives as workerData. */
export interface AnalyzerThreadData {
  readonly pack: ResolvedPack;
  readonly modelsDir: string;
}

export type ThreadRequest = { readonly id: number; readonly bytes: Uint8Array } & AnalyzeRequest;
export type ThreadReply =
  | { readonly id: number; readonly ok: true; readonly result: AnalyzedPhoto }
  | { readonly id: number; readonly ok: false; readonly error: SerializedError }
  | { readonly id: -1; readonly ok: true; readonly ready: true };

export interface SerializedError {
  readonly code: string;
  readonly message: string;
  readonly context: Record<string, unknown>;
}

export function serializeError(error: unknown): SerializedError {
  if (isAppError(error)) return { code: error.code, message: error.message, context: { ...error.context } };
  return {
    code: ErrorCode.Internal,
    message: error instanceof Error ? error.message : String(error),
    context: {},
  };
}

export interface AnalyzerPoolOptions extends AnalyzerThreadData {
  /** The thread's entry file (src/app/analyze-thread.ts or its built .js). */
  readonly threadFile: URL;
  /** Threads, each holding its own copy of the models (about 100 MB for `local`). */
  readonly size: number;
}

interface Task {
  readonly request: Omit<ThreadRequest, 'id'>;
  resolve(result: AnalyzedPhoto): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  busy: { id: number; task: Task } | null;
  started: boolean;
}

export function createAnalyzerPool(options: AnalyzerPoolOptions): PhotoAnalyzer {
  if (!Number.isSafeInteger(options.size) || options.size < 1) {
    throw new AppError(ErrorCode.BadConfig, 'analyzer pool size must be ≥ 1', { size: options.size });
  }
  const data: AnalyzerThreadData = { pack: options.pack, modelsDir: options.modelsDir };
  const queue: Task[] = [];
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;
  let startError: unknown;

  function spawn(): Slot {
    const worker = threadWorker(options.threadFile, data);
    let markReady!: () => void;
    let failStart!: (e: unknown) => void;
    const slot: Slot = {
      worker,
      ready: new Promise<void>((resolve, reject) => {
        markReady = resolve;
        failStart = reject;
      }),
      busy: null,
      started: false,
    };
    slot.ready.catch(() => undefined);
    worker.on('message', (reply: ThreadReply) => {
      if (reply.id === -1) {
        slot.started = true;
        markReady();
        pump();
        return;
      }
      const busy = slot.busy;
      if (!busy || busy.id !== reply.id) return;
      slot.busy = null;
      if ('result' in reply) busy.task.resolve(reply.result);
      else if (!reply.ok)
        busy.task.reject(
          new AppError(reply.error.code as ErrorCode, reply.error.message, reply.error.context),
        );
      pump();
    });
    worker.on('error', (error) => {
      failStart(error);
      if (!slot.started) startError = error;
      slot.busy?.task.reject(new AppError(ErrorCode.Internal, 'analyzer thread crashed', {}, error));
      slot.busy = null;
    });
    worker.on('exit', () => {
      const at = slots.indexOf(slot);
      if (at >= 0) slots.splice(at, 1);
      slot.busy?.task.reject(new AppError(ErrorCode.Internal, 'analyzer thread exited', {}));
      slot.busy = null;
      // A thread that never started (models missing) would fail again: give up instead of looping.
      if (!closed && slot.started) slots.push(spawn());
      if (slots.length === 0) {
        const error = new AppError(
          ErrorCode.ModelLoadFailed,
          'no analyzer thread could start',
          {},
          startError,
        );
        for (const task of queue.splice(0)) task.reject(error);
      }
    });
    return slot;
  }

  /** Hands queued photos to idle, ready threads. */
  function pump(): void {
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (slot.busy) continue;
      void slot.ready.then(
        () => {
          if (slot.busy) return;
          const task = queue.shift();
          if (!task) return;
          const id = nextId++;
          slot.busy = { id, task };
          const message: ThreadRequest = { id, ...task.request };
          slot.worker.postMessage(message);
        },
        () => undefined,
      );
    }
  }

  for (let i = 0; i < options.size; i++) slots.push(spawn());

  return {
    analyze(bytes: Uint8Array, request: AnalyzeRequest): Promise<AnalyzedPhoto> {
      if (closed) return Promise.reject(new AppError(ErrorCode.Internal, 'analyzer pool is closed', {}));
      if (slots.length === 0) {
        return Promise.reject(
          new AppError(ErrorCode.ModelLoadFailed, 'no analyzer thread could start', {}, startError),
        );
      }
      return new Promise<AnalyzedPhoto>((resolve, reject) => {
        queue.push({ request: { bytes, renders: request.renders }, resolve, reject });
        pump();
      });
    },
    async close(): Promise<void> {
      closed = true;
      for (const task of queue.splice(0))
        task.reject(new AppError(ErrorCode.Internal, 'analyzer pool closed', {}));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/**
 * A thread running `file`. A `.ts` file (tests and development under tsx) needs tsx inside the thread:
 * on Node 20 neither the parent's hooks nor `execArgv: ['--import', 'tsx']` reach a worker's entry
 * module (ERR_UNKNOWN_FILE_EXTENSION, measured), so the entry is a one-line eval'd script that loads the
 * file through tsx's ESM API.
 */
function threadWorker(file: URL, workerData: AnalyzerThreadData): Worker {
  if (!file.pathname.endsWith('.ts')) return new Worker(file, { workerData });
  // The package's "import" export (dist/esm/api/index.mjs) next to the "require" one it resolves to here.
  const api = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  );
  const href = JSON.stringify(file.href);
  return new Worker(`import(${JSON.stringify(api.href)}).then((tsx) => tsx.tsImport(${href}, ${href}))`, {
    eval: true,
    workerData,
  });
}
