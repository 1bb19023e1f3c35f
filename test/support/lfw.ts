import { readFile } from 'node:fs/promises';

import type { FaceDetection, RgbImage } from '../../src/core/types.js';
import { fixture } from './fixtures.js';

/** One LFW pair: two image keys (`name/index`) and whether they show the same person. */
export interface LfwPair {
  readonly a: string;
  readonly b: string;
  readonly same: boolean;
}

/**
 * LFW view-2 `pairs.txt` lines: a count, then `name i j` (same person) and `name1 i name2 j` (different),
 * tab or space separated.
 */
export function parsePairs(text: string): LfwPair[] {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const pairs: LfwPair[] = [];
  for (const line of lines.slice(1)) {
    const f = line.split(/\s+/);
    if (f.length === 3) pairs.push({ a: `${f[0]}/${f[1]}`, b: `${f[0]}/${f[2]}`, same: true });
    else if (f.length === 4) pairs.push({ a: `${f[0]}/${f[1]}`, b: `${f[2]}/${f[3]}`, same: false });
    else throw new Error(`bad LFW pairs line: ${line}`);
  }
  return pairs;
}

export async function loadFold1Pairs(): Promise<LfwPair[]> {
  return parsePairs(await readFile(fixture('lfw', 'pairs_fold1.txt'), 'utf8'));
}

/** `name/7` → lfw/name/name_0007.jpg */
export function lfwImagePath(key: string): string {
  const [name = '', index = ''] = key.split('/');
  return fixture('lfw', name, `${name}_${index.padStart(4, '0')}.jpg`);
}

/** Every image a list of pairs needs, each once, in first-seen order. */
export function pairImages(pairs: readonly LfwPair[]): string[] {
  return [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
}

/** LFW images are centred on the labelled person: of several detections, take the one nearest the centre. */
export function centralFace(image: RgbImage, faces: readonly FaceDetection[]): FaceDetection | undefined {
  let best: FaceDetection | undefined;
  let bestD = Infinity;
  for (const f of faces) {
    const [x, y, w, h] = f.box;
    const d = Math.hypot(x + w / 2 - image.width / 2, y + h / 2 - image.height / 2);
    if (d < bestD) {
      bestD = d;
      best = f;
    }
  }
  return best;
}

/** Fraction of pairs decided right when "same" means score ≥ threshold. */
export function accuracyAt(scores: readonly number[], same: readonly boolean[], threshold: number): number {
  let right = 0;
  scores.forEach((s, i) => {
    if (s >= threshold === same[i]) right += 1;
  });
  return scores.length === 0 ? 0 : right / scores.length;
}

/**
 * The threshold with the best accuracy on these pairs: candidates are midpoints between consecutive
 * sorted scores (every distinct decision), and of equally good ones the middle is taken, which keeps the
 * choice away from either class's edge.
 */
export function bestThreshold(
  scores: readonly number[],
  same: readonly boolean[],
): { threshold: number; accuracy: number } {
  const sorted = [...new Set(scores)].sort((x, y) => x - y);
  const candidates = [(sorted[0] ?? 0) - 1e-6];
  for (let i = 1; i < sorted.length; i++) candidates.push(((sorted[i - 1] ?? 0) + (sorted[i] ?? 0)) / 2);
  candidates.push((sorted[sorted.length - 1] ?? 0) + 1e-6);
  let best = -1;
  let tied: number[] = [];
  for (const t of candidates) {
    const acc = accuracyAt(scores, same, t);
    if (acc > best + 1e-12) {
      best = acc;
      tied = [t];
    } else if (Math.abs(acc - best) <= 1e-12) tied.push(t);
  }
  return { threshold: tied[Math.floor(tied.length / 2)] ?? 0, accuracy: best };
}

export interface Verification {
  /** 10-fold cross-validated accuracy: threshold chosen on 9 folds, tested on the 10th, averaged. */
  readonly cv: number;
  /** Mean of the 10 thresholds chosen. */
  readonly cvThreshold: number;
  /** Accuracy and threshold when the threshold is chosen on all pairs (optimistic). */
  readonly best: number;
  readonly bestThreshold: number;
  /** Accuracy at a given fixed threshold (the pack's `match`), when one is given. */
  readonly fixed: number | null;
  readonly meanSame: number;
  readonly meanDifferent: number;
}

/**
 * The standard LFW protocol on our pairs: 10 consecutive folds (60 pairs each for fold 1's 600), like
 * InsightFace's verification code (sklearn KFold without shuffling).
 */
export function evaluateVerification(
  scores: readonly number[],
  same: readonly boolean[],
  fixedThreshold?: number,
  folds = 10,
): Verification {
  const n = scores.length;
  const foldSize = Math.floor(n / folds);
  let right = 0;
  let thresholdSum = 0;
  for (let k = 0; k < folds; k++) {
    const lo = k * foldSize;
    const hi = k === folds - 1 ? n : lo + foldSize;
    const trainS: number[] = [];
    const trainY: boolean[] = [];
    for (let i = 0; i < n; i++) {
      if (i >= lo && i < hi) continue;
      trainS.push(scores[i] ?? 0);
      trainY.push(same[i] ?? false);
    }
    const { threshold } = bestThreshold(trainS, trainY);
    thresholdSum += threshold;
    for (let i = lo; i < hi; i++) if ((scores[i] ?? 0) >= threshold === same[i]) right += 1;
  }
  const best = bestThreshold(scores, same);
  const mean = (want: boolean) => {
    const xs = scores.filter((_, i) => same[i] === want);
    return xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  };
  return {
    cv: right / n,
    cvThreshold: thresholdSum / folds,
    best: best.accuracy,
    bestThreshold: best.threshold,
    fixed: fixedThreshold === undefined ? null : accuracyAt(scores, same, fixedThreshold),
    meanSame: mean(true),
    meanDifferent: mean(false),
  };
}
