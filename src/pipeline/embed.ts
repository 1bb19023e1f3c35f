import { AppError, ErrorCode } from '../core/errors.js';
import type { Embedding, FaceDetection, RgbImage } from '../core/types.js';
import type { RecognizerModel } from '../ports/pack-models.js';
import { alignFace } from './align.js';
import { cropsToTensor, type MirrorMode } from './embed-tensor.js';

export interface EmbedOptions {
  /** Add the embedding of the mirrored crop before normalising (the pack's `flip`). */
  readonly flip: boolean;
}

/**
 * Images per recognizer run, whatever larger batch the graph accepts. Without onnxruntime's arena every
 * run allocates its activations afresh, and glibc keeps the heap that the largest run grew: a 24-face
 * photo in batches of 32 left the album job (`faceblog album`, 20 photos of 12 MP, 2 threads) at
 * 970 MB peak RSS, batches of 8 at 780 MB, at the same speed within the noise of this shared machine.
 */
const MAX_RUN_IMAGES = 8;

/**
 * Embeddings of crops already aligned for `recognizer`, L2-normalised. Crops go through the graph in
 * batches of at most `input.maxBatch` (1 when the manifest says nothing: a fixed batch dimension is the
 * safe assumption). With `flip`, each crop's mirror runs in the same batch and the two raw outputs are
 * summed before normalising, as InsightFace's verification evaluation does.
 */
export async function embedCrops(
  crops: readonly RgbImage[],
  recognizer: RecognizerModel,
  opts: EmbedOptions,
): Promise<Float32Array[]> {
  const { spec, model } = recognizer;
  const [inW, inH] = spec.input.size;
  for (const crop of crops) {
    if (crop.width !== inW || crop.height !== inH) {
      throw new AppError(
        ErrorCode.BadArguments,
        `crop is ${crop.width}×${crop.height}, ${spec.id} needs ${inW}×${inH}`,
        {
          model: spec.id,
        },
      );
    }
  }
  const views = opts.flip ? 2 : 1;
  const maxBatch = Math.min(MAX_RUN_IMAGES, spec.input.maxBatch ?? 1);
  // Whole faces per run: a face and its mirror stay together unless the batch holds only one image.
  const facesPerRun = Math.max(1, Math.floor(maxBatch / views));
  const dim = spec.output.dim;
  const outName = spec.output.name ?? model.outputNames[0];
  if (outName === undefined) {
    throw new AppError(ErrorCode.InferenceFailed, `model ${spec.id} has no outputs`, { model: spec.id });
  }
  const result: Float32Array[] = [];
  for (let start = 0; start < crops.length; start += facesPerRun) {
    const group = crops.slice(start, start + facesPerRun);
    const sums = group.map(() => new Float32Array(dim));
    // Batch of one image (fixed-batch graphs): the original and the mirror run one after the other.
    const modes: MirrorMode[] = !opts.flip ? ['plain'] : maxBatch >= 2 ? ['both'] : ['plain', 'mirror'];
    for (const mode of modes) {
      const data = cropsToTensor(group, spec.input, mode);
      const batch = group.length * (mode === 'both' ? 2 : 1);
      const out = await model.run({ [spec.input.name]: { data, dims: [batch, 3, inH, inW] } });
      const tensor = out[outName];
      if (tensor?.data.length !== batch * dim) {
        throw new AppError(ErrorCode.InferenceFailed, `model ${spec.id} returned an unexpected ${outName}`, {
          model: spec.id,
          expected: [batch, dim],
          dims: tensor?.dims,
        });
      }
      // Rows are face-major: [face0, face0 mirrored, face1, ...] when mirrored in the same batch.
      const perFace = batch / group.length;
      for (let f = 0; f < group.length; f++) {
        const sum = sums[f] ?? new Float32Array(dim);
        for (let k = 0; k < perFace; k++) {
          const row = (f * perFace + k) * dim;
          for (let j = 0; j < dim; j++) sum[j] = (sum[j] ?? 0) + (tensor.data[row + j] ?? 0);
        }
      }
    }
    for (const sum of sums) result.push(l2Normalise(sum, spec.id));
  }
  return result;
}

/**
 * Fused embeddings of `faces`: each recognizer gets its own crop (manifest `crop`), its embedding is
 * L2-normalised and scaled by sqrt(weight / Σ weights), and the parts are concatenated. The cosine of two
 * fused embeddings is then the weighted mean of the recognizers' cosines. A final L2 norm guards rounding.
 */
export async function embedFaces(
  image: RgbImage,
  faces: readonly FaceDetection[],
  recognizers: readonly RecognizerModel[],
  opts: EmbedOptions & {
    /** Crops the caller already aligned, per recognizer (same order as `recognizers`), so none is warped twice. */
    readonly aligned?: ReadonlyArray<readonly RgbImage[] | undefined>;
  },
): Promise<Embedding[]> {
  if (recognizers.length === 0) throw new AppError(ErrorCode.BadArguments, 'embedFaces needs a recognizer');
  if (faces.length === 0) return [];
  const total = recognizers.reduce((s, r) => s + r.spec.weight, 0);
  const dim = recognizers.reduce((s, r) => s + r.spec.output.dim, 0);
  const fused = faces.map(() => new Float32Array(dim));
  let offset = 0;
  for (const [r, recognizer] of recognizers.entries()) {
    const crops = opts.aligned?.[r] ?? faces.map((face) => alignFace(image, face, recognizer.spec.crop));
    const parts = await embedCrops(crops, recognizer, opts);
    const k = Math.sqrt(recognizer.spec.weight / total);
    parts.forEach((part, i) => {
      const target = fused[i];
      if (!target) return;
      for (let j = 0; j < part.length; j++) target[offset + j] = (part[j] ?? 0) * k;
    });
    offset += recognizer.spec.output.dim;
  }
  return fused.map((e) => l2Normalise(e, 'fused'));
}

/** Cosine similarity; for the pipeline's L2-normalised embeddings this is their dot product. */
export function cosine(a: Embedding, b: Embedding): number {
  if (a.length !== b.length) {
    throw new AppError(
      ErrorCode.BadArguments,
      `cannot compare embeddings of ${a.length} and ${b.length} dimensions`,
    );
  }
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

function l2Normalise(v: Float32Array, model: string): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  if (!(n > 0) || !Number.isFinite(n)) {
    throw new AppError(ErrorCode.InferenceFailed, `model ${model} produced a zero or non-finite embedding`, {
      model,
    });
  }
  const inv = 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) * inv;
  return v;
}
