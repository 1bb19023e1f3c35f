import type { FaceDetection, Landmarks, QualityReport, RgbImage } from '../core/types.js';

export interface QualityOptions {
  /** Score needed to index a face (the pack's `thresholds.qualityIndex`). */
  readonly indexThreshold: number;
  /** Score needed to search with a face (the pack's `thresholds.qualitySearch`). */
  readonly searchThreshold: number;
}

/**
 * Each criterion maps to a factor in 0..1 by a linear ramp from `bad` (0) to `good` (1); the face gets the
 * criterion's reason when its factor is below 0.5, i.e. past the ramp's midpoint. The score is the product
 * of the factors, so one reason alone leaves a face indexable (pack `qualityIndex` 0.3) but not good
 * enough to search with (`qualitySearch` 0.5), and two reasons usually drop it.
 */
interface Ramp {
  readonly bad: number;
  readonly good: number;
}

/**
 * Shorter side of the detector box, original pixels. Measured by downscaling a frontal portrait
 * (face_recognition obama.jpg) and comparing the fused `local` embedding with the full-size one: cosine
 * 0.99 at 96 px, 0.97 at 48, 0.90 at 32, 0.75 at 24, 0.40 at 16 (where it nears the match threshold).
 * Reason 'small' below 32 px (the ramp's midpoint).
 */
const SIZE: Ramp = { bad: 16, good: 48 };
/**
 * log10 of the variance of the Laplacian of the grey 112 px ArcFace crop. Measured on the fixtures'
 * portraits: sharp faces 2.6–3.3, LFW's soft 250 px JPEGs about 2.0 (and the recognizers reach 99 % on
 * LFW), the same crops blurred with a Gaussian of sigma 2 at 1.0–1.3 and of sigma 4 at 0.2–0.5. Reason
 * 'blurry' below 1.5 (variance ≈ 32).
 */
const BLUR_LOG: Ramp = { bad: 1.0, good: 2.0 };
/**
 * Pose in degrees from the five landmarks (a rough head model, below; it reads a real ~70° turn as
 * ~55°). Over LFW fold 1's 807 faces the estimate's |yaw| has median 10°, 90th percentile 26°, 99th 45°;
 * the three above 50° (Phil_Gramm_0002, Hugo_Chavez_0033, Andy_Dick_0001) are visibly near profile.
 * ArcFace-family recognizers lose several points from frontal to profile pairs (CFP-FP vs LFW), and
 * 5-point landmarks degrade there too. Reasons: 'profile' past 50° yaw, 'pitched' past 40° pitch (LFW's
 * 99th percentile is 31°), 'tilted' past 60° roll (alignment removes roll for ArcFace crops; the box
 * crop does not).
 */
const YAW: Ramp = { bad: 75, good: 25 };
const PITCH: Ramp = { bad: 60, good: 20 };
const ROLL: Ramp = { bad: 90, good: 30 };
/**
 * Detector score: SCRFD's and YuNet's thresholds are 0.5–0.6 (manifest), real frontal faces on the
 * fixtures score 0.7–0.9 (detect.ts). Reason 'low-confidence' below 0.6.
 */
const DET_SCORE: Ramp = { bad: 0.5, good: 0.7 };
/**
 * Share of the aligned crop that lies outside the photo (face cut by the frame). Alignment fills outside
 * pixels with exact black (align.ts), while real photo pixels at exactly (0, 0, 0) are rare: measured on
 * the 114 faces of the dlib and compreface fixtures at most 3.9 %, on face_recognition's two partial-face
 * photos 28 % and 32 %. Reason 'partial' above 20 %.
 */
const OUTSIDE: Ramp = { bad: 0.35, good: 0.05 };

/**
 * Depth of the nose tip in front of the eyes, as a fraction of the eye distance, and in front of the
 * eye–mouth span, as a fraction of that span (adult anthropometry: ~35 mm nose protrusion, ~63 mm
 * between pupils, ~70 mm eyes to mouth). Turns the nose's offset from the face's midline into an angle.
 */
const NOSE_DEPTH_PER_EYE_DISTANCE = 0.55;
const NOSE_DEPTH_PER_EYE_MOUTH = 0.5;
/** Where the nose sits between the eye line and the mouth line in the frontal ArcFace template. */
const TEMPLATE_NOSE_RATIO = (71.7366 - 51.5988) / (92.2848 - 51.5988);

/**
 * How usable a detected face is for recognition: size, sharpness, pose, detector confidence and how much
 * of it the frame cuts off. `crop` is the face aligned for the pack's first recognizer (112 px ArcFace).
 */
export function assessQuality(face: FaceDetection, crop: RgbImage, opts: QualityOptions): QualityReport {
  const faceSize = Math.min(face.box[2], face.box[3]);
  const blur = laplacianVariance(crop);
  const { yaw, pitch, roll } = headPose(face.landmarks);
  const reasons: string[] = [];
  let score = 1;
  const judge = (value: number, ramp: Ramp, reason: string) => {
    const f = rampFactor(value, ramp);
    if (f < 0.5) reasons.push(reason);
    score *= f;
  };
  judge(faceSize, SIZE, 'small');
  judge(Math.log10(Math.max(blur, 1e-6)), BLUR_LOG, 'blurry');
  judge(Math.abs(yaw), YAW, 'profile');
  judge(Math.abs(pitch), PITCH, 'pitched');
  judge(Math.abs(roll), ROLL, 'tilted');
  judge(face.score, DET_SCORE, 'low-confidence');
  judge(blackFraction(crop), OUTSIDE, 'partial');
  return {
    score,
    reasons,
    indexable: score >= opts.indexThreshold,
    searchable: score >= opts.searchThreshold,
    faceSize,
    blur,
    yaw,
    pitch,
    roll,
  };
}

function rampFactor(value: number, { bad, good }: Ramp): number {
  const t = (value - bad) / (good - bad);
  return Math.min(1, Math.max(0, t));
}

/** Fraction of pixels that are exactly black: what alignment writes outside the photo. */
export function blackFraction(crop: RgbImage): number {
  const { data } = crop;
  let black = 0;
  for (let p = 0; p < data.length; p += 3) {
    if (data[p] === 0 && data[p + 1] === 0 && data[p + 2] === 0) black += 1;
  }
  return data.length === 0 ? 0 : (3 * black) / data.length;
}

/**
 * Variance of the 4-neighbour Laplacian of the crop's luma (Rec. 601 weights), over interior pixels:
 * the usual focus measure (Pech-Pacheco et al., 2000). Black borders from alignment add edges, so only
 * the central 80 % of the crop counts.
 */
export function laplacianVariance(crop: RgbImage): number {
  const { width: w, height: h, data } = crop;
  const grey = new Float32Array(w * h);
  for (let i = 0, p = 0; i < grey.length; i++, p += 3) {
    grey[i] = 0.299 * (data[p] ?? 0) + 0.587 * (data[p + 1] ?? 0) + 0.114 * (data[p + 2] ?? 0);
  }
  const x0 = Math.max(1, Math.floor(w * 0.1));
  const y0 = Math.max(1, Math.floor(h * 0.1));
  const x1 = Math.min(w - 1, Math.ceil(w * 0.9));
  const y1 = Math.min(h - 1, Math.ceil(h * 0.9));
  let n = 0;
  let sum = 0;
  let sum2 = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * w + x;
      const lap =
        (grey[i - 1] ?? 0) +
        (grey[i + 1] ?? 0) +
        (grey[i - w] ?? 0) +
        (grey[i + w] ?? 0) -
        4 * (grey[i] ?? 0);
      sum += lap;
      sum2 += lap * lap;
      n += 1;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sum2 / n - mean * mean;
}

/**
 * Yaw, pitch and roll in degrees from five landmarks. Roll is the eye line's angle; in the roll-corrected
 * frame, yaw comes from the nose tip's offset from the line through the eye and mouth midpoints, pitch
 * from the nose's height between the eye line and the mouth line relative to the frontal template.
 * Positive yaw: nose towards the image's right; positive pitch: nose lower (face tilted down).
 */
export function headPose(landmarks: Landmarks): { yaw: number; pitch: number; roll: number } {
  const [le, re, nose, lm, rm] = landmarks;
  const roll = Math.atan2(re[1] - le[1], re[0] - le[0]);
  const c = Math.cos(-roll);
  const s = Math.sin(-roll);
  const rot = ([x, y]: readonly [number, number]): [number, number] => [c * x - s * y, s * x + c * y];
  const [lex, ley] = rot(le);
  const [rex, rey] = rot(re);
  const [nx, ny] = rot(nose);
  const [lmx, lmy] = rot(lm);
  const [rmx, rmy] = rot(rm);
  const eyeX = (lex + rex) / 2;
  const eyeY = (ley + rey) / 2;
  const mouthX = (lmx + rmx) / 2;
  const mouthY = (lmy + rmy) / 2;
  const eyeDistance = Math.max(1e-6, Math.hypot(rex - lex, rey - ley));
  const span = mouthY - eyeY;
  const ratio = Math.abs(span) > 1e-6 ? (ny - eyeY) / span : TEMPLATE_NOSE_RATIO;
  const midX = eyeX + (mouthX - eyeX) * ratio;
  const yaw = Math.atan((nx - midX) / (NOSE_DEPTH_PER_EYE_DISTANCE * eyeDistance));
  const pitch = Math.atan((ratio - TEMPLATE_NOSE_RATIO) / NOSE_DEPTH_PER_EYE_MOUTH);
  const deg = 180 / Math.PI;
  return { yaw: yaw * deg, pitch: pitch * deg, roll: roll * deg };
}
