import { AppError, ErrorCode } from '../core/errors.js';
import { averageLinkage } from './cluster-linkage.js';

/**
 * Groups faces into people.
 *
 * Starts from Immich's approach (a face joins the person of its neighbours within the threshold; a new
 * person needs enough faces) and adds what it lacks:
 * 1. Existing people first: each new indexable face joins the existing person it matches best, if the
 *    mean cosine to that person's faces reaches the threshold.
 * 2. The rest are grouped by average-linkage agglomerative clustering (cluster-linkage.ts): two groups
 *    merge while the mean cosine over all their cross pairs reaches the threshold, so a chain of
 *    borderline neighbours cannot fuse two people. Existing people take part (new groups can still join
 *    them) but never merge with each other: merging people is the user's decision.
 * 3. Cannot-link throughout: two faces of one photo are never one person, nor are pairs the user split
 *    (`cannotLink`, `ExistingPerson.cannotLink`).
 * 4. A second pass re-checks every new face once the groups exist: a face whose mean cosine to another
 *    person is higher than to its own (and reaches the threshold) moves there. This settles ties and
 *    faces that joined early, before their real person had formed.
 * 5. Groups smaller than `minFaces` are not people. Low-quality (non-indexable) faces never found or
 *    shape a person: they attach to one only when clearly close (threshold + `attachMargin`) and not
 *    ambiguous, else stay null, so background strangers do not flood the people list.
 *
 * Deterministic: the same input gives the same output; new people are numbered `new-1`, `new-2`, … in
 * the order of their first face in the input.
 *
 * Cost: one cosine per pair of new faces and per (new face, existing person), O(n²) memory for n new
 * faces. Meant for one album or one batch at a time; existing people are reduced to the sum of their
 * embeddings, so their size costs nothing. Measured on the shared 2-core CI machine with synthetic
 * 640-d vectors: about 0.5 s for 500 faces, 1.6 s for 1,000, 7 s for 2,000 (the cosine loop dominates).
 */

export interface ClusterFace {
  id: string;
  photoId: string;
  /** L2-normalised. */
  embedding: Float32Array;
  /** Quality score 0..1; grouping only looks at `indexable`, which the quality stage derives from it. */
  quality: number;
  /** False: the face may attach to a clear match but never founds or shapes a person. */
  indexable: boolean;
}

export interface ExistingPerson {
  id: string;
  /** Stored faces; `photoId`, when given, keeps a new face of that photo from joining this person. */
  faces: readonly { embedding: Float32Array; photoId?: string }[];
  /** Face ids that are "not this person" (a user removed them). */
  cannotLink?: readonly string[];
}

export interface ClusterOptions {
  /**
   * Cosine at or above which faces are neighbours: the pack's `thresholds.cluster`. Groups merge while
   * the mean cosine of their cross pairs reaches it.
   */
  threshold: number;
  /**
   * Indexable faces a new person needs (default 1). 1 because albums are small: a person photographed
   * once, with a good face, is still someone the blog post can name. Raise it (Immich uses 3) when
   * clustering a whole library, where one-off faces are mostly passers-by.
   */
  minFaces?: number;
  /**
   * Extra cosine a non-indexable face needs above `threshold` to attach to a person (default
   * DEFAULT_ATTACH_MARGIN), and the lead it needs over the second-best person.
   */
  attachMargin?: number;
  /** Pairs of face ids that are different people (a user split them). */
  cannotLink?: readonly (readonly [string, string])[];
  /** Re-check passes after grouping (default 5; it usually settles in 1–2). */
  maxPasses?: number;
}

export interface ClusterResult {
  /** face id → person id (an existing id, or `new-1`, `new-2`, …), or null. Every input face is a key. */
  assignments: Map<string, string | null>;
  /** Ids of the new people, in order of first appearance. */
  newPeople: string[];
}

/**
 * Margin for low-quality faces. Measured with the local pack on the labelled fixture faces
 * (test/pipeline/cluster.test.ts prints it; two calibrations of the pack): same-person cosines
 * 0.57–1.00 (means 0.75–0.84), different-person −0.00–0.36 (means 0.14–0.25). At the pack's cluster
 * threshold (0.40–0.45 so far), + 0.1 asks 0.50–0.55: still under the lowest same-person cosine seen,
 * and about 0.2 above the highest different-person one.
 */
export const DEFAULT_ATTACH_MARGIN = 0.1;
const DEFAULT_MAX_PASSES = 5;
/** A face moves only when another person is better by more than float noise, so passes cannot cycle. */
const MOVE_EPSILON = 1e-9;

const NEW_PREFIX = 'new-';

export function clusterFaces(
  faces: readonly ClusterFace[],
  opts: ClusterOptions,
  existing: readonly ExistingPerson[] = [],
): ClusterResult {
  const settings = validate(faces, opts, existing);
  const state = buildState(faces, existing, settings);

  joinExistingFirst(state);
  groupTheRest(state);
  recheck(state);
  dropSmallGroups(state);
  attachLowQuality(state);
  return result(state);
}

interface Settings {
  readonly threshold: number;
  readonly minFaces: number;
  readonly attachMargin: number;
  readonly maxPasses: number;
  readonly cannotLink: readonly (readonly [string, string])[];
}

function validate(
  faces: readonly ClusterFace[],
  opts: ClusterOptions,
  existing: readonly ExistingPerson[],
): Settings {
  const bad = (message: string, context: Record<string, unknown> = {}): AppError =>
    new AppError(ErrorCode.BadArguments, message, context);
  if (!Number.isFinite(opts.threshold) || opts.threshold < -1 || opts.threshold > 1) {
    throw bad('cluster threshold must be a cosine in [-1, 1]', { threshold: opts.threshold });
  }
  const minFaces = opts.minFaces ?? 1;
  if (!Number.isInteger(minFaces) || minFaces < 1) throw bad('minFaces must be an integer ≥ 1', { minFaces });
  const attachMargin = opts.attachMargin ?? DEFAULT_ATTACH_MARGIN;
  if (!Number.isFinite(attachMargin) || attachMargin < 0) {
    throw bad('attachMargin must be ≥ 0', { attachMargin });
  }
  const maxPasses = opts.maxPasses ?? DEFAULT_MAX_PASSES;
  if (!Number.isInteger(maxPasses) || maxPasses < 0)
    throw bad('maxPasses must be an integer ≥ 0', { maxPasses });

  const dim =
    faces[0]?.embedding.length ?? existing.find((p) => p.faces.length > 0)?.faces[0]?.embedding.length;
  const ids = new Set<string>();
  for (const face of faces) {
    if (ids.has(face.id)) throw bad(`duplicate face id "${face.id}"`, { id: face.id });
    ids.add(face.id);
    if (face.embedding.length !== dim) {
      throw bad(`face "${face.id}" has a ${face.embedding.length}-d embedding, expected ${dim}`, {
        id: face.id,
      });
    }
  }
  const personIds = new Set<string>();
  for (const person of existing) {
    if (personIds.has(person.id)) throw bad(`duplicate person id "${person.id}"`, { id: person.id });
    if (person.id.startsWith(NEW_PREFIX)) {
      throw bad(`existing person id "${person.id}" clashes with the ids given to new people`, {
        id: person.id,
      });
    }
    personIds.add(person.id);
    for (const f of person.faces) {
      if (f.embedding.length !== dim) {
        throw bad(`person "${person.id}" has a ${f.embedding.length}-d face, expected ${dim}`, {
          id: person.id,
        });
      }
    }
  }
  return { threshold: opts.threshold, minFaces, attachMargin, maxPasses, cannotLink: opts.cannotLink ?? [] };
}

/**
 * Groups are ids into `groups`: existing people first (index = position in `existing`), new ones after.
 * A face's score against a group is the mean cosine to its members (new faces plus the existing
 * person's stored faces), excluding the face itself.
 */
interface State {
  readonly settings: Settings;
  readonly faces: readonly ClusterFace[];
  readonly existing: readonly ExistingPerson[];
  readonly n: number;
  /** n×n cosines of the new faces. */
  readonly sim: Float64Array;
  /** n×E: new face · sum of the existing person's stored embeddings. */
  readonly existingDot: Float64Array;
  readonly existingCount: Float64Array;
  /** Per face: indices of new faces it may never share a person with. */
  readonly conflicts: ReadonlyArray<readonly number[]>;
  /** Per face: existing people it may never join. */
  readonly forbiddenExisting: ReadonlyArray<ReadonlySet<number>>;
  /** Per face: its group, or -1. Groups below E are existing people. */
  readonly groupOf: Int32Array;
  /** Members (new faces) per group; index E.. are new groups, possibly emptied by moves. */
  readonly members: number[][];
}

function buildState(
  faces: readonly ClusterFace[],
  existing: readonly ExistingPerson[],
  settings: Settings,
): State {
  const n = faces.length;
  const e = existing.length;
  const dim = faces[0]?.embedding.length ?? 0;
  // One packed matrix, so the O(n²·dim) cosine loop reads contiguous memory.
  const flat = new Float32Array(n * dim);
  faces.forEach((f, i) => {
    flat.set(f.embedding, i * dim);
  });
  const sim = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    sim[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) {
      const s = dotAt(flat, i * dim, flat, j * dim, dim);
      sim[i * n + j] = s;
      sim[j * n + i] = s;
    }
  }
  const existingDot = new Float64Array(n * e);
  const existingCount = new Float64Array(e);
  existing.forEach((person, p) => {
    existingCount[p] = person.faces.length;
    if (person.faces.length === 0) return;
    const sum = new Float64Array(person.faces[0]?.embedding.length ?? 0);
    for (const f of person.faces)
      for (let k = 0; k < sum.length; k++) sum[k] = (sum[k] ?? 0) + (f.embedding[k] ?? 0);
    for (let i = 0; i < n; i++) existingDot[i * e + p] = dotAt(flat, i * dim, sum, 0, dim);
  });

  const index = new Map(faces.map((f, i) => [f.id, i]));
  const conflictSets = faces.map(() => new Set<number>());
  const byPhoto = new Map<string, number[]>();
  faces.forEach((f, i) => {
    const list = byPhoto.get(f.photoId) ?? [];
    list.push(i);
    byPhoto.set(f.photoId, list);
  });
  for (const list of byPhoto.values()) {
    for (const i of list) for (const j of list) if (i !== j) conflictSets[i]?.add(j);
  }
  for (const [a, b] of settings.cannotLink) {
    const i = index.get(a);
    const j = index.get(b);
    // Pairs naming faces outside this batch constrain nothing here.
    if (i === undefined || j === undefined || i === j) continue;
    conflictSets[i]?.add(j);
    conflictSets[j]?.add(i);
  }
  const forbiddenExisting = faces.map(() => new Set<number>());
  existing.forEach((person, p) => {
    for (const id of person.cannotLink ?? []) {
      const i = index.get(id);
      if (i !== undefined) forbiddenExisting[i]?.add(p);
    }
    const photos = new Set(person.faces.flatMap((f) => (f.photoId === undefined ? [] : [f.photoId])));
    for (const photo of photos) for (const i of byPhoto.get(photo) ?? []) forbiddenExisting[i]?.add(p);
  });

  return {
    settings,
    faces,
    existing,
    n,
    sim,
    existingDot,
    existingCount,
    conflicts: conflictSets.map((s) => [...s].sort((a, b) => a - b)),
    forbiddenExisting,
    groupOf: new Int32Array(n).fill(-1),
    members: existing.map(() => []),
  };
}

/**
 * Dot product of a[ao .. ao+len) and b[bo .. bo+len). Four accumulators: about twice as fast as the
 * plain loop in V8 on 640- to 1152-d embeddings, and this loop is most of the cost of clustering.
 * Indices stay in range by construction, hence the casts.
 */
function dotAt(a: Float32Array, ao: number, b: Float32Array | Float64Array, bo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += (a[ao + k] as number) * (b[bo + k] as number);
    s1 += (a[ao + k + 1] as number) * (b[bo + k + 1] as number);
    s2 += (a[ao + k + 2] as number) * (b[bo + k + 2] as number);
    s3 += (a[ao + k + 3] as number) * (b[bo + k + 3] as number);
  }
  for (; k < len; k++) s0 += (a[ao + k] as number) * (b[bo + k] as number);
  return s0 + s1 + s2 + s3;
}

/** Mean cosine of face i to group g's members other than itself; -Infinity for an empty group. */
function score(state: State, i: number, g: number): number {
  const { n, sim, existingDot, existingCount, existing } = state;
  const e = existing.length;
  let sum = 0;
  let count = 0;
  if (g < e) {
    sum += existingDot[i * e + g] ?? 0;
    count += existingCount[g] ?? 0;
  }
  for (const j of state.members[g] ?? []) {
    if (j === i) continue;
    sum += sim[i * n + j] ?? 0;
    count++;
  }
  return count === 0 ? -Infinity : sum / count;
}

/** Whether face i may join group g (cannot-link with a member, or an existing person's rules). */
function allowed(state: State, i: number, g: number): boolean {
  if (g < state.existing.length && state.forbiddenExisting[i]?.has(g)) return false;
  for (const j of state.conflicts[i] ?? []) if (state.groupOf[j] === g) return false;
  return true;
}

function assign(state: State, i: number, g: number): void {
  const from = state.groupOf[i] ?? -1;
  if (from >= 0) {
    const list = state.members[from] ?? [];
    list.splice(list.indexOf(i), 1);
  }
  state.groupOf[i] = g;
  state.members[g]?.push(i);
}

function indexable(state: State): number[] {
  const out: number[] = [];
  state.faces.forEach((f, i) => {
    if (f.indexable) out.push(i);
  });
  return out;
}

/**
 * Step 1. Every indexable face is scored against the existing people as they were stored (so the
 * outcome does not depend on input order); the strongest matches are placed first, and a face whose
 * best person already took a conflicting face (same photo) is left for step 2.
 */
function joinExistingFirst(state: State): void {
  const e = state.existing.length;
  if (e === 0) return;
  const { threshold } = state.settings;
  const candidates: Array<{ i: number; g: number; s: number }> = [];
  for (const i of indexable(state)) {
    let best = -1;
    let bestScore = -Infinity;
    for (let g = 0; g < e; g++) {
      if (state.forbiddenExisting[i]?.has(g)) continue;
      const s = score(state, i, g);
      if (s > bestScore) {
        bestScore = s;
        best = g;
      }
    }
    if (best >= 0 && bestScore >= threshold) candidates.push({ i, g: best, s: bestScore });
  }
  candidates.sort((a, b) => b.s - a.s || a.i - b.i);
  for (const { i, g } of candidates) if (allowed(state, i, g)) assign(state, i, g);
}

/** Step 2: average-linkage clustering of the unplaced indexable faces, with existing people as rows. */
function groupTheRest(state: State): void {
  const e = state.existing.length;
  const loose = indexable(state).filter((i) => state.groupOf[i] === -1);
  if (loose.length === 0) return;
  const m = e + loose.length;
  const { n, sim, existingDot, existingCount } = state;
  const sums = new Float64Array(m * m);
  const counts = new Float64Array(m);
  const forbidden = new Uint8Array(m * m);
  const anchored = new Uint8Array(m);
  for (let p = 0; p < e; p++) {
    counts[p] = (existingCount[p] ?? 0) + (state.members[p]?.length ?? 0);
    anchored[p] = 1;
    // Existing people never merge with each other, and one without faces matches nothing.
    for (let q = 0; q < m; q++) {
      if (q < e || counts[p] === 0) {
        forbidden[p * m + q] = 1;
        forbidden[q * m + p] = 1;
      }
    }
  }
  loose.forEach((i, r) => {
    const row = e + r;
    counts[row] = 1;
    for (let p = 0; p < e; p++) {
      let s = existingDot[i * e + p] ?? 0;
      for (const j of state.members[p] ?? []) s += sim[i * n + j] ?? 0;
      sums[row * m + p] = s;
      sums[p * m + row] = s;
      if (!allowed(state, i, p)) {
        forbidden[row * m + p] = 1;
        forbidden[p * m + row] = 1;
      }
    }
    loose.forEach((j, c) => {
      if (c !== r) sums[row * m + e + c] = sim[i * n + j] ?? 0;
    });
  });
  const position = new Map(loose.map((i, r) => [i, e + r]));
  loose.forEach((i, r) => {
    for (const j of state.conflicts[i] ?? []) {
      const c = position.get(j);
      if (c !== undefined) forbidden[(e + r) * m + c] = 1;
    }
  });

  const root = averageLinkage({
    size: m,
    sums,
    counts,
    forbidden,
    anchored,
    threshold: state.settings.threshold,
  });
  const groupOfRoot = new Map<number, number>();
  loose.forEach((i, r) => {
    const top = root[e + r] ?? e + r;
    let g = top < e ? top : groupOfRoot.get(top);
    if (g === undefined) {
      g = state.members.length;
      state.members.push([]);
      groupOfRoot.set(top, g);
    }
    assign(state, i, g);
  });
}

/** Step 4: move faces whose best group is no longer their own, until nothing moves. */
function recheck(state: State): void {
  const { threshold, maxPasses } = state.settings;
  const faces = indexable(state);
  for (let pass = 0; pass < maxPasses; pass++) {
    let moved = false;
    for (const i of faces) {
      const own = state.groupOf[i] ?? -1;
      const ownScore = own >= 0 ? score(state, i, own) : -Infinity;
      let best = -1;
      let bestScore = -Infinity;
      for (let g = 0; g < state.members.length; g++) {
        if (g === own || !allowed(state, i, g)) continue;
        const s = score(state, i, g);
        if (s > bestScore) {
          bestScore = s;
          best = g;
        }
      }
      if (best >= 0 && bestScore >= threshold && bestScore > ownScore + MOVE_EPSILON) {
        assign(state, i, best);
        moved = true;
      }
    }
    if (!moved) break;
  }
}

/** Step 5a: new groups with fewer than `minFaces` faces are not people. */
function dropSmallGroups(state: State): void {
  const e = state.existing.length;
  for (let g = e; g < state.members.length; g++) {
    const list = state.members[g] ?? [];
    if (list.length > 0 && list.length < state.settings.minFaces) {
      for (const i of [...list]) state.groupOf[i] = -1;
      list.length = 0;
    }
  }
}

/**
 * Step 5b: low-quality faces attach to the person they are clearly closest to. Scores are taken
 * against the people as grouped (attached faces do not shift them), strongest first; a person already
 * holding a conflicting face is skipped.
 */
function attachLowQuality(state: State): void {
  const { threshold, attachMargin } = state.settings;
  const candidates: Array<{ i: number; g: number; s: number }> = [];
  state.faces.forEach((face, i) => {
    if (face.indexable) return;
    let best = -1;
    let bestScore = -Infinity;
    let second = -Infinity;
    for (let g = 0; g < state.members.length; g++) {
      if (g >= state.existing.length && (state.members[g]?.length ?? 0) === 0) continue;
      if (g < state.existing.length && state.forbiddenExisting[i]?.has(g)) continue;
      const s = score(state, i, g);
      if (s > bestScore) {
        second = bestScore;
        bestScore = s;
        best = g;
      } else if (s > second) {
        second = s;
      }
    }
    if (best >= 0 && bestScore >= threshold + attachMargin && bestScore - second >= attachMargin) {
      candidates.push({ i, g: best, s: bestScore });
    }
  });
  candidates.sort((a, b) => b.s - a.s || a.i - b.i);
  // Placed without touching `members`, so later scores stay those of the indexable faces alone.
  for (const { i, g } of candidates) if (allowed(state, i, g)) state.groupOf[i] = g;
}

function result(state: State): ClusterResult {
  const e = state.existing.length;
  const firstSeen = new Map<number, number>();
  state.faces.forEach((_, i) => {
    const g = state.groupOf[i] ?? -1;
    if (g >= e && !firstSeen.has(g)) firstSeen.set(g, i);
  });
  // Map iteration follows insertion, i.e. input order of each group's first face.
  const newIds = new Map<number, string>();
  for (const g of firstSeen.keys()) newIds.set(g, `${NEW_PREFIX}${newIds.size + 1}`);
  const assignments = new Map<string, string | null>();
  state.faces.forEach((face, i) => {
    const g = state.groupOf[i] ?? -1;
    assignments.set(
      face.id,
      g < 0 ? null : g < e ? (state.existing[g]?.id ?? null) : (newIds.get(g) ?? null),
    );
  });
  return { assignments, newPeople: [...newIds.values()] };
}
