/**
 * Constrained average-linkage agglomerative clustering over a precomputed matrix of summed
 * similarities. Pure and deterministic: ties go to the lower row index.
 *
 * Average linkage (the mean cosine over all cross pairs) is what keeps a chain of borderline
 * neighbours from merging two people: single linkage (Immich's "any neighbour within the distance")
 * joins A and C through a B that looks a little like both, while the mean over all pairs of A×C stays
 * low. For L2-normalised embeddings the mean cross cosine of two groups is also the dot product of their
 * (unnormalised) mean vectors, so this is the centroid check as well.
 */

export interface LinkageInput {
  /** Number of rows (initial clusters). */
  readonly size: number;
  /** Row-major size×size: sum of pairwise cosines between the members of row i and row j. */
  readonly sums: Float64Array;
  /** Members per row (existing people count all their stored faces). */
  readonly counts: Float64Array;
  /** Row-major size×size, 1 where rows must never merge (cannot-link). Updated in place. */
  readonly forbidden: Uint8Array;
  /** Rows whose identity must survive a merge (existing people): the other row merges into them. */
  readonly anchored: Uint8Array;
  /** Merge while the best average cosine is at least this. */
  readonly threshold: number;
}

/** For each row, the row it was merged into at the end (itself when it survived). */
export function averageLinkage(input: LinkageInput): Int32Array {
  const { size: m, sums, counts, forbidden, anchored, threshold } = input;
  const parent = new Int32Array(m);
  for (let i = 0; i < m; i++) parent[i] = i;
  const active = new Uint8Array(m).fill(1);
  const size = Float64Array.from(counts);
  const best = new Int32Array(m).fill(-1);
  const bestValue = new Float64Array(m).fill(-Infinity);

  const average = (i: number, j: number): number =>
    (sums[i * m + j] ?? 0) / ((size[i] ?? 1) * (size[j] ?? 1));

  const recompute = (i: number): void => {
    let b = -1;
    let v = -Infinity;
    for (let j = 0; j < m; j++) {
      if (j === i || active[j] === 0 || forbidden[i * m + j] === 1) continue;
      const a = average(i, j);
      if (a > v) {
        v = a;
        b = j;
      }
    }
    best[i] = b;
    bestValue[i] = v;
  };

  for (let i = 0; i < m; i++) recompute(i);

  for (;;) {
    let i = -1;
    let v = -Infinity;
    for (let k = 0; k < m; k++) {
      if (active[k] === 1 && (bestValue[k] ?? -Infinity) > v) {
        v = bestValue[k] ?? -Infinity;
        i = k;
      }
    }
    if (i < 0 || v < threshold) break;
    const j = best[i] ?? -1;
    if (j < 0) break;
    // The survivor keeps its row: an anchored row (an existing person) if either is, else the lower.
    const [target, source] =
      anchored[j] === 1 && anchored[i] !== 1
        ? [j, i]
        : anchored[i] === 1
          ? [i, j]
          : [Math.min(i, j), Math.max(i, j)];
    for (let k = 0; k < m; k++) {
      const s = (sums[target * m + k] ?? 0) + (sums[source * m + k] ?? 0);
      sums[target * m + k] = s;
      sums[k * m + target] = s;
      const f = (forbidden[target * m + k] ?? 0) | (forbidden[source * m + k] ?? 0);
      forbidden[target * m + k] = f;
      forbidden[k * m + target] = f;
    }
    size[target] = (size[target] ?? 0) + (size[source] ?? 0);
    active[source] = 0;
    parent[source] = target;
    if (anchored[source] === 1) anchored[target] = 1;

    recompute(target);
    for (let k = 0; k < m; k++) {
      if (active[k] === 0 || k === target) continue;
      if (best[k] === source || best[k] === target) {
        recompute(k);
        continue;
      }
      if (forbidden[k * m + target] === 1) continue;
      const a = average(k, target);
      const current = bestValue[k] ?? -Infinity;
      if (a > current || (a === current && target < (best[k] ?? m))) {
        best[k] = target;
        bestValue[k] = a;
      }
    }
  }

  // Resolve chains of merges to the final surviving row.
  for (let i = 0; i < m; i++) {
    let r = i;
    while (parent[r] !== r) r = parent[r] ?? r;
    parent[i] = r;
  }
  return parent;
}
