import { AppError, ErrorCode } from '../core/errors.js';
import type { Landmarks, Point } from '../core/types.js';
import type { Tensor } from '../ports/tensor-model.js';
import type { Candidate } from './detect-candidate.js';

export interface GridDecodeSpec {
  /** Tensor input size. */
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly strides: readonly number[];
  readonly anchorsPerCell: number;
  readonly scoreThreshold: number;
}

/** Rows and channels of an output, whatever its batch dimension: [N, C] or [1, N, C]. */
function rowsOf(t: Tensor): { rows: number; channels: number } {
  const channels = t.dims[t.dims.length - 1] ?? 1;
  return { rows: t.data.length / channels, channels };
}

/** Grid cells per row at `stride`: the network rounds up partial cells. */
export function gridWidth(inputWidth: number, stride: number): number {
  return Math.ceil(inputWidth / stride);
}

/**
 * Groups SCRFD's nine outputs into per-stride triples by shape, not by name (the exported names are
 * graph node numbers such as '443'). Scores have 1 channel, boxes 4, keypoints 10; within a kind, more
 * rows means a finer stride. Falls back to the documented order (scores 8/16/32, boxes, keypoints).
 */
export function groupScrfdOutputs(
  outputs: readonly Tensor[],
  strides: readonly number[],
): { scores: Tensor; boxes: Tensor; kps: Tensor | null }[] {
  const byChannels = (c: number) =>
    outputs.filter((t) => rowsOf(t).channels === c).sort((a, b) => rowsOf(b).rows - rowsOf(a).rows);
  const scores = byChannels(1);
  const boxes = byChannels(4);
  const kps = byChannels(10);
  const groups = scores.flatMap((t, i) => {
    const b = boxes[i];
    return b ? [{ scores: t, boxes: b, kps: kps[i] ?? null }] : [];
  });
  if (groups.length !== strides.length || boxes.length !== strides.length) {
    throw new AppError(ErrorCode.InferenceFailed, 'SCRFD outputs do not match the manifest strides', {
      outputs: outputs.map((t) => t.dims),
      strides,
    });
  }
  return groups;
}

/**
 * SCRFD decoding (InsightFace `SCRFD.forward`): anchors sit at (col·stride, row·stride), `anchorsPerCell`
 * per cell; boxes are left/top/right/bottom distances and keypoints offsets, both in stride units.
 * Returns candidates above the threshold in tensor coordinates, unsorted and not suppressed.
 */
export function decodeScrfd(outputs: readonly Tensor[], spec: GridDecodeSpec): Candidate[] {
  const groups = groupScrfdOutputs(outputs, spec.strides);
  const out: Candidate[] = [];
  const A = spec.anchorsPerCell;
  for (const [s, stride] of spec.strides.entries()) {
    const group = groups[s];
    if (!group) break;
    const { scores, boxes, kps } = group;
    const fw = gridWidth(spec.inputWidth, stride);
    const n = rowsOf(scores).rows;
    if (rowsOf(boxes).rows !== n || (kps && rowsOf(kps).rows !== n) || n % (fw * A) !== 0) {
      throw new AppError(ErrorCode.InferenceFailed, 'SCRFD output sizes disagree with the input size', {
        stride,
        rows: n,
        inputWidth: spec.inputWidth,
      });
    }
    const sd = scores.data;
    const bd = boxes.data;
    for (let i = 0; i < n; i++) {
      const score = sd[i] as number;
      if (!(score >= spec.scoreThreshold)) continue;
      const cell = Math.floor(i / A);
      const cx = (cell % fw) * stride;
      const cy = Math.floor(cell / fw) * stride;
      const x1 = cx - (bd[i * 4] as number) * stride;
      const y1 = cy - (bd[i * 4 + 1] as number) * stride;
      const x2 = cx + (bd[i * 4 + 2] as number) * stride;
      const y2 = cy + (bd[i * 4 + 3] as number) * stride;
      const points: Point[] = [];
      for (let k = 0; k < 5; k++) {
        points.push(
          kps
            ? [
                cx + (kps.data[i * 10 + 2 * k] as number) * stride,
                cy + (kps.data[i * 10 + 2 * k + 1] as number) * stride,
              ]
            : [Number.NaN, Number.NaN],
        );
      }
      out.push({ box: [x1, y1, x2 - x1, y2 - y1], score, landmarks: points as Landmarks });
    }
  }
  return out;
}
