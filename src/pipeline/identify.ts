/**
 * "Who is this?" for one face against a chat's people: the open-set decision behind /find, `faceblog find`
 * and `/forget me`. A selfie is compared with every person of the chat at once, so a threshold fitted for
 * pairs ("same person?") lets some stranger through as the chat grows; this decision scores *people*, not
 * single faces, and asserts only above a threshold fitted for a false-accept rate of about 1e-4 per
 * comparison, with a clear lead over the runner-up. Between "sure" and "no match" it says "unsure", and the
 * caller asks instead of asserting.
 */
import type { SearchThresholds } from '../core/manifest.js';
import type { Box, Embedding } from '../core/types.js';

/** A person of the chat with the embeddings of their faces (only faces assigned to them). */
export interface KnownPerson {
  readonly id: string;
  readonly vectors: readonly Embedding[];
}

export interface PersonScore {
  readonly person: string;
  /** Mean cosine of the selfie to the person's best `topK` faces. */
  readonly score: number;
}

export type Identification =
  | { readonly kind: 'sure'; readonly best: PersonScore; readonly runnerUp: PersonScore | null }
  | { readonly kind: 'unsure'; readonly best: PersonScore; readonly runnerUp: PersonScore | null }
  | { readonly kind: 'none'; readonly best: PersonScore | null };

export function cosine(a: Embedding, b: Embedding): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

/**
 * A person's score: the mean of the `topK` best cosines (all of them when the person has fewer faces).
 * One lucky face of a look-alike rarely lifts a mean of several; the person's other angles help the owner.
 */
export function personScore(selfie: Embedding, vectors: readonly Embedding[], topK: number): number {
  if (vectors.length === 0) return -1;
  const scores = vectors.map((v) => cosine(selfie, v)).sort((a, b) => b - a);
  const top = scores.slice(0, Math.max(1, topK));
  return top.reduce((s, x) => s + x, 0) / top.length;
}

/** Everyone's score, best first (ties by id, so the answer never depends on the order of the input). */
export function rankPeople(selfie: Embedding, people: readonly KnownPerson[], topK: number): PersonScore[] {
  return people
    .filter((p) => p.vectors.length > 0)
    .map((p) => ({ person: p.id, score: personScore(selfie, p.vectors, topK) }))
    .sort((a, b) => b.score - a.score || a.person.localeCompare(b.person));
}

/**
 * Sure: the best person passes `sure` and leads the runner-up by `margin`. Unsure: the best passes `unsure`
 * (or passes `sure` without a clear lead). None otherwise.
 */
export function identify(
  selfie: Embedding,
  people: readonly KnownPerson[],
  t: SearchThresholds,
): Identification {
  const ranked = rankPeople(selfie, people, t.topK);
  const best = ranked[0] ?? null;
  const runnerUp = ranked[1] ?? null;
  if (!best || best.score < t.unsure) return { kind: 'none', best };
  const lead = best.score - (runnerUp?.score ?? -1);
  if (best.score >= t.sure && lead >= t.margin) return { kind: 'sure', best, runnerUp };
  return { kind: 'unsure', best, runnerUp };
}

/** What `dominantFace` needs of a detected face. */
export interface SelfieCandidate {
  readonly box: Box;
}

/**
 * How much larger (box side) the dominant face must be than the next one. A selfie's own face is usually
 * two or more times the size of anyone behind; a group photo's faces are within ~20 % of each other.
 */
export const DOMINANCE_RATIO = 1.5;

/**
 * The face a selfie is about: the largest one, weighted towards the centre of the photo, when it clearly
 * dominates the next; `null` when no face does (the caller asks which one).
 */
export function dominantFace(
  faces: readonly SelfieCandidate[],
  width: number,
  height: number,
): number | null {
  if (faces.length === 0) return null;
  if (faces.length === 1) return 0;
  const weight = (f: SelfieCandidate) => {
    const [x, y, w, h] = f.box;
    const side = Math.sqrt(Math.max(0, w * h));
    // Distance of the face centre from the photo centre, as a share of the half-diagonal: 0 … 1.
    const d = Math.hypot(x + w / 2 - width / 2, y + h / 2 - height / 2) / (Math.hypot(width, height) / 2);
    // A face at the very edge counts for 3/4 of its size: centrality breaks near-ties, never decides alone.
    return side * (1 - 0.25 * Math.min(1, d));
  };
  const ranked = faces.map((f, i) => ({ i, w: weight(f) })).sort((a, b) => b.w - a.w || a.i - b.i);
  const [first, second] = ranked;
  if (!first || !second) return first?.i ?? null;
  return first.w >= DOMINANCE_RATIO * second.w ? first.i : null;
}

/** What a selfie's faces allow: the face to search with, or why there is none. */
export type SelfieChoice<F> =
  | { readonly kind: 'face'; readonly index: number; readonly face: F }
  | { readonly kind: 'no-face' }
  | { readonly kind: 'choose' }
  | { readonly kind: 'poor'; readonly reasons: readonly string[] };

/**
 * The face of a selfie to search with: the one the user chose (`requested`), else the dominant one; a
 * choice to make when none dominates; and the quality stage's reasons when that face is too poor.
 */
export function chooseSelfieFace<
  F extends SelfieCandidate & { readonly quality: { searchable: boolean; reasons: readonly string[] } },
>(faces: readonly F[], width: number, height: number, requested?: number): SelfieChoice<F> {
  if (faces.length === 0) return { kind: 'no-face' };
  const index =
    requested !== undefined && requested >= 0 && requested < faces.length
      ? requested
      : dominantFace(faces, width, height);
  if (index === null) return { kind: 'choose' };
  const face = faces[index];
  if (!face) return { kind: 'no-face' };
  if (!face.quality.searchable) return { kind: 'poor', reasons: face.quality.reasons };
  return { kind: 'face', index, face };
}
