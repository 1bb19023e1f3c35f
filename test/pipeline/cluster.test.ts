import { readFile } from 'node:fs/promises';

import { beforeAll, describe, expect, it } from 'vitest';

import { AppError } from '../../src/core/errors.js';
import { clusterFaces, type ClusterFace, type ClusterResult } from '../../src/pipeline/cluster.js';
import { cosine } from '../../src/pipeline/embed.js';
import { embedFixtures, type FixtureFace } from '../support/embed-fixtures.js';
import { fixture, hasFixtures } from '../support/fixtures.js';
import { loadManifest } from '../support/models.js';

// ---------------------------------------------------------------------------------------------------
// The algorithm on small geometric vectors: unit vectors at given angles, so that cosines are known
// exactly. These test the clustering logic, not the pipeline; the real embeddings come further down.
// ---------------------------------------------------------------------------------------------------

/** Unit vector in the plane at `deg` degrees: cos(a, b) = cos(angle between them). */
function at(deg: number): Float32Array {
  const r = (deg * Math.PI) / 180;
  return Float32Array.from([Math.cos(r), Math.sin(r), 0]);
}

function face(id: string, deg: number, photoId = id, indexable = true): ClusterFace {
  return { id, photoId, embedding: at(deg), quality: indexable ? 0.9 : 0.1, indexable };
}

describe('clusterFaces on geometric vectors (algorithm only)', () => {
  it('groups near vectors, separates far ones, numbers new people by first appearance', () => {
    const faces = [face('a1', 90), face('b1', 0), face('a2', 95), face('b2', 5), face('c1', 200)];
    const r = clusterFaces(faces, { threshold: 0.8 });
    expect(Object.fromEntries(r.assignments)).toEqual({
      a1: 'new-1',
      b1: 'new-2',
      a2: 'new-1',
      b2: 'new-2',
      c1: 'new-3',
    });
    expect(r.newPeople).toEqual(['new-1', 'new-2', 'new-3']);
  });

  it('is deterministic and independent of input order up to numbering', () => {
    const faces = [face('a', 0), face('b', 10), face('c', 100), face('d', 105), face('e', 50)];
    const one = clusterFaces(faces, { threshold: 0.8 });
    const two = clusterFaces(faces, { threshold: 0.8 });
    expect(two).toEqual(one);
    const reversed = clusterFaces([...faces].reverse(), { threshold: 0.8 });
    expect(partition(reversed)).toEqual(partition(one));
  });

  it('cannot-link: two faces of one photo are never one person, even when identical', () => {
    const r = clusterFaces([face('x', 0, 'p1'), face('y', 0, 'p1'), face('z', 1, 'p2')], { threshold: 0.8 });
    expect(r.assignments.get('x')).not.toBe(r.assignments.get('y'));
    // The third face still joins one of them.
    expect([r.assignments.get('x'), r.assignments.get('y')]).toContain(r.assignments.get('z'));
  });

  it('cannot-link: a pair the user split stays split, and groups holding them do not merge', () => {
    const faces = [face('a', 0), face('b', 2), face('c', 4), face('d', 6)];
    const r = clusterFaces(faces, { threshold: 0.8, cannotLink: [['a', 'd']] });
    expect(r.assignments.get('a')).not.toBe(r.assignments.get('d'));
    expect(r.newPeople).toHaveLength(2);
  });

  it('average linkage: a chain of borderline neighbours does not merge two people', () => {
    // Neighbours 60° apart (cos 0.5 ≥ 0.45), but 0° and 120° are opposite-ish (cos −0.5): single
    // linkage would chain all three; the mean over A×C pairs keeps them apart.
    const r = clusterFaces([face('a', 0), face('b', 60), face('c', 120)], { threshold: 0.45 });
    expect(r.assignments.get('a')).not.toBe(r.assignments.get('c'));
    expect(r.newPeople).toHaveLength(2);
  });

  it('existing people are joined first and never merged with each other', () => {
    const existing = [
      { id: 'ann', faces: [{ embedding: at(0) }, { embedding: at(4) }] },
      { id: 'bob', faces: [{ embedding: at(20) }] },
    ];
    // 10° sits between ann (cos ≥ 0.99) and bob (cos 0.98): it joins ann, the closer on average.
    const r = clusterFaces(
      [face('n1', 3), face('n2', 10), face('n3', 21), face('n4', 180)],
      { threshold: 0.9 },
      existing,
    );
    expect(Object.fromEntries(r.assignments)).toEqual({ n1: 'ann', n2: 'ann', n3: 'bob', n4: 'new-1' });
    expect(r.newPeople).toEqual(['new-1']);
  });

  it("cannot-link from users: a face marked 'not this person' does not join that person", () => {
    const existing = [{ id: 'ann', faces: [{ embedding: at(0) }], cannotLink: ['n1'] }];
    const r = clusterFaces([face('n1', 1), face('n2', -1)], { threshold: 0.9 }, existing);
    expect(r.assignments.get('n1')).toBe('new-1');
    expect(r.assignments.get('n2')).toBe('ann');
  });

  it('a new face of a photo an existing person already appears in cannot join that person', () => {
    const existing = [{ id: 'ann', faces: [{ embedding: at(0), photoId: 'p1' }] }];
    const r = clusterFaces([face('n1', 1, 'p1'), face('n2', -1, 'p2')], { threshold: 0.9 }, existing);
    expect(r.assignments.get('n1')).toBe('new-1');
    expect(r.assignments.get('n2')).toBe('ann');
  });

  it('second pass: a face that joined an existing person early moves when a closer person forms', () => {
    // n0 at 45° matches ann (0°) at cos 0.707 ≥ 0.7 and joins her first; then g1, g2 at 80°/82° form a
    // person whose mean cosine to n0 (0.81) is higher, so the re-check moves n0 there.
    const existing = [
      { id: 'ann', faces: [{ embedding: at(0) }, { embedding: at(0) }, { embedding: at(0) }] },
    ];
    const r = clusterFaces([face('n0', 45), face('g1', 80), face('g2', 82)], { threshold: 0.7 }, existing);
    expect(Object.fromEntries(r.assignments)).toEqual({ n0: 'new-1', g1: 'new-1', g2: 'new-1' });
    const stuck = clusterFaces(
      [face('n0', 45), face('g1', 80), face('g2', 82)],
      { threshold: 0.7, maxPasses: 0 },
      existing,
    );
    expect(stuck.assignments.get('n0')).toBe('ann');
  });

  it('minFaces: groups with fewer faces are not people', () => {
    const faces = [face('a1', 0), face('a2', 2), face('b1', 90)];
    const r = clusterFaces(faces, { threshold: 0.9, minFaces: 2 });
    expect(Object.fromEntries(r.assignments)).toEqual({ a1: 'new-1', a2: 'new-1', b1: null });
    expect(r.newPeople).toEqual(['new-1']);
  });

  it('non-indexable faces never found a person and attach only when clearly close', () => {
    const faces = [
      face('a1', 0),
      face('a2', 4),
      face('blurry-close', 2, 'p9', false), // cos ≈ 1.0 to a: attaches
      face('blurry-borderline', 35, 'p8', false), // mean cos 0.84 ≥ 0.8 but < 0.8 + 0.1: stays null
      face('stranger', 120, 'p7', false), // no person near: stays null, founds none
    ];
    const r = clusterFaces(faces, { threshold: 0.8 });
    expect(Object.fromEntries(r.assignments)).toEqual({
      a1: 'new-1',
      a2: 'new-1',
      'blurry-close': 'new-1',
      'blurry-borderline': null,
      stranger: null,
    });
    expect(r.newPeople).toEqual(['new-1']);
  });

  it('non-indexable faces of one photo do not both attach to one person', () => {
    const faces = [face('a1', 0), face('x', 1, 'p2', false), face('y', 2, 'p2', false)];
    const r = clusterFaces(faces, { threshold: 0.8 });
    expect(r.assignments.get('x')).toBe('new-1');
    expect(r.assignments.get('y')).toBeNull();
  });

  it('rejects bad input with AppError', () => {
    expect(() => clusterFaces([face('a', 0), face('a', 1)], { threshold: 0.5 })).toThrow(AppError);
    expect(() => clusterFaces([face('a', 0)], { threshold: Number.NaN })).toThrow(AppError);
    const short = { ...face('b', 0), embedding: new Float32Array(2) };
    expect(() => clusterFaces([face('a', 0), short], { threshold: 0.5 })).toThrow(AppError);
    expect(() => clusterFaces([face('a', 0)], { threshold: 0.5 }, [{ id: 'new-1', faces: [] }])).toThrow(
      AppError,
    );
  });

  it('handles no faces', () => {
    expect(clusterFaces([], { threshold: 0.5 })).toEqual({ assignments: new Map(), newPeople: [] });
  });
});

/** The grouping as sorted lists of face ids, ignoring person ids. */
function partition(r: ClusterResult): string[][] {
  const groups = new Map<string, string[]>();
  for (const [id, person] of r.assignments) {
    const key = person ?? `null:${id}`;
    groups.set(key, [...(groups.get(key) ?? []), id]);
  }
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

// ---------------------------------------------------------------------------------------------------
// Real photos, real detector and recognizers (the `local` pack), the pack's own cluster threshold.
// ---------------------------------------------------------------------------------------------------

interface LabelledSet {
  readonly name: string;
  readonly faces: FixtureFace[];
  /** face id → identity, for the one subject of each single-person photo. */
  readonly labels: Map<string, string>;
}

/** The subject of a single-person photo: its largest face (others are background people). */
function subject(faces: readonly FixtureFace[], photo: string): FixtureFace | undefined {
  return faces
    .filter((f) => f.photo === photo)
    .sort((a, b) => b.detection.box[2] * b.detection.box[3] - a.detection.box[2] * a.detection.box[3])[0];
}

async function faceRecognitionSet(): Promise<LabelledSet & { multi: Map<string, string[]> }> {
  const rows = (await readFile(fixture('face_recognition/identities.csv'), 'utf8'))
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));
  const photos = rows.map((r) => `face_recognition/${r[0]!}`);
  const faces = await embedFixtures(photos);
  const labels = new Map<string, string>();
  const multi = new Map<string, string[]>();
  for (const [file, identity, note] of rows) {
    const photo = `face_recognition/${file!}`;
    if (identity === 'MULTI') {
      // "kit_harington + rose_leslie": the people in it, without saying which face is whom.
      const named = (note ?? '').split('+').map((s) => s.trim());
      if (named.length > 1) multi.set(photo, named);
    } else if (identity !== 'UNKNOWN') {
      const f = subject(faces, photo);
      if (f) labels.set(f.id, identity!);
    }
  }
  return { name: 'face_recognition', faces, labels, multi };
}

async function comprefaceSet(): Promise<LabelledSet> {
  const ann = JSON.parse(await readFile(fixture('compreface/annotations.json'), 'utf8')) as {
    faces: Record<string, unknown>;
    identities: Record<string, string[]>;
  };
  const photos = Object.keys(ann.faces)
    .sort()
    .map((f) => `compreface/${f}`);
  const faces = await embedFixtures(photos);
  const labels = new Map<string, string>();
  for (const [identity, files] of Object.entries(ann.identities)) {
    for (const file of files) {
      const f = subject(faces, `compreface/${file}`);
      if (f) labels.set(f.id, identity);
    }
  }
  return { name: 'compreface', faces, labels };
}

/**
 * `quality`: indexable and quality as the quality stage judged them (the pipeline's view).
 * `all`: every detected face indexable, the strictest case for "no cluster mixes two people", since
 * quality gating only takes faces out of the grouping.
 */
function asClusterFaces(faces: readonly FixtureFace[], mode: 'quality' | 'all' = 'quality'): ClusterFace[] {
  return faces.map((f) => ({
    id: f.id,
    photoId: f.photo,
    embedding: f.embedding,
    quality: f.quality.score,
    indexable: mode === 'all' || f.quality.indexable,
  }));
}

interface Figures {
  purity: number;
  completeness: number;
  people: number;
  labelledPeople: number;
}

/**
 * Over labelled faces: purity = share of them that carry their person's majority label; completeness
 * = share of them that sit in their label's largest person.
 */
function figures(set: LabelledSet, r: ClusterResult): Figures {
  const byPerson = new Map<string, string[]>();
  const byLabel = new Map<string, (string | null)[]>();
  for (const [id, label] of set.labels) {
    const person = r.assignments.get(id) ?? null;
    if (person) byPerson.set(person, [...(byPerson.get(person) ?? []), label]);
    byLabel.set(label, [...(byLabel.get(label) ?? []), person]);
  }
  const majority = (xs: readonly (string | null)[]): number => {
    const counts = new Map<string | null, number>();
    for (const x of xs) if (x !== null) counts.set(x, (counts.get(x) ?? 0) + 1);
    return Math.max(0, ...counts.values());
  };
  const total = set.labels.size;
  const pure = [...byPerson.values()].reduce((s, labels) => s + majority(labels), 0);
  const complete = [...byLabel.values()].reduce((s, persons) => s + majority(persons), 0);
  return {
    purity: pure / Math.max(1, [...byPerson.values()].flat().length),
    completeness: complete / Math.max(1, total),
    people: r.newPeople.length,
    labelledPeople: byLabel.size,
  };
}

/** Cosines between labelled faces, split into same-identity and different-identity pairs. */
function labelledCosines(set: LabelledSet): { same: number[]; different: number[] } {
  const labelled = set.faces.filter((f) => set.labels.has(f.id));
  const same: number[] = [];
  const different: number[] = [];
  for (let i = 0; i < labelled.length; i++) {
    for (let j = i + 1; j < labelled.length; j++) {
      const a = labelled[i]!;
      const b = labelled[j]!;
      (set.labels.get(a.id) === set.labels.get(b.id) ? same : different).push(
        cosine(a.embedding, b.embedding),
      );
    }
  }
  return { same, different };
}

/** `mayBeNull`: ids of labelled faces the quality stage refused, which may stay unassigned. */
function expectLabelsSeparated(
  set: LabelledSet,
  r: ClusterResult,
  mayBeNull: ReadonlySet<string> = new Set(),
): void {
  const personOf = new Map<string, string | null>();
  const labelOf = new Map<string, string>();
  for (const [id, label] of set.labels) {
    const person = r.assignments.get(id) ?? null;
    if (person === null && mayBeNull.has(id)) continue;
    // Each labelled person ends up in one cluster…
    expect(person, `${id} (${label}) has a person`).not.toBeNull();
    if (personOf.has(label)) expect(person, `${id} joins the other ${label} faces`).toBe(personOf.get(label));
    else personOf.set(label, person);
    // …and no cluster mixes two labelled people.
    if (person) {
      if (labelOf.has(person)) expect(labelOf.get(person), `${person} holds one identity`).toBe(label);
      else labelOf.set(person, label);
    }
  }
}

function expectPhotosSplit(faces: readonly FixtureFace[], r: ClusterResult): void {
  const seen = new Map<string, string>();
  for (const f of faces) {
    const person = r.assignments.get(f.id);
    if (!person) continue;
    const key = `${f.photo}→${person}`;
    expect(seen.get(key), `${f.id} and ${seen.get(key) ?? ''} share ${person}`).toBeUndefined();
    seen.set(key, f.id);
  }
}

/** Faces the quality stage did not let into the index. */
function refused(faces: readonly FixtureFace[]): Set<string> {
  return new Set(faces.filter((f) => !f.quality.indexable).map((f) => f.id));
}

function nullCount(r: ClusterResult): number {
  return [...r.assignments.values()].filter((p) => p === null).length;
}

const fmt = (xs: readonly number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return `n=${s.length} min=${(s[0] ?? NaN).toFixed(3)} mean=${mean.toFixed(3)} max=${(s.at(-1) ?? NaN).toFixed(3)}`;
};

describe.skipIf(!hasFixtures())('clusterFaces on real fixture photos (local pack)', () => {
  let threshold = 0;
  let fr: Awaited<ReturnType<typeof faceRecognitionSet>>;
  let cf: LabelledSet;

  beforeAll(async () => {
    // The calibrated neighbour threshold of the pack, read at test time: it changes with calibration.
    threshold = (await loadManifest()).packs.local!.thresholds.cluster;
    fr = await faceRecognitionSet();
    cf = await comprefaceSet();
  });

  it('face_recognition: one person per identity, no mixed person, photos split', () => {
    const r = clusterFaces(asClusterFaces(fr.faces), { threshold });
    expectLabelsSeparated(fr, r, refused(fr.faces));
    expectPhotosSplit(fr.faces, r);
    // MULTI photos hold the people their note names, each in that person's cluster.
    const personOfLabel = new Map([...fr.labels].map(([id, label]) => [label, r.assignments.get(id)]));
    for (const [photo, names] of fr.multi) {
      const people = fr.faces.filter((f) => f.photo === photo).map((f) => r.assignments.get(f.id));
      for (const name of names) expect(people, `${photo} holds ${name}`).toContain(personOfLabel.get(name));
    }
    const c = labelledCosines(fr);
    console.log(
      `[cluster] face_recognition @${threshold}: ${fr.faces.length} faces (${refused(fr.faces).size} not indexable, ` +
        `${nullCount(r)} unassigned), ${fr.labels.size} labelled, ` +
        `${JSON.stringify(figures(fr, r))}; cos same ${fmt(c.same)}; different ${fmt(c.different)}`,
    );
    expect(figures(fr, r)).toMatchObject({ purity: 1, completeness: 1 });
  });

  it('compreface: identities A, B, C each one person, group photos split', () => {
    const r = clusterFaces(asClusterFaces(cf.faces), { threshold });
    expectLabelsSeparated(cf, r, refused(cf.faces));
    expectPhotosSplit(cf.faces, r);
    const c = labelledCosines(cf);
    console.log(
      `[cluster] compreface @${threshold}: ${cf.faces.length} faces (${refused(cf.faces).size} not indexable, ` +
        `${nullCount(r)} unassigned), ${cf.labels.size} labelled, ` +
        `${JSON.stringify(figures(cf, r))}; cos same ${fmt(c.same)}; different ${fmt(c.different)}`,
    );
    expect(figures(cf, r)).toMatchObject({ purity: 1, completeness: 1 });
  });

  it('both sets at once, every face indexable: still one person per identity, none mixed', () => {
    const both: LabelledSet = {
      name: 'both',
      faces: [...fr.faces, ...cf.faces],
      labels: new Map([...fr.labels, ...cf.labels]),
    };
    const r = clusterFaces(asClusterFaces(both.faces, 'all'), { threshold });
    expectLabelsSeparated(both, r);
    expectPhotosSplit(both.faces, r);
    console.log(`[cluster] both sets, all indexable: ${JSON.stringify(figures(both, r))}`);
  });

  it('low-quality faces: partial faces attach to their person, group strangers found no one', () => {
    // No quality stage runs here, so the faces a quality gate would refuse are marked by what the
    // fixtures say of them: the two "partial face" photos, and every face of the compreface group
    // photos (strangers to A, B and C, 25–100 px wide). Where they land is the algorithm's answer.
    const partial = new Set(
      ['obama_partial_face.jpg', 'obama_partial_face2.jpg'].map(
        (f) => `face_recognition/tests/test_images/${f}`,
      ),
    );
    const isGroup = (photo: string): boolean => /compreface\/\d+_\d\.jpg$/.test(photo);
    const faces = asClusterFaces([...fr.faces, ...cf.faces], 'all').map((f) =>
      partial.has(f.photoId) || isGroup(f.photoId) ? { ...f, indexable: false } : f,
    );
    const r = clusterFaces(faces, { threshold });
    const obama = r.assignments.get(subject(fr.faces, 'face_recognition/examples/obama.jpg')!.id);
    const partialPeople = fr.faces.filter((f) => partial.has(f.photo)).map((f) => r.assignments.get(f.id));
    const groupFaces = cf.faces.filter((f) => isGroup(f.photo));
    const attached = groupFaces.filter((f) => r.assignments.get(f.id) !== null);
    console.log(
      `[cluster] low quality: partial faces → ${partialPeople.join(',')} (obama ${obama ?? 'null'}); ` +
        `${attached.length}/${groupFaces.length} group faces attached; ${r.newPeople.length} people`,
    );
    for (const p of partialPeople) expect([obama, null]).toContain(p);
    // The group faces found no person: people are the labelled identities plus the unlabelled
    // subjects of face_recognition (the third face of obama_and_biden, ...), never the 37 strangers.
    expect(attached).toEqual([]);
    const indexableOnly = clusterFaces(
      faces.filter((f) => f.indexable),
      { threshold },
    );
    expect(r.newPeople.length).toBe(indexableOnly.newPeople.length);
  });

  it('threshold sweep around the pack value (figures only)', () => {
    const both: LabelledSet = {
      name: 'both',
      faces: [...fr.faces, ...cf.faces],
      labels: new Map([...fr.labels, ...cf.labels]),
    };
    const faces = asClusterFaces(both.faces, 'all');
    const rows: string[] = [];
    for (let t = 0.3; t <= 0.701; t += 0.05) {
      const f = figures(both, clusterFaces(faces, { threshold: t }));
      rows.push(
        `${t.toFixed(2)}: purity ${f.purity.toFixed(3)} completeness ${f.completeness.toFixed(3)} people ${f.people}`,
      );
    }
    console.log(`[cluster] sweep (both sets, ${faces.length} faces):\n  ${rows.join('\n  ')}`);
    expect(rows).toHaveLength(9);
  });

  it('is deterministic: same input, same ids; reversed input, same grouping', () => {
    const faces = asClusterFaces([...fr.faces, ...cf.faces]);
    const one = clusterFaces(faces, { threshold });
    expect(clusterFaces(faces, { threshold })).toEqual(one);
    expect(partition(clusterFaces([...faces].reverse(), { threshold }))).toEqual(partition(one));
  });

  it('incremental: new photos of known people join them; a user split is honoured', () => {
    const labelledFace = (file: string): FixtureFace => {
      const f = subject(cf.faces, `compreface/${file}`);
      if (!f) throw new Error(`no face found in ${file}`);
      return f;
    };
    const known = ['001_A.jpg', '002_A.jpg', '003_A.jpg'].map(labelledFace);
    const existing = [
      { id: 'alice', faces: known.map((f) => ({ embedding: f.embedding, photoId: f.photo })) },
      {
        id: 'bea',
        faces: [{ embedding: labelledFace('007_B.jpg').embedding, photoId: 'compreface/007_B.jpg' }],
      },
    ];
    const knownPhotos = new Set([
      'compreface/001_A.jpg',
      'compreface/002_A.jpg',
      'compreface/003_A.jpg',
      'compreface/007_B.jpg',
    ]);
    const fresh = asClusterFaces(cf.faces.filter((f) => !knownPhotos.has(f.photo)));
    const r = clusterFaces(fresh, { threshold }, existing);
    for (const file of ['004_A.jpg', '005_A.jpg', '006_A.jpg']) {
      expect(r.assignments.get(labelledFace(file).id), file).toBe('alice');
    }
    expect(r.assignments.get(labelledFace('008_B.jpg').id)).toBe('bea');
    const c = r.assignments.get(labelledFace('009_C.jpg').id);
    expect(c).toMatch(/^new-\d+$/);
    // Only A's and B's photos join the known people.
    for (const f of fresh) {
      const person = r.assignments.get(f.id);
      if (person === 'alice') expect(f.photoId).toMatch(/_A\.jpg$/);
      if (person === 'bea') expect(f.photoId).toMatch(/_B\.jpg$/);
    }
    // The user said 006_A's face is not alice: it stays out of alice (and founds its own person).
    const split = labelledFace('006_A.jpg').id;
    const withRule = clusterFaces(fresh, { threshold }, [
      { ...existing[0]!, cannotLink: [split] },
      existing[1]!,
    ]);
    expect(withRule.assignments.get(split)).not.toBe('alice');
    expect(withRule.assignments.get(labelledFace('004_A.jpg').id)).toBe('alice');
  });
});
