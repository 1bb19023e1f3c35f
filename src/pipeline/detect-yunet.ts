import { AppError, ErrorCode } from '../core/errors.js';
import type { Landmarks, Point } from '../core/types.js';
import type { Tensor } from '../ports/tensor-model.js';
import type { Candidate } from './detect-candidate.js';
import { gridWidth, type GridDecodeSpec } from './detect-scrfd.js';

/** YuNet's output heads for one stride. */
export interface YunetHeads {
  readonly cls: Tensor;
  readonly obj: Tensor;
  readonly bbox: Tensor;
  readonly kps: Tensor;
}

/**
 * Finds `cls_8`, `obj_8`, `bbox_8`, `kps_8`, ... by name (YuNet's exported names are stable across
 * the 2023mar and 2026may files); falls back to OpenCV's order (cls×3, obj×3, bbox×3, kps×3).
 */
export function groupYunetOutputs(
  outputs: Readonly<Record<string, Tensor>>,
  outputNames: readonly string[],
  strides: readonly number[],
): YunetHeads[] {
  return strides.map((stride, s) => {
    const pick = (kind: string, k: number): Tensor => {
      const t = outputs[`${kind}_${stride}`] ?? outputs[outputNames[k * strides.length + s] ?? ''];
      if (!t) {
        throw new AppError(ErrorCode.InferenceFailed, `YuNet output ${kind}_${stride} is missing`, {
          outputNames,
        });
      }
      return t;
    };
    return { cls: pick('cls', 0), obj: pick('obj', 1), bbox: pick('bbox', 2), kps: pick('kps', 3) };
  });
}

const clamp01 = (v: number) => Math.min(Math.max(v, 0), 1);

/**
 * YuNet decoding as in OpenCV's face_detect.cpp (FaceDetectorYNImpl::postProcess): one anchor per
 * cell at (col, row); score = sqrt(cls · obj) with both clamped to [0, 1]; centre = (col + dx, row + dy)
 * · stride, size = exp(dw, dh) · stride; keypoints = (k + [col, row]) · stride.
 *
 * YuNet lists landmarks as the subject's right eye, left eye, nose, right and left mouth corner, which
 * for a face looking at the camera is image-left first: the same order as InsightFace's, so no
 * reordering is needed (checked against SCRFD on the compreface fixtures in detect-yunet.test.ts).
 */
export function decodeYunet(heads: readonly YunetHeads[], spec: GridDecodeSpec): Candidate[] {
  const out: Candidate[] = [];
  for (const [s, stride] of spec.strides.entries()) {
    const head = heads[s];
    if (!head) break;
    const { cls, obj, bbox, kps } = head;
    const fw = gridWidth(spec.inputWidth, stride);
    const n = cls.data.length;
    if (obj.data.length !== n || bbox.data.length !== 4 * n || kps.data.length !== 10 * n || n % fw !== 0) {
      throw new AppError(ErrorCode.InferenceFailed, 'YuNet output sizes disagree with the input size', {
        stride,
        rows: n,
        inputWidth: spec.inputWidth,
      });
    }
    for (let i = 0; i < n; i++) {
      const score = Math.sqrt(clamp01(cls.data[i] as number) * clamp01(obj.data[i] as number));
      if (!(score >= spec.scoreThreshold)) continue;
      const col = i % fw;
      const row = Math.floor(i / fw);
      const b = bbox.data;
      const cx = (col + (b[i * 4] as number)) * stride;
      const cy = (row + (b[i * 4 + 1] as number)) * stride;
      const w = Math.exp(b[i * 4 + 2] as number) * stride;
      const h = Math.exp(b[i * 4 + 3] as number) * stride;
      const points: Point[] = [];
      for (let k = 0; k < 5; k++) {
        points.push([
          ((kps.data[i * 10 + 2 * k] as number) + col) * stride,
          ((kps.data[i * 10 + 2 * k + 1] as number) + row) * stride,
        ]);
      }
      out.push({ box: [cx - w / 2, cy - h / 2, w, h], score, landmarks: points as Landmarks });
    }
  }
  return out;
}
