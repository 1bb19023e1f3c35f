import { access } from 'node:fs/promises';

import * as ort from 'onnxruntime-node';

import { AppError, ErrorCode } from '../core/errors.js';
import type { Tensor, TensorModel } from '../ports/tensor-model.js';

export interface OnnxOptions {
  /** Threads for one operator; 1 lets several photos run side by side on a small machine. */
  intraOpThreads?: number;
}

/**
 * TensorModel over onnxruntime-node (CPU). Its `run` holds the calling thread while it computes, so
 * callers that must stay responsive run it on worker threads (src/runtime/analyzer-pool.ts). Spinning is off: with several sessions on two cores, spinning
 * threads slowed each other 1.2–2× in our measurements (shared/models/README.md).
 */
export async function loadOnnxModel(
  name: string,
  path: string,
  opts: OnnxOptions = {},
): Promise<TensorModel> {
  // Checked here, not left to onnxruntime: its native error for a missing file escapes as an uncaught
  // C++ exception inside a worker thread and aborts the process.
  try {
    await access(path);
  } catch (cause) {
    throw new AppError(
      ErrorCode.ModelMissing,
      `model file ${path} is missing: run npm run models`,
      { name, path },
      cause,
    );
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: opts.intraOpThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // The arena keeps every peak allocation for the life of the session (hundreds of MB per thread
      // for batched 224 px crops); plain malloc costs a few percent of speed and returns the memory.
      enableCpuMemArena: false,
      // The memory pattern plans one block per input shape seen and keeps it; recognizer batches and
      // detection tiles change shape from photo to photo. Off: `faceblog album` (20 photos of 12 MP)
      // spent 2.0 s instead of 4.4 s in the kernel (page faults) and peaked 30–50 MB lower.
      enableMemPattern: false,
      // SCRFD declares its output shapes at 640 px although its input is dynamic; at any other size
      // onnxruntime warns on every run. Errors still print.
      logSeverityLevel: 3,
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    });
  } catch (cause) {
    throw new AppError(
      ErrorCode.ModelLoadFailed,
      `cannot load model ${name} from ${path}`,
      { name, path },
      cause,
    );
  }
  return {
    name,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [key, t] of Object.entries(feeds)) ortFeeds[key] = new ort.Tensor('float32', t.data, t.dims);
      let out: ort.InferenceSession.ReturnType;
      try {
        out = await session.run(ortFeeds);
      } catch (cause) {
        throw new AppError(ErrorCode.InferenceFailed, `model ${name} failed to run`, { name }, cause);
      }
      const result: Record<string, Tensor> = {};
      for (const [key, t] of Object.entries(out)) {
        result[key] = { data: t.data as Float32Array, dims: t.dims };
      }
      return result;
    },
    async dispose() {
      await session.release();
    },
  };
}
