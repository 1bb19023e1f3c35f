/** Open-set figures over labelled images (`identity/index` keys): what search calibration needs. */

/** Scores of every pair of images of different people (n·(n−1)/2 minus same-person pairs). */
export function differentPairCosines(
  keys: readonly string[],
  score: (a: string, b: string) => number,
): Float64Array {
  const who = keys.map((k) => k.slice(0, k.lastIndexOf('/')));
  const out: number[] = [];
  for (let i = 0; i < keys.length; i++)
    for (let j = i + 1; j < keys.length; j++) if (who[i] !== who[j]) out.push(score(keys[i]!, keys[j]!));
  return Float64Array.from(out).sort();
}

/**
 * The lowest cosine that at most `rate` of the different-person scores reach (scores sorted ascending):
 * accepting at or above it is a false accept with that probability per comparison.
 */
export function farThreshold(sortedDifferent: Float64Array, rate: number): number {
  const n = sortedDifferent.length;
  const allowed = Math.floor(rate * n);
  // Just above the (allowed+1)-th largest score.
  const v = sortedDifferent[n - 1 - allowed] ?? 0;
  return v + 1e-6;
}

/** Every image of LFW fold 1's folder as `name/index` keys (the 807 images the fold's pairs use). */
export async function fold1Images(): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const path = await import('node:path');
  const { fixture } = await import('../../test/support/fixtures.js');
  const lfw = fixture('lfw');
  const out: string[] = [];
  for (const entry of await readdir(lfw, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const file of await readdir(path.join(lfw, entry.name))) {
      const m = /_(\d{4})\.jpg$/.exec(file);
      if (m) out.push(`${entry.name}/${Number(m[1])}`);
    }
  }
  return out.sort();
}
