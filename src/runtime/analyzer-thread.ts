/**
 * Worker-thread entry of the analyzer pool (src/runtime/analyzer-pool.ts): opens the pack's models once,
 * then analyses the photos the pool sends, with face crops and a thumbnail when asked. Errors travel back
 * as plain { code, message, context } and become AppErrors again there.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';

import { loadPackModels } from '../adapters/load-pack-models.js';
import { AppError, ErrorCode, isAppError } from '../core/errors.js';
import type { ResolvedPack } from '../core/manifest.js';
import { type AnalyzeOptions, inProcessAnalyzer } from '../pipeline/analyze-photo.js';
import type { AnalyzedPhoto, AnalyzeRequest, PhotoAnalyzer } from '../ports/photo-analyzer.js';

export interface ThreadInit {
  readonly pack: ResolvedPack;
  readonly modelsDir: string;
  readonly intraOpThreads: number;
  readonly analyze: AnalyzeOptions;
}

export type ThreadRequest = { readonly id: number; readonly bytes: Uint8Array } & AnalyzeRequest;
/** Finish the photos in flight, release the models, and let the thread end. */
export interface ThreadClose {
  readonly kind: 'close';
}
export type ThreadReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'init-failed'; readonly error: SerializedError }
  | { readonly kind: 'done'; readonly id: number; readonly result: AnalyzedPhoto }
  | { readonly kind: 'failed'; readonly id: number; readonly error: SerializedError };

export interface SerializedError {
  readonly code: string;
  readonly message: string;
  readonly context: Record<string, unknown>;
}

/**
 * A full collection of this thread's heap. A photo leaves tens of MB of pixel and tensor buffers that
 * only V8's garbage collector frees, and a worker's small JS heap gives it little reason to run: on 20
 * photos of 12 MP the process grew by about 25 MB a photo until the end. Collecting after each photo
 * keeps the peak near one photo's worth (bench/pipeline.ts) for a few ms. `--expose-gc` is a V8 flag,
 * which a Worker's execArgv refuses; set at run time, it exposes `gc` to contexts created afterwards.
 */
function collector(): () => void {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    if (typeof gc === 'function') {
      const run = gc as () => void;
      return () => {
        run();
      };
    }
  } catch {
    // A runtime without the flag only keeps more memory.
  }
  return () => undefined;
}

function serialize(error: unknown): SerializedError {
  if (isAppError(error)) return { code: error.code, message: error.message, context: { ...error.context } };
  const message = error instanceof Error ? error.message : String(error);
  return { code: ErrorCode.Internal, message, context: {} };
}

async function start(port: NonNullable<typeof parentPort>, init: ThreadInit): Promise<void> {
  let analyzer: PhotoAnalyzer;
  try {
    const models = await loadPackModels(init.pack, init.modelsDir, { intraOpThreads: init.intraOpThreads });
    analyzer = inProcessAnalyzer(models, init.analyze);
  } catch (error) {
    port.postMessage({ kind: 'init-failed', error: serialize(error) } satisfies ThreadReply);
    return;
  }
  const inFlight = new Set<Promise<void>>();
  const collect = collector();
  port.on('message', (msg: ThreadRequest | ThreadClose) => {
    if ('kind' in msg) {
      // Sessions are released before the thread ends: tearing a thread down with live onnxruntime
      // sessions can abort the whole process (seen as "terminate called after throwing Napi::Error").
      void Promise.allSettled([...inFlight])
        .then(() => analyzer.close())
        .finally(() => {
          port.close();
        });
      return;
    }
    const work = analyzer.analyze(msg.bytes, { renders: msg.renders }).then(
      (result) => {
        port.postMessage({ kind: 'done', id: msg.id, result } satisfies ThreadReply);
      },
      (error: unknown) => {
        port.postMessage({ kind: 'failed', id: msg.id, error: serialize(error) } satisfies ThreadReply);
      },
    );
    inFlight.add(work);
    void work.finally(() => {
      inFlight.delete(work);
      collect();
    });
  });
  port.postMessage({ kind: 'ready' } satisfies ThreadReply);
}

if (!parentPort) throw new AppError(ErrorCode.Internal, 'analyzer-thread must run in a worker thread');
await start(parentPort, workerData as ThreadInit);
