/**
 * The open-set decision on plain vectors (its thresholds come from the manifest and are measured by
 * bench/find.ts on real embeddings): people are scored by their best faces, the best must pass `sure`
 * and lead the runner-up clearly, and a selfie that only comes near someone is asked about.
 */
import { describe, expect, it } from 'vitest';

import { dominantFace, identify, personScore, rankPeople } from '../../src/pipeline/identify.js';

/** A unit vector at `cos` to e0 in the plane of e0 and e_k. */
function at(cos: number, k = 1, dim = 8): Float32Array {
  const v = new Float32Array(dim);
  v[0] = cos;
  v[k] = Math.sqrt(1 - cos * cos);
  return v;
}
const selfie = at(1);
const t = { sure: 0.51, unsure: 0.39, margin: 0.05, topK: 3 };

describe('personScore', () => {
  it('is the mean of the best topK cosines, or of all when there are fewer', () => {
    expect(personScore(selfie, [at(0.9), at(0.5), at(0.7), at(0.1)], 3)).toBeCloseTo(0.7, 6);
    expect(personScore(selfie, [at(0.6)], 3)).toBeCloseTo(0.6, 6);
    expect(personScore(selfie, [], 3)).toBe(-1);
  });
});

describe('identify', () => {
  it('is sure of a person who passes the bar with a clear lead', () => {
    const d = identify(
      selfie,
      [
        { id: 'anna', vectors: [at(0.8), at(0.7), at(0.75)] },
        { id: 'bob', vectors: [at(0.3, 2)] },
      ],
      t,
    );
    expect(d).toMatchObject({ kind: 'sure', best: { person: 'anna' } });
  });

  it('asks when the best passes only the unsure bar, or two people are equally close', () => {
    expect(identify(selfie, [{ id: 'anna', vectors: [at(0.45)] }], t)).toMatchObject({
      kind: 'unsure',
      best: { person: 'anna' },
    });
    const twins = identify(
      selfie,
      [
        { id: 'anna', vectors: [at(0.8)] },
        { id: 'anna-too', vectors: [at(0.78, 2)] },
      ],
      t,
    );
    expect(twins.kind).toBe('unsure');
  });

  it('answers none under the unsure bar, and for a chat without people', () => {
    expect(identify(selfie, [{ id: 'anna', vectors: [at(0.38)] }], t).kind).toBe('none');
    expect(identify(selfie, [], t)).toEqual({ kind: 'none', best: null });
  });

  it('never lets one lucky face of a look-alike outweigh the person', () => {
    // A single 0.6 face among poor ones scores the mean, not the maximum.
    const d = identify(selfie, [{ id: 'lookalike', vectors: [at(0.6), at(0.2, 2), at(0.25, 3)] }], t);
    expect(d.kind).toBe('none');
  });

  it('ranks people deterministically', () => {
    const people = [
      { id: 'b', vectors: [at(0.5)] },
      { id: 'a', vectors: [at(0.5)] },
    ];
    expect(rankPeople(selfie, people, 3).map((p) => p.person)).toEqual(['a', 'b']);
  });
});

describe('dominantFace', () => {
  const box = (x: number, y: number, side: number) => ({
    box: [x, y, side, side] as [number, number, number, number],
  });
  it('takes the one face, or the face clearly larger than the rest', () => {
    expect(dominantFace([box(10, 10, 50)], 640, 480)).toBe(0);
    expect(dominantFace([box(500, 20, 40), box(250, 150, 200), box(20, 20, 50)], 640, 480)).toBe(1);
  });
  it('finds none when two faces are about the same size', () => {
    expect(dominantFace([box(100, 100, 100), box(400, 100, 110)], 640, 480)).toBeNull();
    expect(dominantFace([], 640, 480)).toBeNull();
  });
});
