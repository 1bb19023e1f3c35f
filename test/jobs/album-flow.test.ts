import { describe, expect, it } from 'vitest';

import { tenantPrefix } from '../../src/core/keys.js';
import { watchAlbumProgress } from '../../src/jobs/progress.js';
import type { AlbumProgress } from '../../src/jobs/names.js';
import { PEOPLE_ALBUM } from '../support/albums.js';
import { listBlobs, uploads, useHarness } from './support/harness.js';

const TENANT = 'tg-1001';

/** 8 photos: Obama ×3, Biden ×2, Kit Harington ×2, one without a face; the test adds bytes that are no photo. */
const ALBUM = PEOPLE_ALBUM;

describe('an album through the BullMQ flow', () => {
  const h = useHarness();

  it('keeps the chat messages and the scene objects for the post, also for a later /blog', async () => {
    const tenant = 'tg-1013';
    const [dogs, obama] = await uploads('dlib/dogs.jpg', ALBUM[0]!);
    const sentAt = '2026-12-02T09:14:00.000Z';
    const submitted = await h.services.photos.submitAlbum(tenant, [
      { ...dogs!, message: { sentAt, sender: 'Ana', caption: 'Walkies!', language: 'es' } },
      { ...obama!, message: { sentAt, sender: 'Ana', language: 'es' } },
    ]);
    expect((await h.waitForAlbum(tenant, submitted.albumId)).status).toBe('done');
    const result = (await h.services.photos.albumResult(tenant, submitted.albumId))!;
    const photo = (name: string) => result.photos.find((p) => p.path === name)!;
    expect(photo('dlib/dogs.jpg').message).toEqual({
      sentAt,
      sender: 'Ana',
      caption: 'Walkies!',
      language: 'es',
    });
    expect(photo(ALBUM[0]!).message?.sender).toBe('Ana');
    expect(photo('dlib/dogs.jpg').objects?.some((o) => o.label === 'dog' && o.score >= 0.4)).toBe(true);
    expect(photo(ALBUM[0]!).objects?.some((o) => o.label === 'dog')).toBe(false);
  });

  it('indexes every face once, groups people, lists failures, and a resend adds nothing', async () => {
    const photos = [
      ...(await uploads(...ALBUM)),
      { name: 'broken.jpg', bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8]) },
    ];
    const progress: AlbumProgress[] = [];
    const submitted = await h.services.photos.submitAlbum(TENANT, photos);
    const stop = watchAlbumProgress(h.services.photoEvents, TENANT, submitted.albumId, (p) =>
      progress.push(p),
    );
    expect(submitted).toMatchObject({ photoCount: 9, alreadyKnown: false });
    const status = await h.waitForAlbum(TENANT, submitted.albumId);
    stop();
    expect(status).toMatchObject({ status: 'done', processed: 9, total: 9 });
    expect(progress.at(-1)?.total).toBe(9);
    expect(Math.max(...progress.map((p) => p.done))).toBe(9);

    const result = await h.services.photos.albumResult(TENANT, submitted.albumId);
    expect(result).not.toBeNull();
    expect(result!.photos).toHaveLength(8);
    expect(result!.failures).toEqual([
      expect.objectContaining({ path: 'broken.jpg', code: 'CORRUPT_IMAGE' }),
    ]);
    // Every photo has its faces; the one without a face has none.
    const faces = (name: string) => result!.photos.find((p) => p.path === name)!.faces;
    expect(faces('compreface/017_0.jpg')).toHaveLength(0);
    const personOf = (name: string) => faces(name)[0]!.personId;
    const obama = personOf(ALBUM[0]!);
    const biden = personOf(ALBUM[3]!);
    const kit = personOf(ALBUM[5]!);
    expect(new Set([obama, biden, kit]).size).toBe(3);
    expect([personOf(ALBUM[1]!), personOf(ALBUM[2]!)]).toEqual([obama, obama]);
    expect(personOf(ALBUM[4]!)).toBe(biden);
    expect(personOf(ALBUM[6]!)).toBe(kit);
    expect(result!.people.find((p) => p.id === obama)?.photos).toHaveLength(3);

    const totalFaces = result!.photos.reduce((n, p) => n + p.faces.length, 0);
    const counts = async () => ({
      index: await h.stores.index.count({ tenant: TENANT }),
      photos: (await h.stores.metadata.listPhotos(TENANT, submitted.albumId)).length,
      people: (await h.stores.metadata.listPeople(TENANT)).length,
      albums: (await h.stores.metadata.listAlbums(TENANT)).length,
      blobs: (await listBlobs(h.stores, tenantPrefix(TENANT))).length,
    });
    const before = await counts();
    expect(before.index).toBe(totalFaces);
    expect(before.photos).toBe(8);
    expect(before.people).toBe(3);
    // Originals (8: the broken one failed for good and its bytes were deleted), a crop per face, a
    // thumbnail and an analysis per photo.
    expect(before.blobs).toBe(8 + totalFaces + 8 + 8);

    const again = await h.services.photos.submitAlbum(TENANT, [...photos].reverse());
    expect(again).toMatchObject({ albumId: submitted.albumId, alreadyKnown: true });
    expect(await counts()).toEqual(before);
  });
});
