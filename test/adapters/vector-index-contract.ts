/**
 * What every VectorIndex must do, run against each adapter. Vectors are synthetic (seeded random unit
 * vectors): these tests check storage and isolation, not face recognition.
 */
import { describe, expect, it } from 'vitest';

import { isAppError } from '../../src/core/errors.js';
import { facePointId } from '../../src/core/keys.js';
import type { FacePayload, FacePoint, VectorIndex } from '../../src/ports/vector-index.js';

export interface VectorIndexHarness {
  /** A fresh, empty index of the given dimension. */
  open(dimension: number): Promise<VectorIndex>;
  /** Closes the index and opens the same storage again; null when the adapter cannot (e.g. memory). */
  reopen(index: VectorIndex): Promise<VectorIndex>;
  /** Releases everything the harness made. */
  close(): Promise<void>;
}

/** mulberry32: a tiny seeded PRNG, so every run sees the same vectors. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomUnitVector(dimension: number, next: () => number): Float32Array {
  const v = new Float32Array(dimension);
  let norm = 0;
  for (let i = 0; i < dimension; i++) {
    // Sum of uniforms is close enough to Gaussian for a direction; Box-Muller is not needed here.
    const x = next() + next() + next() - 1.5;
    v[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < dimension; i++) v[i] = v[i]! / norm;
  return v;
}

const sha = (n: number): string => n.toString(16).padStart(64, '0');
const A = 'tg-123456789';
const B = 'tg--1001234567890';
const C = 'dc-111111111111111111-222222222222222222';
const PACK = 'local';
const DIM = 64;

function point(
  tenant: string,
  photo: number,
  faceIndex: number,
  vector: Float32Array,
  extra: Partial<FacePayload> = {},
): FacePoint {
  const payload: FacePayload = {
    photo: sha(photo),
    album: 'album-1',
    box: [10, 20, 30, 40],
    quality: 0.9,
    person: null,
    pack: PACK,
    pipelineVersion: 1,
    faceIndex,
    ...extra,
  };
  return { id: facePointId(tenant, payload.photo, faceIndex), tenant, vector, payload };
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAppError(error) ? error.code : error).toBe(code);
}

export function describeVectorIndexContract(
  name: string,
  factory: () => Promise<VectorIndexHarness>,
  options: { skip?: string } = {},
): void {
  const title = options.skip === undefined ? name : `${name} (skipped: ${options.skip})`;
  describe.skipIf(options.skip !== undefined)(title, () => {
    const withIndex =
      (fn: (index: VectorIndex, harness: VectorIndexHarness) => Promise<void>, dimension = DIM) =>
      async () => {
        const harness = await factory();
        try {
          await fn(await harness.open(dimension), harness);
        } finally {
          await harness.close();
        }
      };

    it(
      'searches exactly: best first, cosine scores, limit and minScore',
      withIndex(async (index) => {
        const next = rng(1);
        const points = Array.from({ length: 200 }, (_, i) => point(A, i, 0, randomUnitVector(DIM, next)));
        await index.upsert(points);
        const query = randomUnitVector(DIM, next);
        const expected = points
          .map((p) => ({ id: p.id, score: cosine(query, p.vector) }))
          .sort((x, y) => y.score - x.score);

        const top = await index.search(A, query, { limit: 10, pack: PACK });
        expect(top.map((m) => m.id)).toEqual(expected.slice(0, 10).map((e) => e.id));
        for (const [i, m] of top.entries()) expect(m.score).toBeCloseTo(expected[i]!.score, 5);
        expect(top[0]!.payload).toEqual(points.find((p) => p.id === top[0]!.id)!.payload);

        const minScore = expected[4]!.score - 1e-6;
        const above = await index.search(A, query, { limit: 50, pack: PACK, minScore });
        expect(above.map((m) => m.id)).toEqual(expected.slice(0, 5).map((e) => e.id));

        const self = await index.search(A, points[7]!.vector, { limit: 1, pack: PACK });
        expect(self[0]?.id).toBe(points[7]!.id);
        expect(self[0]?.score).toBeCloseTo(1, 5);
      }),
    );

    it(
      'keeps tenants apart: same vectors in A and B, search, get, count and delete stay in their tenant',
      withIndex(async (index) => {
        const next = rng(2);
        const vectors = Array.from({ length: 30 }, () => randomUnitVector(DIM, next));
        // A is the big chat next door: 10x as many points, all close to the query.
        const aPoints = vectors.flatMap((v, i) =>
          Array.from({ length: 10 }, (_, j) => point(A, i * 10 + j, 0, v)),
        );
        const bPoints = vectors.map((v, i) => point(B, i, 0, v));
        await index.upsert(aPoints);
        await index.upsert(bPoints);
        expect(bPoints[0]!.id).not.toBe(aPoints[0]!.id);

        const inB = await index.search(B, vectors[3]!, { limit: 20, pack: PACK });
        expect(inB).toHaveLength(20);
        const bIds = new Set(bPoints.map((p) => p.id));
        for (const m of inB) expect(bIds.has(m.id)).toBe(true);
        expect(inB[0]!.id).toBe(bPoints[3]!.id);
        expect(await index.search(C, vectors[3]!, { limit: 5, pack: PACK })).toEqual([]);

        expect(await index.get(B, [aPoints[0]!.id, bPoints[0]!.id])).toEqual([
          { id: bPoints[0]!.id, payload: bPoints[0]!.payload },
        ]);
        expect(await index.count({ tenant: A })).toBe(300);
        expect(await index.count({ tenant: B })).toBe(30);

        // Deleting in A by B's ids, or setting A's person through B, does nothing.
        await index.deleteByIds(
          A,
          bPoints.map((p) => p.id),
        );
        await index.setPerson(B, [aPoints[0]!.id], 'person-x');
        expect(await index.count({ tenant: B })).toBe(30);
        expect((await index.get(A, [aPoints[0]!.id]))[0]?.payload.person).toBeNull();

        await index.deleteWhere({ tenant: A });
        expect(await index.count({ tenant: A })).toBe(0);
        expect(await index.search(A, vectors[3]!, { limit: 5, pack: PACK })).toEqual([]);
        expect(await index.count({ tenant: B })).toBe(30);
        expect((await index.search(B, vectors[3]!, { limit: 1, pack: PACK }))[0]?.id).toBe(bPoints[3]!.id);
      }),
    );

    it(
      'counts faces and distinct photos per person, in one chat only, after setPerson',
      withIndex(async (index) => {
        const next = rng(9);
        const v = () => randomUnitVector(DIM, next);
        await index.upsert([
          point(A, 1, 0, v(), { person: 'p1' }),
          point(A, 1, 1, v(), { person: 'p2' }),
          point(A, 2, 0, v(), { person: 'p1' }),
          point(A, 2, 1, v(), { person: 'p1' }),
          point(A, 3, 0, v()),
          point(B, 1, 0, v(), { person: 'p1' }),
        ]);
        expect(await index.personCounts(A)).toEqual([
          { person: 'p1', faces: 3, photos: 2 },
          { person: 'p2', faces: 1, photos: 1 },
        ]);
        await index.setPerson(A, [facePointId(A, sha(3), 0)], 'p2');
        expect(await index.personCounts(A)).toEqual([
          { person: 'p1', faces: 3, photos: 2 },
          { person: 'p2', faces: 2, photos: 2 },
        ]);
        expect(await index.personCounts(C)).toEqual([]);
        await rejectsWith(index.personCounts('tg-1/..'), 'BAD_ARGUMENTS');
      }),
    );

    it(
      'upserts idempotently: the same id twice keeps one point with the latest vector and payload',
      withIndex(async (index) => {
        const next = rng(3);
        const first = point(A, 1, 2, randomUnitVector(DIM, next));
        await index.upsert([first, point(A, 1, 3, randomUnitVector(DIM, next))]);
        await index.upsert([first]);
        expect(await index.count({ tenant: A })).toBe(2);

        const moved = point(A, 1, 2, randomUnitVector(DIM, next), { quality: 0.5, album: null });
        await index.upsert([moved]);
        expect(await index.count({ tenant: A })).toBe(2);
        const [stored] = await index.get(A, [first.id], { withVectors: true });
        expect(stored?.payload).toEqual(moved.payload);
        expect(Array.from(stored!.vector!)).toEqual(Array.from(moved.vector));
        const best = await index.search(A, moved.vector, { limit: 1, pack: PACK });
        expect(best[0]?.id).toBe(first.id);
      }),
    );

    it(
      'assigns people and deletes by person and by photo',
      withIndex(async (index) => {
        const next = rng(4);
        const points = [0, 1, 2, 3].flatMap((photo) =>
          [0, 1].map((face) => point(A, photo, face, randomUnitVector(DIM, next))),
        );
        await index.upsert(points);
        await index.upsert([point(B, 0, 0, randomUnitVector(DIM, next), { person: 'p1' })]);
        const ids = points.map((p) => p.id);

        await index.setPerson(A, ids.slice(0, 3), 'p1');
        await index.setPerson(A, ids.slice(3, 5), 'p2');
        expect(await index.count({ tenant: A, person: 'p1' })).toBe(3);
        expect(await index.count({ tenant: A, person: 'p2' })).toBe(2);
        const got = await index.get(A, [ids[4]!, ids[0]!, 'no-such-id']);
        expect(got.map((f) => [f.id, f.payload.person])).toEqual([
          [ids[4], 'p2'],
          [ids[0], 'p1'],
        ]);
        const found = await index.search(A, points[0]!.vector, { limit: 1, pack: PACK });
        expect(found[0]?.payload.person).toBe('p1');

        await index.setPerson(A, [ids[0]!], null);
        expect(await index.count({ tenant: A, person: 'p1' })).toBe(2);

        await index.deleteWhere({ tenant: A, person: 'p1' });
        expect(await index.count({ tenant: A })).toBe(6);
        expect(await index.count({ tenant: B, person: 'p1' })).toBe(1);

        await index.deleteWhere({ tenant: A, photo: sha(3) });
        expect(await index.count({ tenant: A })).toBe(4);
        expect(await index.count({ tenant: A, photo: sha(3) })).toBe(0);
        await index.deleteByIds(A, [ids[0]!]);
        expect(await index.get(A, [ids[0]!])).toEqual([]);
        expect(await index.count({ tenant: A })).toBe(3);
      }),
    );

    it(
      "lists one person's or one photo's faces in id order, with vectors when asked, in the tenant only",
      withIndex(async (index) => {
        const next = rng(9);
        const points = [0, 1, 2].flatMap((photo) =>
          [0, 1].map((face) =>
            point(A, photo, face, randomUnitVector(DIM, next), { person: face === 0 ? 'p1' : null }),
          ),
        );
        await index.upsert(points);
        // The same person id in another chat is another person.
        await index.upsert([point(B, 0, 0, randomUnitVector(DIM, next), { person: 'p1' })]);

        const p1 = await index.list({ tenant: A, person: 'p1' }, { withVectors: true });
        const expected = points
          .filter((p) => p.payload.person === 'p1')
          .sort((a, b) => a.id.localeCompare(b.id));
        expect(p1.map((f) => f.id)).toEqual(expected.map((p) => p.id));
        for (const [i, f] of p1.entries()) {
          expect(f.payload).toEqual(expected[i]!.payload);
          expect(Array.from(f.vector!)).toEqual(Array.from(expected[i]!.vector));
        }

        const photo1 = await index.list({ tenant: A, photo: sha(1) });
        expect(photo1.map((f) => f.payload.faceIndex).sort()).toEqual([0, 1]);
        expect(photo1.every((f) => f.vector === undefined)).toBe(true);
        expect(await index.list({ tenant: A })).toHaveLength(6);
        expect(await index.list({ tenant: A, person: 'nobody' })).toEqual([]);
        expect((await index.list({ tenant: B, person: 'p1' })).map((f) => f.payload.photo)).toEqual([sha(0)]);
        await rejectsWith(index.list({ tenant: 'tg-1/..' }), 'BAD_ARGUMENTS');
      }),
    );

    it(
      'keeps packs apart and refuses vectors of another dimension',
      withIndex(async (index) => {
        const next = rng(5);
        const v = randomUnitVector(DIM, next);
        await index.upsert([point(A, 1, 0, v), point(A, 2, 0, v, { pack: 'other-pack' })]);
        const local = await index.search(A, v, { limit: 10, pack: PACK });
        expect(local.map((m) => m.payload.pack)).toEqual([PACK]);
        const other = await index.search(A, v, { limit: 10, pack: 'other-pack' });
        expect(other.map((m) => m.payload.photo)).toEqual([sha(2)]);

        await rejectsWith(index.upsert([point(A, 3, 0, randomUnitVector(DIM * 2, next))]), 'BAD_ARGUMENTS');
        await rejectsWith(
          index.search(A, randomUnitVector(DIM + 1, next), { limit: 1, pack: PACK }),
          'BAD_ARGUMENTS',
        );
        expect(await index.count({ tenant: A })).toBe(2);
      }),
    );

    it(
      'refuses bad tenants, foreign ids and bad limits',
      withIndex(async (index) => {
        const next = rng(6);
        const good = point(A, 1, 0, randomUnitVector(DIM, next));
        // An id computed for another tenant would let a write land in the wrong chat: refused.
        await rejectsWith(index.upsert([{ ...good, id: facePointId(B, sha(1), 0) }]), 'BAD_ARGUMENTS');
        await rejectsWith(index.upsert([{ ...good, tenant: '../a' }]), 'BAD_ARGUMENTS');
        for (const tenant of ['', 'tg-1/..', '*', 'TG-1', "tg-1' OR 1=1 --"]) {
          await rejectsWith(index.search(tenant, good.vector, { limit: 1, pack: PACK }), 'BAD_ARGUMENTS');
          await rejectsWith(index.count({ tenant }), 'BAD_ARGUMENTS');
          await rejectsWith(index.deleteWhere({ tenant }), 'BAD_ARGUMENTS');
          await rejectsWith(index.get(tenant, [good.id]), 'BAD_ARGUMENTS');
        }
        await rejectsWith(index.search(A, good.vector, { limit: 0, pack: PACK }), 'BAD_ARGUMENTS');
        await rejectsWith(index.search(A, good.vector, { limit: 1.5, pack: PACK }), 'BAD_ARGUMENTS');
        expect(await index.count({ tenant: A })).toBe(0);
      }),
    );

    it(
      'persists across close and reopen',
      withIndex(async (index, harness) => {
        const next = rng(7);
        const points = Array.from({ length: 20 }, (_, i) => point(A, i, 0, randomUnitVector(DIM, next)));
        await index.upsert(points);
        await index.setPerson(A, [points[0]!.id], 'p1');
        const reopened = await harness.reopen(index);
        expect(await reopened.count({ tenant: A })).toBe(20);
        const [best] = await reopened.search(A, points[5]!.vector, { limit: 1, pack: PACK });
        expect(best?.id).toBe(points[5]!.id);
        expect((await reopened.get(A, [points[0]!.id]))[0]?.payload.person).toBe('p1');
      }),
    );

    it(
      'holds the real pack dimensions (1152 local, 512 ArcFace)',
      withIndex(async (index) => {
        const next = rng(8);
        const v = randomUnitVector(1152, next);
        await index.upsert([point(A, 1, 0, v)]);
        const [best] = await index.search(A, v, { limit: 1, pack: PACK });
        expect(best?.score).toBeCloseTo(1, 5);
      }, 1152),
    );
  });
}
