/**
 * Worker-thread entry of the analyzer pool (src/runtime/analyzer-pool.ts): opens the pack's models once,
 * then analyses the photos the pool sends, with face crops and a thumbnail when asked. Errors travel back
 * as plain { code, message, context } and become AppErrors again there.
 */
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
  port.on('message', (req: ThreadRequest) => {
    analyzer.analyze(req.bytes, { renders: req.renders }).then(
      (result) => {
        port.postMessage({ kind: 'done', id: req.id, result } satisfies ThreadReply);
      },
      (error: unknown) => {
        port.postMessage({ kind: 'failed', id: req.id, error: serialize(error) } satisfies ThreadReply);
      },
    );
  });
  port.postMessage({ kind: 'ready' } satisfies ThreadReply);
}

if (!parentPort) throw new AppError(ErrorCode.Internal, 'analyzer-thread must run in a worker thread');
await start(parentPort, workerData as ThreadInit);
