/**
 * People persist across albums: a name given after the first album stays on its person when the next
 * album brings more of their photos, a merge stays merged, "not this person" keeps a face out, and
 * forgetting a person leaves nothing of them.
 */
import { describe, expect, it } from 'vitest';

import { faceKey, facePointId } from '../../src/core/keys.js';
import { uploads, useHarness } from '../jobs/support/harness.js';
import { FR, KNN } from '../support/albums.js';

const T = 'tg-4004';

describe('people across albums', () => {
  const h = useHarness();

  async function run(paths: string[]) {
    const { albumId } = await h.services.photos.submitAlbum(T, await uploads(...paths));
    await h.waitForAlbum(T, albumId);
    const result = (await h.services.photos.albumResult(T, albumId))!;
    const personOf = (name: string) => result.photos.find((p) => p.path === name)!.faces[0]!.personId;
    return { albumId, result, personOf };
  }

  it('keeps names, merges and splits when new albums arrive, and forgets a person entirely', async () => {
    const first = await run([
      `${FR}/obama.jpg`,
      `${FR}/obama2.jpg`,
      `${FR}/biden.jpg`,
      `${KNN}/train/kit_harington/john1.jpeg`,
    ]);
    const obama = first.personOf(`${FR}/obama.jpg`)!;
    const biden = first.personOf(`${FR}/biden.jpg`)!;
    const kit = first.personOf(`${KNN}/train/kit_harington/john1.jpeg`)!;
    expect(new Set([obama, biden, kit]).size).toBe(3);
    expect((await h.services.people.listPeople(T)).map((p) => p.id).sort()).toEqual(
      [obama, biden, kit].sort(),
    );

    await h.services.people.namePerson(T, obama, 'Barack');
    // A deliberate merge the grouping would never make: it must survive the next album.
    expect(await h.services.people.mergePeople(T, kit, biden)).toBe(biden);
    await h.services.people.namePerson(T, kit, 'Joe or Kit'); // the old id still names the merged person

    const second = await run([
      'face_recognition/tests/test_images/obama3.jpg',
      `${KNN}/train/kit_harington/john2.jpeg`,
      `${KNN}/train/biden/biden2.jpg`,
    ]);
    expect(second.personOf('face_recognition/tests/test_images/obama3.jpg')).toBe(obama);
    expect(second.personOf(`${KNN}/train/biden/biden2.jpg`)).toBe(biden);
    // The merge stuck: Kit's new photo joins the merged person, and his first face is still there.
    expect(second.personOf(`${KNN}/train/kit_harington/john2.jpeg`)).toBe(biden);
    const johnSha = (await h.stores.metadata.listPhotos(T, first.albumId)).find((p) =>
      p.name.endsWith('john1.jpeg'),
    )!.sha256;
    const johnFace = facePointId(T, johnSha, 0);
    expect((await h.stores.index.get(T, [johnFace]))[0]?.payload.person).toBe(biden);
    expect(second.result.people.find((p) => p.id === obama)?.name).toBe('Barack');

    const people = await h.services.people.listPeople(T);
    expect(people.map((p) => [p.id, p.name, p.photoCount])).toEqual(
      expect.arrayContaining([
        [obama, 'Barack', 3],
        [biden, 'Joe or Kit', 4],
      ]),
    );
    expect(people).toHaveLength(2);

    // "Not this person": Kit's first face leaves the merged person, never to rejoin it.
    const split = await h.services.people.splitFace(T, johnFace);
    expect(split.personId).not.toBeNull();
    expect(split.personId).not.toBe(biden);
    const [stored] = await h.stores.index.get(T, [johnFace]);
    expect(stored?.payload.person).toBe(split.personId);

    // Forget Obama: his faces, crops and record go; the photos and other people stay.
    const obamaFaces = await h.stores.index.count({ tenant: T, person: obama });
    expect(obamaFaces).toBe(3);
    const crops = (await h.stores.metadata.listPhotos(T, first.albumId))
      .filter((p) => p.name.includes('obama'))
      .map((p) => faceKey(T, p.sha256, 0));
    expect(await Promise.all(crops.map((k) => h.stores.blobs.head(k)))).not.toContain(null);
    expect(await h.services.privacy.forgetPerson(T, obama)).toEqual({ personId: obama, faces: 3 });
    expect(await h.stores.index.count({ tenant: T, person: obama })).toBe(0);
    expect(await Promise.all(crops.map((k) => h.stores.blobs.head(k)))).toEqual(crops.map(() => null));
    expect(await h.stores.metadata.getPerson(T, obama)).toBeNull();
    expect((await h.services.people.listPeople(T)).map((p) => p.id)).not.toContain(obama);
    const after = (await h.services.photos.albumResult(T, first.albumId))!;
    expect(after.people.map((p) => p.id)).not.toContain(obama);
    expect(after.photos.flatMap((p) => p.faces.map((f) => f.personId))).not.toContain(obama);
    expect(await h.stores.index.count({ tenant: T, person: biden })).toBeGreaterThan(0);
  }, 120_000);
});
