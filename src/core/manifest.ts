import { z } from 'zod';

import { AppError, ErrorCode } from './errors.js';

/**
 * The model manifest (models/manifest.json): every model file we know, how to fetch and verify it, how
 * to feed it, and packs of models with thresholds calibrated for that combination.
 * All thresholds are cosine similarities of L2-normalised (fused) embeddings.
 */
const inputSpec = z.object({
  name: z.string(),
  layout: z.literal('NCHW'),
  /** [width, height] the model was trained at. Detectors accept other sizes (multiples of sizeMultiple). */
  size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  sizeMultiple: z.number().int().positive().optional(),
  colorOrder: z.enum(['RGB', 'BGR']),
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number(), z.number(), z.number()]),
  /** Largest batch the graph accepts (1 when the batch dimension is fixed). */
  maxBatch: z.number().int().positive().optional(),
});

const common = {
  file: z.string(),
  url: z.url().nullable(),
  /** Name of the file inside the zip at `url`, when the official download is an archive. */
  archiveMember: z.string().optional(),
  /** Where the file comes from when `url` is null (a conversion with no official download of its own). */
  source: z.string().optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().positive(),
  license: z.string(),
  input: inputSpec,
};

const detectorFile = z.object({
  ...common,
  kind: z.literal('detector'),
  output: z.object({
    decoder: z.enum(['scrfd', 'yunet']),
    strides: z.array(z.number().int().positive()),
    anchorsPerCell: z.number().int().positive(),
    scoreThreshold: z.number().min(0).max(1),
    nmsIou: z.number().min(0).max(1),
  }),
});

const recognizerFile = z.object({
  ...common,
  kind: z.literal('recognizer'),
  crop: z.discriminatedUnion('type', [
    /** 5-point similarity transform onto the ArcFace template scaled to `size`. */
    z.object({ type: z.literal('arcface'), size: z.number().int().positive() }),
    /**
     * 5-point similarity transform onto Open Model Zoo's face-reidentification template (96×112 reference
     * points scaled to a `size`×`size` crop: x·size/96, y·size/112), for Intel's retail recognizers.
     */
    z.object({ type: z.literal('openvino'), size: z.number().int().positive() }),
    /** Detector box grown by `margin` on each side, made square, resized to `size`. */
    z.object({ type: z.literal('box'), size: z.number().int().positive(), margin: z.number().min(0) }),
  ]),
  /** `name: null` takes the graph's first output. */
  output: z.object({ name: z.string().nullable(), dim: z.number().int().positive() }),
});

const modelFile = z.discriminatedUnion('kind', [detectorFile, recognizerFile]);

const searchThresholds = z.object({
  /** A person's score (mean cosine to their best `topK` faces) at or above which the bot asserts. */
  sure: z.number(),
  /** Between this and `sure` the bot asks ("Is this Anna?") instead of asserting; below, no match. */
  unsure: z.number(),
  /** Lead over the second-best person needed to be sure; with less, the bot asks. */
  margin: z.number().min(0),
  /** How many of a person's best faces make their score. */
  topK: z.number().int().positive(),
});

const pack = z.object({
  description: z.string(),
  license: z.string(),
  /** Lower is tried first when choosing a complete pack from a mirror. */
  rank: z.number(),
  detector: z.string(),
  fallbackDetector: z.string().nullable(),
  /** Embeddings are L2-normalised, scaled by sqrt(weight / sum of weights) and concatenated. */
  recognizers: z.array(z.object({ model: z.string(), weight: z.number().positive() })).min(1),
  /** Average each embedding with the one of the horizontally mirrored crop. */
  flip: z.boolean(),
  thresholds: z.object({
    /** Two faces are the same person at or above this cosine. */
    match: z.number(),
    /** Faces within this cosine are neighbours when grouping into people. */
    cluster: z.number(),
    /** Quality score needed to index a face / to search with it. */
    qualityIndex: z.number(),
    qualitySearch: z.number(),
    /** The open-set decision of a selfie against the chat's people (pipeline/identify.ts). */
    search: searchThresholds,
    /** Where each decision's figures came from: the measurement, or the published figure. */
    calibration: z.object({ match: z.string(), cluster: z.string(), search: z.string() }),
  }),
});

export const manifestSchema = z.object({
  version: z.literal(1),
  defaultPack: z.string(),
  files: z.record(z.string(), modelFile),
  packs: z.record(z.string(), pack),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ModelFile = z.infer<typeof modelFile>;
export type DetectorFile = z.infer<typeof detectorFile>;
export type RecognizerFile = z.infer<typeof recognizerFile>;
export type InputSpec = z.infer<typeof inputSpec>;
export type CropSpec = RecognizerFile['crop'];
export type PackSpec = z.infer<typeof pack>;
export type SearchThresholds = z.infer<typeof searchThresholds>;

/** A pack with its model entries resolved. */
export interface ResolvedPack {
  readonly name: string;
  readonly spec: PackSpec;
  readonly detector: DetectorFile & { readonly id: string };
  readonly fallbackDetector: (DetectorFile & { readonly id: string }) | null;
  readonly recognizers: ReadonlyArray<RecognizerFile & { readonly id: string; readonly weight: number }>;
  /** Dimension of the fused embedding. */
  readonly dim: number;
}

export function parseManifest(json: unknown): Manifest {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError(ErrorCode.BadManifest, `models/manifest.json is invalid: ${parsed.error.message}`);
  }
  const manifest = parsed.data;
  for (const name of Object.keys(manifest.packs)) resolvePack(manifest, name);
  if (!(manifest.defaultPack in manifest.packs)) {
    throw new AppError(ErrorCode.BadManifest, `default pack "${manifest.defaultPack}" is not defined`);
  }
  return manifest;
}

function fileOfKind<K extends ModelFile['kind']>(
  manifest: Manifest,
  id: string,
  kind: K,
  packName: string,
): Extract<ModelFile, { kind: K }> & { id: string } {
  const entry = manifest.files[id];
  if (!entry || entry.kind !== kind) {
    throw new AppError(
      ErrorCode.BadManifest,
      `pack "${packName}" names ${kind} "${id}", which the manifest lacks`,
    );
  }
  return { ...(entry as Extract<ModelFile, { kind: K }>), id };
}

export function resolvePack(manifest: Manifest, name: string): ResolvedPack {
  const spec = manifest.packs[name];
  if (!spec) {
    throw new AppError(ErrorCode.UnknownModelPack, `unknown model pack "${name}"`, {
      known: Object.keys(manifest.packs),
    });
  }
  const recognizers = spec.recognizers.map((r) => ({
    ...fileOfKind(manifest, r.model, 'recognizer', name),
    weight: r.weight,
  }));
  return {
    name,
    spec,
    detector: fileOfKind(manifest, spec.detector, 'detector', name),
    fallbackDetector: spec.fallbackDetector
      ? fileOfKind(manifest, spec.fallbackDetector, 'detector', name)
      : null,
    recognizers,
    dim: recognizers.reduce((sum, r) => sum + r.output.dim, 0),
  };
}

/** Every model file a pack needs. */
export function packFiles(pack: ResolvedPack): ReadonlyArray<ModelFile & { id: string }> {
  return [pack.detector, ...(pack.fallbackDetector ? [pack.fallbackDetector] : []), ...pack.recognizers];
}
