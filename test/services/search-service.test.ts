/**
 * findBySelfie on two chats that hold the same person, on the real models: each chat finds only its own
 * photos; a stranger's selfie is no match in a chat of several people; an ambiguous selfie is asked about
 * and the answer is kept; forgetting one chat leaves the other's intact.
 */
import { readFile } from 'node:fs/promises';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { facePointId, tenantPrefix } from '../../src/core/keys.js';
import { identify } from '../../src/pipeline/identify.js';
import { byPerson } from '../../src/services/tenant-faces.js';
import { fixture } from '../support/fixtures.js';
import { FR, KNN, listBlobs, startHarness, uploads, type Harness } from '../jobs/support/harness.js';

const A = 'tg-3001';
const B = 'tg--1003002';

const ALBUM_A = [
  `${FR}/obama.jpg`,
  `${FR}/obama2.jpg`,
  `${FR}/biden.jpg`,
  `${KNN}/train/biden/biden2.jpg`,
  `${KNN}/train/kit_harington/john1.jpeg`,
  'compreface/017_0.jpg',
];
const ALBUM_B = [
  'face_recognition/tests/test_images/obama3.jpg',
  `${KNN}/test/obama1.jpg`,
  `${KNN}/train/rose_leslie/img1.jpg`,
];

const selfie = async (p: string) => new Uint8Array(await readFile(fixture(p)));

describe('findBySelfie across chats', () => {
  let h: Harness;
  const shas = new Map<string, string>();
  beforeAll(async () => {
    h = await startHarness();
    for (const [tenant, album] of [
      [A, ALBUM_A],
      [B, ALBUM_B],
    ] as const) {
      const { albumId } = await h.services.photos.submitAlbum(tenant, await uploads(...album));
      await h.waitForAlbum(tenant, albumId);
      for (const p of await h.stores.metadata.listPhotos(tenant, albumId))
        shas.set(`${tenant}:${p.name}`, p.sha256);
    }
  }, 90_000);
  afterAll(async () => {
    await h.close();
  });

  it("finds the person's photos in the asking chat only, best first", async () => {
    const bytes = await selfie(`${FR}/obama-720p.jpg`);
    const inA = await h.services.search.findBySelfie(A, bytes);
    expect(inA.status).toBe('found');
    if (inA.status !== 'found') return;
    expect(inA.person).not.toBeNull();
    expect(inA.photos.map((p) => p.sha256).sort()).toEqual(
      [shas.get(`${A}:${ALBUM_A[0]}`), shas.get(`${A}:${ALBUM_A[1]}`)].sort(),
    );
    const sims = inA.photos.map((p) => p.similarity);
    expect(sims).toEqual([...sims].sort((a, b) => b - a));
    expect(inA.photos.every((p) => p.blobKey.startsWith(tenantPrefix(A)))).toBe(true);

    const inB = await h.services.search.findBySelfie(B, bytes);
    expect(inB.status).toBe('found');
    if (inB.status !== 'found') return;
    expect(inB.photos.map((p) => p.sha256).sort()).toEqual(
      [shas.get(`${B}:${ALBUM_B[0]}`), shas.get(`${B}:${ALBUM_B[1]}`)].sort(),
    );
  });

  it('answers no match for strangers in a chat of several people', async () => {
    // Chat A holds Obama, Biden and Kit Harington. Rose Leslie (chat B only) and three LFW people are
    // strangers to it.
    for (const p of [
      `${KNN}/train/rose_leslie/img2.jpg`,
      'lfw/Abel_Pacheco/Abel_Pacheco_0001.jpg',
      'lfw/Abdul_Rahman/Abdul_Rahman_0001.jpg',
      'lfw/Abdel_Madi_Shabneh/Abdel_Madi_Shabneh_0001.jpg',
    ]) {
      const outcome = await h.services.search.findBySelfie(A, await selfie(p));
      expect(outcome.status, p).toBe('no-match');
    }
    // A member of the chat is found with only their photos: Biden's two photos, not Obama's.
    const biden = await h.services.search.findBySelfie(A, await selfie(`${KNN}/train/biden/biden.jpg`));
    expect(biden.status).toBe('found');
    if (biden.status === 'found') {
      expect(biden.photos.map((p) => p.sha256).sort()).toEqual(
        [shas.get(`${A}:${ALBUM_A[2]}`), shas.get(`${A}:${ALBUM_A[3]}`)].sort(),
      );
    }
  });

  it('says what is wrong with a selfie it cannot use', async () => {
    expect(await h.services.search.findBySelfie(A, await selfie('compreface/017_0.jpg'))).toEqual({
      status: 'no-face',
    });
    // Two faces of about the same size: none is the selfie's own, so the bot asks which one.
    const two = await h.services.search.findBySelfie(A, await selfie('compreface/010_2.jpg'));
    expect(two.status).toBe('choose-face');
    if (two.status === 'choose-face') {
      expect(two.faces).toHaveLength(2);
      expect(two.faces.every((f) => f.crop.length > 0)).toBe(true);
      // Choosing one searches with it.
      const first = await h.services.search.findBySelfie(A, await selfie('compreface/010_2.jpg'), {
        face: 0,
      });
      expect(['no-match', 'poor-quality']).toContain(first.status);
    }
    // The album's Obama shrunk to 120 px wide: found, but too small to search with (quality 0.44 < 0.5).
    const tiny = await sharp(fixture(`${FR}/obama.jpg`))
      .resize(120)
      .jpeg()
      .toBuffer();
    expect(await h.services.search.findBySelfie(A, new Uint8Array(tiny))).toEqual({
      status: 'poor-quality',
      reasons: ['small'],
    });
  });

  it('asks when two people are equally close, and keeps the answer', async () => {
    // Split chat A's Obama into two people (as a user's "not this person" can): a selfie of him now
    // matches both, with no clear winner, so the service must ask instead of picking one.
    const obama = await h.services.search.findBySelfie(A, await selfie(`${FR}/obama-720p.jpg`));
    expect(obama.status).toBe('found');
    if (obama.status !== 'found') return;
    const second = shas.get(`${A}:${ALBUM_A[1]}`)!;
    const faceId = facePointId(A, second, 0);
    await h.stores.index.setPerson(A, [faceId], 'pobamatwin');
    await h.stores.metadata.savePerson({
      id: 'pobamatwin',
      tenant: A,
      name: null,
      centroid: null,
      faceCount: 1,
      coverFace: faceId,
      createdAt: new Date().toISOString(),
    });
    const bytes = await selfie(`${KNN}/test/obama1.jpg`);
    const asked = await h.services.search.findBySelfie(A, bytes);
    expect(asked.status).toBe('unsure');
    if (asked.status !== 'unsure') return;
    expect(asked.selfie.face.crop.length).toBeGreaterThan(0);
    expect(asked.person.faceKey).not.toBeNull();

    const yes = await h.services.search.answer(A, {
      selfie: asked.selfie.sha256,
      person: asked.person.id,
      yes: true,
    });
    expect(yes.status).toBe('found');
    // The same selfie again: the kept answer settles it.
    const again = await h.services.search.findBySelfie(A, bytes);
    expect(again).toMatchObject({ status: 'found', confirmed: true, person: { id: asked.person.id } });
    // "No" rules that person out for this selfie; the other Obama then leads clearly.
    await h.services.search.answer(A, { selfie: asked.selfie.sha256, person: asked.person.id, yes: false });
    const after = await h.services.search.findBySelfie(A, bytes);
    expect(after.status).not.toBe('unsure');
    if (after.status === 'found') expect(after.person.id).not.toBe(asked.person.id);
    // Put Obama back together for the tests after this one.
    await h.stores.index.setPerson(A, [faceId], obama.person.id);
    await h.stores.metadata.deletePerson(A, 'pobamatwin');
  });

  it('shows a photo sent twice (compressed and as a file) once, the original, with its chat reference', async () => {
    const C = 'tg--1003003';
    const original = new Uint8Array(await readFile(fixture(`${FR}/obama.jpg`)));
    const meta = await sharp(original).metadata();
    // What Telegram makes of a photo sent compressed: smaller, recompressed.
    const compressed = new Uint8Array(
      await sharp(original)
        .resize(Math.round(meta.width * 0.6))
        .jpeg({ quality: 75 })
        .toBuffer(),
    );
    const sentAt = new Date().toISOString();
    const first = await h.services.photos.submitAlbum(C, [
      {
        name: 'm1',
        bytes: compressed,
        message: { sentAt, original: { kind: 'photo', ref: 'P1', message: '1' } },
      },
      ...(await uploads(`${FR}/obama2.jpg`)),
    ]);
    await h.waitForAlbum(C, first.albumId);
    const second = await h.services.photos.submitAlbum(C, [
      {
        name: 'm2',
        bytes: original,
        message: { sentAt, original: { kind: 'document', ref: 'D2', message: '2' } },
      },
    ]);
    await h.waitForAlbum(C, second.albumId);

    const found = await h.services.search.findBySelfie(C, await selfie(`${FR}/obama-720p.jpg`));
    expect(found.status).toBe('found');
    if (found.status !== 'found') return;
    // Three photos stored, two pictures shown: the file (more pixels) stands for the compressed copy.
    expect(found.photos).toHaveLength(2);
    const file = found.photos.find((p) => p.original?.ref === 'D2');
    expect(file?.original).toEqual({ kind: 'document', ref: 'D2', message: '2' });
    expect(found.photos.some((p) => p.original?.ref === 'P1')).toBe(false);
    // The other Obama photo is a different picture and stays, without a chat reference (no message).
    expect(found.photos.filter((p) => p.original === undefined)).toHaveLength(1);
  });

  it("gives the decision's answer over every face of the chat: candidates are scored exactly", async () => {
    // The service reads only the people near the selfie (nearest faces and person templates) and then
    // all their faces; the reference scores every person of chat A from all their faces.
    const thresholds = h.pack.spec.thresholds.search;
    const people = [...byPerson(await h.stores.index.list({ tenant: A }, { withVectors: true }))].map(
      ([id, faces]) => ({ id, vectors: faces.map((f) => f.vector!) }),
    );
    expect(people.length).toBeGreaterThanOrEqual(3);
    // Real selfies: the faces of chat B (Obama twice, Rose Leslie, a stranger to A) and A's own faces.
    const selfies = [
      ...(await h.stores.index.list({ tenant: B }, { withVectors: true })),
      ...(await h.stores.index.list({ tenant: A }, { withVectors: true })),
    ];
    const kinds = new Set<string>();
    for (const face of selfies) {
      const expected = identify(face.vector!, people, thresholds);
      const got = await h.services.search.findByEmbedding(A, face.vector!);
      const kind = got.status === 'found' ? 'sure' : got.status === 'unsure' ? 'unsure' : 'none';
      kinds.add(kind);
      expect(kind, face.id).toBe(expected.kind);
      if (got.status !== 'no-match' && expected.kind !== 'none') {
        expect(got.person.id).toBe(expected.best.person);
        expect(got.score).toBeCloseTo(expected.best.score, 6);
      }
    }
    expect(kinds).toEqual(new Set(['sure', 'none']));
  });

  it('forgets a whole chat and leaves the other one intact', async () => {
    await h.services.privacy.forgetTenant(A);
    expect(await listBlobs(h.stores, tenantPrefix(A))).toEqual([]);
    expect(await h.stores.index.count({ tenant: A })).toBe(0);
    expect(await h.stores.metadata.listAlbums(A)).toEqual([]);
    expect(await h.stores.metadata.listPeople(A)).toEqual([]);
    const sha = shas.get(`${A}:${ALBUM_A[0]}`)!;
    expect(await h.stores.metadata.getPhoto(A, sha)).toBeNull();
    expect(await h.stores.index.get(A, [facePointId(A, sha, 0)])).toEqual([]);
    const bytes = await selfie(`${FR}/obama-720p.jpg`);
    expect(await h.services.search.findBySelfie(A, bytes)).toMatchObject({ status: 'no-match' });

    const inB = await h.services.search.findBySelfie(B, bytes);
    expect(inB.status).toBe('found');
    if (inB.status === 'found') expect(inB.photos).toHaveLength(2);
    expect((await listBlobs(h.stores, tenantPrefix(B))).length).toBeGreaterThan(0);
  });
});
