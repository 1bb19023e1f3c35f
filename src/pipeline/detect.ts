import { AppError, ErrorCode } from '../core/errors.js';
import type { FaceDetection, Landmarks, RgbImage } from '../core/types.js';
import type { DetectorModel } from '../ports/pack-models.js';
import type { Candidate } from './detect-candidate.js';
import { fitScale, letterboxToTensor, toImageX, toImageY, type Region } from './detect-letterbox.js';
import { coverage, iou, nms } from './detect-nms.js';
import { decodeScrfd, type GridDecodeSpec } from './detect-scrfd.js';
import { mergeTiled, planTiles, touchesInnerEdge, type TiledCandidate } from './detect-tiles.js';
import { DEFAULT_LIMITS, validateCandidate, type ValidationLimits } from './detect-validate.js';
import { decodeYunet, groupYunetOutputs } from './detect-yunet.js';

export interface DetectOptions {
  /** Second detector, run when the primary finds nothing or only low-confidence faces. */
  fallback?: DetectorModel | null;
  /** 'auto' (default): tiles only when the global pass suggests small faces were missed. */
  tiling?: 'auto' | 'off' | 'always';
  /** Overrides the manifest's score threshold of both detectors. */
  scoreThreshold?: number;
  /** Shortest box side to keep, in pixels of the given image (default 8). */
  minFaceSize?: number;
}

/**
 * Smallest face, in detector-input pixels, that SCRFD and YuNet find reliably: SCRFD's smallest anchor
 * is 16 px at stride 8 (InsightFace scrfd configs), and YuNet's documented range starts near 10 px.
 */
const MIN_DETECTABLE_PX = 16;
/**
 * 'auto' tiles when the smallest face found is under this many times the smallest detectable one:
 * faces in one photo vary in size, and the smallest found being near the limit hints at smaller ones.
 */
const SMALL_FACE_FACTOR = 2;
/**
 * Tile budget: each tile costs one detector run plus its letterbox (det_500m: ~25 + ~8 ms of CPU), so
 * 12 tiles add ~0.5 s of CPU to a 12-megapixel photo, against ~80 ms for its global pass (measured).
 */
const MAX_TILES = 12;
/** Neighbouring tiles share a quarter of their side, so faces up to that size appear whole in one. */
const TILE_OVERLAP = 0.25;
/** Tiles must look at least 1.5× closer than the global pass; less finds little the global pass missed. */
const MIN_TILE_GAIN = 1.5;
/**
 * Up to this many detector-input pixels (twice 640 on each side), the closer look is one pass over the
 * whole image at the tiles' scale instead of tiles: on 2 cores det_500m takes ~98 ms at 1280×960 against
 * 6 × ~28 ms for the six 640 px tiles that cover it, plus their letterboxes (measured), and no face is
 * cut by a tile edge.
 */
const SECOND_SCALE_MAX_PIXELS = 1280 * 1280;
/** A box within 2 input pixels of a tile's inner edge counts as cut (decoded boxes jitter by ~1 px). */
const EDGE_MARGIN_PX = 2;
/**
 * Lowest score at which an SCRFD face is returned by default. InsightFace decodes at 0.5 (the manifest
 * value), which on the fixtures admits the frontal dog face in dlib/dogs.jpg at 0.63, while every
 * annotated human face there scores 0.70 or more (Immich likewise defaults to a 0.7 minimum). Candidates
 * between the two are "low-confidence": not returned, but they trigger the fallback detector.
 */
const SCRFD_ACCEPT = 0.65;
/**
 * A fallback box that overlaps a primary box by IoU above 0.3, or lies mostly (60 %) inside one, is
 * the same face: YuNet's boxes are tighter than SCRFD's, so IoU alone under-counts duplicates. This
 * holds for low-confidence primary candidates too: where SCRFD looked and scored a spot low, YuNet's
 * opinion does not overrule it, because YuNet scores the dog in dogs.jpg 0.85. The fallback thus adds
 * faces SCRFD missed altogether (blurred or blocky photos, where SCRFD scores < 0.5 and YuNet 0.75-0.9);
 * the price, measured on rotated compreface portraits, is that a face SCRFD scores 0.5-0.65 and YuNet
 * 0.85-0.92 is not returned either.
 */
const DUPLICATE_IOU = 0.3;
const DUPLICATE_COVERAGE = 0.6;

/** What every pass of one detectFaces call shares. */
interface PassContext {
  readonly image: RgbImage;
  readonly limits: ValidationLimits;
  /** Input tensor buffer, reused across the passes of one call. */
  buffer: Float32Array;
}

interface Pass {
  readonly detector: DetectorModel;
  /** Decode threshold: candidates at or above it are kept for merging and fallback decisions. */
  readonly threshold: number;
}

/** The default score a detector's faces need to be returned. */
function acceptScore(detector: DetectorModel): number {
  const spec = detector.spec.output;
  return spec.decoder === 'scrfd' ? Math.max(spec.scoreThreshold, SCRFD_ACCEPT) : spec.scoreThreshold;
}

function isDuplicate(a: Candidate, others: readonly Candidate[]): boolean {
  return others.some(
    (p) =>
      iou(p.box, a.box) > DUPLICATE_IOU ||
      coverage(a.box, p.box) > DUPLICATE_COVERAGE ||
      coverage(p.box, a.box) > DUPLICATE_COVERAGE,
  );
}

/** Faces in the coordinates of `image` (which may be larger than the detector input), sorted by score. */
export async function detectFaces(
  image: RgbImage,
  detector: DetectorModel,
  opts: DetectOptions = {},
): Promise<FaceDetection[]> {
  const { width, height } = image;
  if (!(width > 0 && height > 0) || image.data.length !== width * height * 3) {
    throw new AppError(ErrorCode.BadArguments, 'detectFaces needs a non-empty RGB image', {
      width,
      height,
      bytes: image.data.length,
    });
  }
  const minSize = Math.max(opts.minFaceSize ?? DEFAULT_LIMITS.minSize, 1);
  const limits = { ...DEFAULT_LIMITS, minSize };
  const tiling = opts.tiling ?? 'auto';
  const accept = opts.scoreThreshold ?? acceptScore(detector);
  const primary: Pass = { detector, threshold: Math.min(accept, detector.spec.output.scoreThreshold) };
  const nmsIou = detector.spec.output.nmsIou;
  const full: Region = [0, 0, width, height];
  const [inW, inH] = detector.spec.input.size;

  const ctx: PassContext = { image, limits, buffer: new Float32Array(0) };
  let found = await runPass(ctx, primary, full, Infinity);

  const globalScale = fitScale(width, height, inW, inH);
  const minDetectable = MIN_DETECTABLE_PX / globalScale;
  const confident = found.filter((d) => d.score >= accept);
  const smallest = Math.min(...confident.map((d) => Math.min(d.box[2], d.box[3])));
  const wantTiles =
    tiling === 'always' ||
    (tiling === 'auto' &&
      minSize < minDetectable && // tiles can only add faces smaller than the global pass finds
      (confident.length === 0 || smallest < SMALL_FACE_FACTOR * minDetectable));
  const plan = wantTiles
    ? planTiles(width, height, {
        inputSize: Math.min(inW, inH),
        globalScale,
        maxTiles: MAX_TILES,
        overlap: TILE_OVERLAP,
        minGain: tiling === 'always' ? 1 : MIN_TILE_GAIN,
      })
    : null;
  const multiple = detector.spec.input.sizeMultiple ?? 32;
  const second = plan && secondScaleInput(width, height, plan.scale, multiple);
  if (plan && second) {
    const closer = await runPass(ctx, primary, full, plan.scale, second);
    found = mergeTiled(
      [...found, ...closer].map((d) => ({ ...d, cut: false })),
      nmsIou,
    ).map(({ box, score, landmarks }) => ({ box, score, landmarks }));
  } else if (plan) {
    const tiled: TiledCandidate[] = found.map((d) => ({ ...d, cut: false }));
    const margin = EDGE_MARGIN_PX / plan.scale;
    for (const tile of plan.tiles) {
      for (const d of await runPass(ctx, primary, tile, plan.scale)) {
        tiled.push({ ...d, cut: touchesInnerEdge(d.box, tile, width, height, margin) });
      }
    }
    found = mergeTiled(tiled, nmsIou).map(({ box, score, landmarks }) => ({ box, score, landmarks }));
  }

  const faces = found.filter((d) => d.score >= accept);
  const fallback = opts.fallback;
  let extra: Candidate[] = [];
  if (fallback && faces.length === 0) {
    const fallbackAccept = opts.scoreThreshold ?? acceptScore(fallback);
    const pass: Pass = { detector: fallback, threshold: fallbackAccept };
    extra = (await runPass(ctx, pass, full, Infinity)).filter((f) => !isDuplicate(f, found));
  }

  const label = (d: Candidate, id: string): FaceDetection => ({
    box: d.box,
    score: d.score,
    landmarks: d.landmarks,
    detector: id,
  });
  return [
    ...faces.map((d) => label(d, detector.spec.id)),
    ...extra.map((d) => label(d, fallback?.spec.id ?? '')),
  ].sort((a, b) => b.score - a.score);
}

/**
 * Input size for one pass over the whole image at `scale`, rounded up to the detector's size multiple;
 * null when that is too large for one pass (then tiles).
 */
function secondScaleInput(
  width: number,
  height: number,
  scale: number,
  multiple: number,
): [number, number] | null {
  const w = Math.ceil((width * scale) / multiple) * multiple;
  const h = Math.ceil((height * scale) / multiple) * multiple;
  return w * h <= SECOND_SCALE_MAX_PIXELS ? [w, h] : null;
}

/**
 * One detector run over `region` of the image: letterbox, infer, decode, map back to image
 * coordinates, validate and suppress duplicates. `inputSize` overrides the manifest's input size.
 */
async function runPass(
  ctx: PassContext,
  pass: Pass,
  region: Region,
  maxScale: number,
  inputSize?: readonly [number, number],
): Promise<Candidate[]> {
  const { image, limits } = ctx;
  const { model, spec } = pass.detector;
  const [inW, inH] = inputSize ?? spec.input.size;
  const { tensor, letterbox } = letterboxToTensor(image, region, inW, inH, spec.input, maxScale, ctx.buffer);
  ctx.buffer = tensor; // the run below finishes before the next pass refills it
  const outputs = await model.run({ [spec.input.name]: { data: tensor, dims: [1, 3, inH, inW] } });
  const grid: GridDecodeSpec = {
    inputWidth: inW,
    inputHeight: inH,
    strides: spec.output.strides,
    anchorsPerCell: spec.output.anchorsPerCell,
    scoreThreshold: pass.threshold,
  };
  const decoded =
    spec.output.decoder === 'scrfd'
      ? decodeScrfd(
          model.outputNames.map((n) => {
            const t = outputs[n];
            if (!t)
              throw new AppError(ErrorCode.InferenceFailed, `output ${n} missing`, { model: model.name });
            return t;
          }),
          grid,
        )
      : decodeYunet(groupYunetOutputs(outputs, model.outputNames, spec.output.strides), grid);
  const valid: Candidate[] = [];
  for (const c of decoded) {
    const mapped: Candidate = {
      box: [
        toImageX(letterbox, c.box[0]),
        toImageY(letterbox, c.box[1]),
        c.box[2] / letterbox.scale,
        c.box[3] / letterbox.scale,
      ],
      score: c.score,
      landmarks: c.landmarks.map(([x, y]) => [toImageX(letterbox, x), toImageY(letterbox, y)]) as Landmarks,
    };
    const v = validateCandidate(mapped, image.width, image.height, limits);
    if (v) valid.push(v);
  }
  return nms(valid, spec.output.nmsIou);
}
