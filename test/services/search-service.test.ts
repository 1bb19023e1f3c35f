/**
 * findBySelfie on two chats that hold the same person: each chat finds only its own photos, and
 * forgetting one chat leaves the other's intact.
 */
import { readFile } from 'node:fs/promises';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { facePointId, tenantPrefix } from '../../src/core/keys.js';
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

  it('says what is wrong with a selfie it cannot use', async () => {
    // Rose Leslie is in chat B only.
    expect(
      await h.services.search.findBySelfie(A, await selfie(`${KNN}/train/rose_leslie/img2.jpg`)),
    ).toEqual({
      status: 'no-match',
    });
    expect(await h.services.search.findBySelfie(A, await selfie('compreface/017_0.jpg'))).toEqual({
      status: 'no-face',
    });
    expect(await h.services.search.findBySelfie(A, await selfie('compreface/010_2.jpg'))).toMatchObject({
      status: 'several-faces',
    });
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
    expect(await h.services.search.findBySelfie(A, bytes)).toEqual({ status: 'no-match' });

    const inB = await h.services.search.findBySelfie(B, bytes);
    expect(inB.status).toBe('found');
    if (inB.status === 'found') expect(inB.photos).toHaveLength(2);
    expect((await listBlobs(h.stores, tenantPrefix(B))).length).toBeGreaterThan(0);
  });
});
