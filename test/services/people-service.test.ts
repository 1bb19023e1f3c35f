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
    expect(await h.services.people.mergePeople(T, kit, biden)).toEqual({ kept: biden, merged: kit });
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

  it('keeps handles for life, finds people by handle or name, undoes a merge, hides', async () => {
    const U = 'tg-4005';
    const runIn = async (paths: string[]) => {
      const { albumId } = await h.services.photos.submitAlbum(U, await uploads(...paths));
      await h.waitForAlbum(U, albumId);
      return (await h.services.photos.albumResult(U, albumId))!;
    };
    const personIn = (result: Awaited<ReturnType<typeof runIn>>, suffix: string) =>
      result.photos.find((p) => p.path.endsWith(suffix))!.faces[0]!.personId!;
    const first = await runIn([`${FR}/biden.jpg`, `${KNN}/train/kit_harington/john1.jpeg`]);
    const biden = personIn(first, 'biden.jpg');
    const kit = personIn(first, 'john1.jpeg');
    const handleOf = async (id: string) =>
      (await h.services.people.listPeople(U)).find((p) => p.id === id)?.handle;
    const bidenHandle = (await handleOf(biden))!;
    const kitHandle = (await handleOf(kit))!;
    expect(new Set([bidenHandle, kitHandle])).toEqual(new Set([1, 2]));
    await h.services.people.namePerson(U, kit, 'Kit');

    // A second album with more photos of Obama than anyone: he gets the next handle, nobody's shifts
    // (the people list is sorted by faces, so positions would have moved).
    const second = await runIn([
      `${FR}/obama.jpg`,
      `${FR}/obama2.jpg`,
      'face_recognition/tests/test_images/obama3.jpg',
      `${KNN}/train/biden/biden2.jpg`,
    ]);
    const obama = personIn(second, 'obama.jpg');
    expect(personIn(second, 'biden2.jpg')).toBe(biden);
    expect(await handleOf(obama)).toBe(3);
    expect(await handleOf(biden)).toBe(bidenHandle);
    expect(await handleOf(kit)).toBe(kitHandle);
    expect((await h.services.people.listPeople(U))[0]?.id).toBe(obama);

    // Found by handle ("2", "#2"), by name (any case), by id; unknown ones are null.
    expect((await h.services.people.findPerson(U, `#${kitHandle}`))?.id).toBe(kit);
    expect((await h.services.people.findPerson(U, String(bidenHandle)))?.id).toBe(biden);
    expect((await h.services.people.findPerson(U, '  kit '))?.id).toBe(kit);
    expect((await h.services.people.findPerson(U, obama))?.handle).toBe(3);
    expect(await h.services.people.findPerson(U, 'Nobody')).toBeNull();
    expect(await h.services.people.findPerson(U, '77')).toBeNull();
    expect((await h.services.people.photosOf(U, obama)).map((p) => p.name).sort()).toEqual(
      [`${FR}/obama.jpg`, `${FR}/obama2.jpg`, 'face_recognition/tests/test_images/obama3.jpg'].sort(),
    );

    // Merge Kit into Biden: Kit's handle now means Biden; Undo brings Kit back with handle and name.
    expect(await h.services.people.mergePeople(U, kit, biden)).toEqual({ kept: biden, merged: kit });
    expect((await h.services.people.findPerson(U, String(kitHandle)))?.id).toBe(biden);
    expect((await h.services.people.findPerson(U, biden))?.name).toBe('Kit');
    expect(await h.services.people.undoMerge(U, kit)).toBe(kit);
    const back = await h.services.people.findPerson(U, String(kitHandle));
    expect([back?.id, back?.name, back?.handle, back?.faceCount]).toEqual([kit, 'Kit', kitHandle, 1]);
    const bidenNow = await h.services.people.findPerson(U, biden);
    expect([bidenNow?.name, bidenNow?.faceCount]).toEqual([null, 2]);
    await expect(h.services.people.undoMerge(U, kit)).rejects.toMatchObject({ code: 'BAD_ARGUMENTS' });

    // A chosen cover (not the best face) stays through the next album.
    const obamaFaces = await h.services.people.personFaces(U, obama);
    const chosen = obamaFaces.at(-1)!.id;
    expect(chosen).not.toBe(obamaFaces[0]!.id);
    expect(await h.services.people.chooseCover(U, chosen)).toBe(obama);

    // Hidden people stay hidden after the next album, and keep their faces.
    await h.services.people.hidePerson(U, obama, true);
    await runIn([`${KNN}/train/kit_harington/john2.jpeg`]);
    const listed = await h.services.people.listPeople(U);
    expect(listed.find((p) => p.id === obama)).toMatchObject({
      hidden: true,
      faceCount: 3,
      coverFace: chosen,
    });
  }, 120_000);
});
