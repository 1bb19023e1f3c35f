/**
 * What every MetadataStore must do, run against each adapter. Records are synthetic: these tests check
 * storage, idempotence and tenant isolation, not the pipeline that fills them.
 */
import { describe, expect, it } from 'vitest';

import type { AlbumResult } from '../../src/core/album.js';
import { isAppError } from '../../src/core/errors.js';
import { facePointId, photoKey } from '../../src/core/keys.js';
import type {
  AlbumStatus,
  MetadataStore,
  PersonRecord,
  PhotoRecord,
} from '../../src/ports/metadata-store.js';

export interface MetadataStoreHarness {
  /**
   * A store on this harness's storage: the first call finds it empty; later calls open another store
   * (a new connection or pool) on the same storage, as a second process or a restart would.
   */
  open(): Promise<MetadataStore>;
  /** Closes every store it opened and releases the storage. */
  close(): Promise<void>;
}

const A = 'tg-123456789';
const B = 'tg--1001234567890';
const sha = (n: number): string => n.toString(16).padStart(64, '0');
const ISO_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function photo(
  tenant: string,
  n: number,
  albumId = 'album-1',
  extra: Partial<PhotoRecord> = {},
): PhotoRecord {
  return {
    tenant,
    sha256: sha(n),
    albumId,
    name: `IMG_${String(n).padStart(4, '0')}.jpg`,
    blobKey: photoKey(tenant, sha(n), 'jpg'),
    width: 4032,
    height: 3024,
    takenAt: '2024-07-14T18:03:11+02:00',
    gps: { lat: 48.8584, lon: 2.2945 },
    faceCount: 2,
    ...extra,
  };
}

function centroid(seed: number, dimension = 16): Float32Array {
  const v = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) v[i] = Math.sin(seed * 7.1 + i * 1.3);
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  for (let i = 0; i < dimension; i++) v[i] = v[i]! / norm;
  return v;
}

function person(tenant: string, id: string, extra: Partial<PersonRecord> = {}): PersonRecord {
  return {
    id,
    tenant,
    name: null,
    centroid: centroid(id.length + id.charCodeAt(id.length - 1)),
    faceCount: 3,
    coverFace: facePointId(tenant, sha(1), 0),
    createdAt: '2024-07-14T16:00:00.000Z',
    ...extra,
  };
}

function result(pack: string): AlbumResult {
  return {
    version: 1,
    pack,
    pipelineVersion: 3,
    createdAt: '2024-07-14T18:10:00.000Z',
    photos: [
      {
        path: 'IMG_0001.jpg',
        sha256: sha(1),
        format: 'jpeg',
        width: 4032,
        height: 3024,
        takenAt: '2024-07-14T18:03:11+02:00',
        gps: { lat: 48.8584, lon: 2.2945, alt: 35.5 },
        faces: [
          {
            box: [100, 200, 300, 400],
            landmarks: [
              [1, 2],
              [3, 4],
              [5, 6],
              [7, 8],
              [9, 10],
            ],
            score: 0.987654321,
            quality: 0.5,
            qualityReasons: ['blurry'],
            personId: 'person-1',
          },
        ],
        duplicateOf: null,
      },
    ],
    people: [
      {
        id: 'person-1',
        name: 'Zoë «Ω» 😀',
        photos: ['IMG_0001.jpg'],
        faceCount: 1,
        representative: { photo: 'IMG_0001.jpg', faceIndex: 0, box: [100, 200, 300, 400] },
      },
    ],
    failures: [{ path: 'bad.jpg', code: 'CORRUPT_IMAGE', message: 'cannot decode' }],
  };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(isAppError(error) ? error.code : error).toBe(code);
}

export function describeMetadataStoreContract(
  name: string,
  factory: () => Promise<MetadataStoreHarness>,
  options: { skip?: string } = {},
): void {
  const title = options.skip === undefined ? name : `${name} (skipped: ${options.skip})`;
  describe.skipIf(options.skip !== undefined)(title, () => {
    const withStore =
      (fn: (store: MetadataStore, harness: MetadataStoreHarness) => Promise<void>) => async () => {
        const harness = await factory();
        try {
          const store = await harness.open();
          await store.migrate();
          await fn(store, harness);
        } finally {
          await harness.close();
        }
      };

    it(
      'migrates twice harmlessly, and two stores migrating at once both end up working',
      withStore(async (store, harness) => {
        await store.createAlbum({ tenant: A, id: 'album-1', photoCount: 1 });
        await store.migrate();
        await store.migrate();
        expect((await store.getAlbum(A, 'album-1'))?.photoCount).toBe(1);

        // A fresh storage, migrated by two stores at the same moment.
        const fresh = await factory();
        try {
          const [one, two] = [await fresh.open(), await fresh.open()];
          await Promise.all([one.migrate(), two.migrate(), one.migrate()]);
          await one.createAlbum({ tenant: A, id: 'album-2', photoCount: 2 });
          expect((await two.getAlbum(A, 'album-2'))?.photoCount).toBe(2);
        } finally {
          await fresh.close();
        }
        expect((await (await harness.open()).getAlbum(A, 'album-1'))?.photoCount).toBe(1);
      }),
    );

    it(
      'creates an album once: a second create returns the existing record unchanged',
      withStore(async (store) => {
        const created = await store.createAlbum({ tenant: A, id: 'album-1', photoCount: 12 });
        expect(created).toMatchObject({
          id: 'album-1',
          tenant: A,
          status: 'queued',
          photoCount: 12,
          processedCount: 0,
          finishedAt: null,
          result: null,
        });
        expect(created.createdAt).toMatch(ISO_RE);
        const again = await store.createAlbum({ tenant: A, id: 'album-1', photoCount: 99 });
        expect(again).toEqual(created);
        expect(await store.getAlbum(A, 'album-1')).toEqual(created);
        expect(await store.getAlbum(A, 'album-2')).toBeNull();
        await expectCode(store.createAlbum({ tenant: A, id: 'a/b', photoCount: 1 }), 'BAD_ARGUMENTS');
        await expectCode(store.createAlbum({ tenant: A, id: 'album-3', photoCount: -1 }), 'BAD_ARGUMENTS');
        await expectCode(store.createAlbum({ tenant: 'A B', id: 'album-3', photoCount: 1 }), 'BAD_ARGUMENTS');
      }),
    );

    it(
      'counts each processed photo once however often its job runs, also when runs overlap',
      withStore(async (store) => {
        await store.createAlbum({ tenant: A, id: 'album-1', photoCount: 12 });
        expect(await store.markPhotoProcessed(A, 'album-1', sha(1))).toBe(1);
        expect(await store.markPhotoProcessed(A, 'album-1', sha(1))).toBe(1);
        expect(await store.markPhotoProcessed(A, 'album-1', sha(2))).toBe(2);
        // Ten overlapping calls for five photos, two of which were already counted.
        const counts = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.markPhotoProcessed(A, 'album-1', sha(1 + (i % 5)))),
        );
        for (const n of counts) expect(n).toBeLessThanOrEqual(5);
        expect((await store.getAlbum(A, 'album-1'))?.processedCount).toBe(5);
        expect(await store.markPhotoProcessed(A, 'album-1', sha(5))).toBe(5);

        await expectCode(store.markPhotoProcessed(A, 'no-such-album', sha(1)), 'BAD_ARGUMENTS');
        await expectCode(store.markPhotoProcessed(A, 'album-1', 'not-a-hash'), 'BAD_ARGUMENTS');
        expect((await store.getAlbum(A, 'album-1'))?.processedCount).toBe(5);
      }),
    );

    it(
      'moves an album through its statuses, keeps the result and refuses unknown statuses and moves',
      withStore(async (store) => {
        await store.createAlbum({ tenant: A, id: 'album-1', photoCount: 1 });
        await expectCode(store.setAlbumStatus(A, 'album-1', 'done'), 'BAD_ARGUMENTS');
        await expectCode(store.setAlbumStatus(A, 'album-1', 'finished' as AlbumStatus), 'BAD_ARGUMENTS');
        await expectCode(store.setAlbumStatus(A, 'no-such-album', 'processing'), 'BAD_ARGUMENTS');

        await store.setAlbumStatus(A, 'album-1', 'processing');
        await store.setAlbumStatus(A, 'album-1', 'processing');
        let album = await store.getAlbum(A, 'album-1');
        expect(album).toMatchObject({ status: 'processing', finishedAt: null, result: null });

        const first = result('local');
        await store.setAlbumStatus(A, 'album-1', 'done', first);
        album = await store.getAlbum(A, 'album-1');
        expect(album?.status).toBe('done');
        expect(album?.finishedAt).toMatch(ISO_RE);
        expect(album?.result).toEqual(first);
        // A repeated final status (a retried job) changes nothing; done cannot turn into failed.
        await store.setAlbumStatus(A, 'album-1', 'done');
        expect(await store.getAlbum(A, 'album-1')).toEqual(album);
        await expectCode(store.setAlbumStatus(A, 'album-1', 'failed'), 'BAD_ARGUMENTS');

        // Grouping again: the old result stays until the new one replaces it.
        await store.setAlbumStatus(A, 'album-1', 'processing');
        album = await store.getAlbum(A, 'album-1');
        expect(album).toMatchObject({ status: 'processing', finishedAt: null, result: first });
        const second = result('arcface');
        await store.setAlbumStatus(A, 'album-1', 'done', second);
        expect((await store.getAlbum(A, 'album-1'))?.result).toEqual(second);

        await store.createAlbum({ tenant: A, id: 'album-2', photoCount: 1 });
        await store.setAlbumStatus(A, 'album-2', 'failed');
        expect((await store.getAlbum(A, 'album-2'))?.finishedAt).toMatch(ISO_RE);
        await store.setAlbumStatus(A, 'album-2', 'queued');
        expect(await store.getAlbum(A, 'album-2')).toMatchObject({ status: 'queued', finishedAt: null });
      }),
    );

    it(
      'lists a tenant’s albums newest first, with a limit',
      withStore(async (store) => {
        for (const id of ['album-1', 'album-2', 'album-3']) {
          await store.createAlbum({ tenant: A, id, photoCount: 1 });
        }
        await store.createAlbum({ tenant: B, id: 'album-9', photoCount: 1 });
        expect((await store.listAlbums(A)).map((a) => a.id)).toEqual(['album-3', 'album-2', 'album-1']);
        expect((await store.listAlbums(A, { limit: 2 })).map((a) => a.id)).toEqual(['album-3', 'album-2']);
        expect((await store.listAlbums(B)).map((a) => a.id)).toEqual(['album-9']);
        expect(await store.listAlbums('tg-555')).toEqual([]);
        await expectCode(store.listAlbums(A, { limit: 0 }), 'BAD_ARGUMENTS');
      }),
    );

    it(
      'upserts photos idempotently per (tenant, sha256, album) and keeps their fields exactly',
      withStore(async (store) => {
        await store.createAlbum({ tenant: A, id: 'album-1', photoCount: 3 });
        const p1 = photo(A, 1);
        const p2 = photo(A, 2, 'album-1', {
          gps: { lat: -33.8568, lon: 151.2153, alt: 12.25 },
          takenAt: null,
        });
        const p3 = photo(A, 3, 'album-1', { gps: null, name: '1042', faceCount: 0 });
        await store.upsertPhoto(p1);
        await store.upsertPhoto(p2);
        await store.upsertPhoto(p3);
        await store.upsertPhoto(p1);
        expect(await store.listPhotos(A, 'album-1')).toEqual([p1, p2, p3]);

        // A retried job with a new face count overwrites the row, not adds one.
        const p1b = { ...p1, faceCount: 5 };
        await store.upsertPhoto(p1b);
        expect(await store.listPhotos(A, 'album-1')).toEqual([p1b, p2, p3]);
        expect(await store.getPhoto(A, sha(1))).toEqual(p1b);
        expect(await store.getPhoto(A, sha(2))).toEqual(p2);
        expect(await store.getPhoto(A, sha(4))).toBeNull();

        // The same bytes in a second album are a second row; getPhoto still finds the first.
        await store.upsertPhoto({ ...p1b, albumId: 'album-2', name: 'again.jpg' });
        expect(await store.listPhotos(A, 'album-2')).toHaveLength(1);
        expect(await store.listPhotos(A, 'album-1')).toHaveLength(3);
        expect(await store.getPhoto(A, sha(1))).toEqual(p1b);

        await expectCode(store.upsertPhoto({ ...p1, sha256: 'abc' }), 'BAD_ARGUMENTS');
        await expectCode(store.upsertPhoto({ ...p1, width: 1.5 }), 'BAD_ARGUMENTS');
        await expectCode(store.upsertPhoto({ ...p1, gps: { lat: 91, lon: 0 } }), 'BAD_ARGUMENTS');
        // A photo row may not point at another chat's blob.
        await expectCode(store.upsertPhoto({ ...p1, blobKey: photoKey(B, sha(1), 'jpg') }), 'BAD_ARGUMENTS');
      }),
    );

    it(
      'records a failure once per (tenant, album, name), keeping the latest reason',
      withStore(async (store) => {
        await store.createAlbum({ tenant: A, id: 'album-1', photoCount: 2 });
        const bad = { path: 'bad.jpg', code: 'CORRUPT_IMAGE', message: 'cannot decode' };
        const empty = { path: 'empty.heic', code: 'EMPTY_FILE', message: '' };
        await store.recordFailure(A, 'album-1', bad);
        await store.recordFailure(A, 'album-1', empty);
        await store.recordFailure(A, 'album-1', bad);
        expect(await store.listFailures(A, 'album-1')).toEqual([bad, empty]);
        const retried = { ...bad, code: 'IO_ERROR', message: 'disk full' };
        await store.recordFailure(A, 'album-1', retried);
        expect(await store.listFailures(A, 'album-1')).toEqual([retried, empty]);
        expect(await store.listFailures(A, 'album-2')).toEqual([]);
        await expectCode(store.recordFailure(A, 'album-1', { ...bad, path: '' }), 'BAD_ARGUMENTS');
      }),
    );

    it(
      'saves people bit-exactly, and a later save with a null name keeps the name',
      withStore(async (store) => {
        const ana = person(A, 'p-ana', { faceCount: 7 });
        const bob = person(A, 'p-bob', { centroid: null, coverFace: null, faceCount: 0 });
        await store.savePerson(ana);
        await store.savePerson(bob);
        const got = await store.getPerson(A, 'p-ana');
        // The store adds the handle (in order of first save) and the hidden flag.
        expect(got).toEqual({ ...ana, handle: 1, hidden: false });
        expect(got?.centroid).toBeInstanceOf(Float32Array);
        expect(Buffer.from(got!.centroid!.buffer)).toEqual(Buffer.from(ana.centroid!.buffer));
        expect(await store.getPerson(A, 'p-bob')).toEqual({ ...bob, handle: 2, hidden: false });
        expect(await store.getPerson(A, 'p-nobody')).toBeNull();
        // Most faces first.
        expect((await store.listPeople(A)).map((p) => p.id)).toEqual(['p-ana', 'p-bob']);
        // Templates alone: only people with one, of this chat only.
        const templates = await store.personTemplates(A);
        expect(templates.map((t) => t.id)).toEqual(['p-ana']);
        expect(Buffer.from(templates[0]!.centroid.buffer)).toEqual(Buffer.from(ana.centroid!.buffer));
        expect(await store.personTemplates(B)).toEqual([]);

        await store.namePerson(A, 'p-ana', 'Ana María');
        const moved = { ...ana, name: null, centroid: centroid(99), faceCount: 8 };
        await store.savePerson(moved);
        expect(await store.getPerson(A, 'p-ana')).toEqual({
          ...moved,
          name: 'Ana María',
          handle: 1,
          hidden: false,
        });
        // A save with a name replaces it; namePerson(null) clears it.
        await store.savePerson({ ...moved, name: 'Ana' });
        expect((await store.getPerson(A, 'p-ana'))?.name).toBe('Ana');
        await store.namePerson(A, 'p-ana', null);
        expect((await store.getPerson(A, 'p-ana'))?.name).toBeNull();

        await expectCode(store.namePerson(A, 'p-nobody', 'X'), 'BAD_ARGUMENTS');
        await expectCode(store.namePerson(A, 'p-ana', '   '), 'BAD_ARGUMENTS');
        await expectCode(store.savePerson({ ...ana, createdAt: 'yesterday' }), 'BAD_ARGUMENTS');
        await expectCode(store.savePerson({ ...ana, id: 'a b' }), 'BAD_ARGUMENTS');
      }),
    );

    it(
      'gives each person one handle for life, never twice in a chat, and keeps hidden and merge undo',
      withStore(async (store) => {
        for (const id of ['a', 'b', 'c']) await store.savePerson(person(A, id));
        await store.savePerson(person(B, 'z'));
        const handles = async () =>
          Object.fromEntries((await store.listPeople(A)).map((p) => [p.id, p.handle]));
        expect(await handles()).toEqual({ a: 1, b: 2, c: 3 });
        expect((await store.getPerson(B, 'z'))?.handle).toBe(1); // numbered per chat
        // Saved again (a new album brought more faces): same handle.
        await store.savePerson(person(A, 'b', { faceCount: 40 }));
        // Merged and deleted people keep theirs: a new person never gets an old number.
        const undo = { faces: [facePointId(A, sha(1), 0)], intoName: null, fromName: 'Bea' };
        await store.mergePeople(A, 'b', 'a', undo);
        await store.deletePerson(A, 'c');
        await store.savePerson(person(A, 'd'));
        expect(await handles()).toEqual({ a: 1, d: 4 });
        expect(await store.personByHandle(A, 2)).toBe('b');
        expect(await store.resolvePerson(A, 'b')).toBe('a');
        expect(await store.personByHandle(A, 3)).toBe('c');
        expect(await store.personByHandle(A, 99)).toBeNull();
        expect(await store.personByHandle(B, 4)).toBeNull();
        await expectCode(store.personByHandle(A, 0), 'BAD_ARGUMENTS');

        expect(await store.getMerge(A, 'b')).toEqual({ into: 'a', undo });
        expect(await store.getMerge(A, 'a')).toBeNull();
        // Undo: the merge row goes, the person is saved again and has its old handle back.
        await store.dropMerge(A, 'b');
        await store.savePerson(person(A, 'b'));
        expect(await handles()).toEqual({ a: 1, b: 2, d: 4 });
        expect(await store.resolvePerson(A, 'b')).toBe('b');

        // A chosen cover survives the next save, which brings another "best" face.
        const chosen = facePointId(A, sha(2), 0);
        await store.chooseCover(A, 'd', chosen);
        await store.savePerson(person(A, 'd', { faceCount: 9 }));
        expect((await store.getPerson(A, 'd'))?.coverFace).toBe(chosen);
        await expectCode(store.chooseCover(A, 'nobody', chosen), 'BAD_ARGUMENTS');

        await store.setHidden(A, 'd', true);
        expect((await store.getPerson(A, 'd'))?.hidden).toBe(true);
        // A later save (the next album) keeps the person hidden.
        await store.savePerson(person(A, 'd', { faceCount: 3 }));
        expect((await store.getPerson(A, 'd'))?.hidden).toBe(true);
        await store.setHidden(A, 'd', false);
        expect((await store.getPerson(A, 'd'))?.hidden).toBe(false);
        await expectCode(store.setHidden(A, 'nobody', true), 'BAD_ARGUMENTS');

        await store.forgetTenant(A);
        expect(await store.personByHandle(A, 1)).toBeNull();
        expect(await store.personByHandle(B, 1)).toBe('z');
      }),
    );

    it(
      'merges people: old ids follow chains, merges into deleted people are refused, retries are harmless',
      withStore(async (store) => {
        for (const id of ['a', 'b', 'c', 'd']) await store.savePerson(person(A, id));
        await store.mergePeople(A, 'a', 'b');
        await store.mergePeople(A, 'b', 'c');
        expect(await store.resolvePerson(A, 'a')).toBe('c');
        expect(await store.resolvePerson(A, 'b')).toBe('c');
        expect(await store.resolvePerson(A, 'c')).toBe('c');
        expect(await store.resolvePerson(A, 'zzz')).toBeNull();
        expect(await store.getPerson(A, 'a')).toBeNull();
        expect((await store.listPeople(A)).map((p) => p.id).sort()).toEqual(['c', 'd']);

        // A retried merge, or one given under an old id, changes nothing.
        await store.mergePeople(A, 'a', 'b');
        await store.mergePeople(A, 'a', 'c');
        expect((await store.listPeople(A)).map((p) => p.id).sort()).toEqual(['c', 'd']);
        // Into an old id means into the person it resolves to.
        await store.mergePeople(A, 'd', 'a');
        expect(await store.resolvePerson(A, 'd')).toBe('c');

        await store.savePerson(person(A, 'e'));
        await store.deletePerson(A, 'c');
        for (const id of ['a', 'b', 'c', 'd']) expect(await store.resolvePerson(A, id)).toBeNull();
        await expectCode(store.mergePeople(A, 'e', 'c'), 'BAD_ARGUMENTS');
        await expectCode(store.mergePeople(A, 'e', 'a'), 'BAD_ARGUMENTS');
        await expectCode(store.mergePeople(A, 'zzz', 'e'), 'BAD_ARGUMENTS');
        expect(await store.getPerson(A, 'e')).not.toBeNull();
      }),
    );

    it(
      'keeps cannot-links idempotent, carries them through a merge and drops them with the person',
      withStore(async (store) => {
        const f1 = facePointId(A, sha(1), 0);
        const f2 = facePointId(A, sha(2), 1);
        for (const id of ['a', 'b', 'c']) await store.savePerson(person(A, id));
        await store.addCannotLink(A, f1, 'a');
        await store.addCannotLink(A, f1, 'a');
        await store.addCannotLink(A, f2, 'b');
        const sorted = (links: Array<{ faceId: string; personId: string }>) =>
          [...links].sort((x, y) => `${x.faceId}${x.personId}`.localeCompare(`${y.faceId}${y.personId}`));
        expect(sorted(await store.listCannotLinks(A))).toEqual(
          sorted([
            { faceId: f1, personId: 'a' },
            { faceId: f2, personId: 'b' },
          ]),
        );
        // a and b are one person: neither face may join b any more.
        await store.mergePeople(A, 'a', 'b');
        expect(sorted(await store.listCannotLinks(A))).toEqual(
          sorted([
            { faceId: f1, personId: 'b' },
            { faceId: f2, personId: 'b' },
          ]),
        );
        // A link given under the old id binds the person it means now.
        await store.addCannotLink(A, f2, 'a');
        expect(await store.listCannotLinks(A)).toHaveLength(2);
        await store.addCannotLink(A, f1, 'c');
        await store.deletePerson(A, 'b');
        expect(await store.listCannotLinks(A)).toEqual([{ faceId: f1, personId: 'c' }]);
        await expectCode(store.addCannotLink(A, 'face id', 'c'), 'BAD_ARGUMENTS');
      }),
    );

    it(
      'never mixes two tenants that use the same ids, on any read or write',
      withStore(async (store) => {
        const face = facePointId(A, sha(1), 0);
        for (const tenant of [A, B]) {
          await store.createAlbum({ tenant, id: 'album-1', photoCount: tenant === A ? 2 : 3 });
          await store.upsertPhoto(photo(tenant, 1, 'album-1', { faceCount: tenant === A ? 1 : 4 }));
          await store.recordFailure(tenant, 'album-1', { path: 'x.jpg', code: tenant, message: '' });
          await store.savePerson(person(tenant, 'p1', { faceCount: tenant === A ? 1 : 2 }));
          await store.savePerson(person(tenant, 'p2'));
        }
        await store.markPhotoProcessed(A, 'album-1', sha(1));
        await store.setAlbumStatus(A, 'album-1', 'processing');
        await store.namePerson(A, 'p1', 'Only in A');
        await store.mergePeople(A, 'p2', 'p1');
        await store.addCannotLink(A, face, 'p1');

        expect(await store.getAlbum(B, 'album-1')).toMatchObject({
          tenant: B,
          photoCount: 3,
          processedCount: 0,
          status: 'queued',
        });
        expect((await store.listAlbums(B)).map((a) => [a.tenant, a.photoCount])).toEqual([[B, 3]]);
        expect(await store.listPhotos(B, 'album-1')).toEqual([photo(B, 1, 'album-1', { faceCount: 4 })]);
        expect((await store.getPhoto(B, sha(1)))?.faceCount).toBe(4);
        expect(await store.listFailures(B, 'album-1')).toEqual([{ path: 'x.jpg', code: B, message: '' }]);
        expect(await store.getPerson(B, 'p1')).toMatchObject({ tenant: B, name: null, faceCount: 2 });
        expect(await store.resolvePerson(B, 'p2')).toBe('p2');
        expect((await store.listPeople(B)).map((p) => p.id).sort()).toEqual(['p1', 'p2']);
        expect(await store.listCannotLinks(B)).toEqual([]);
        // B's progress counts on its own; A's photo is not B's.
        expect(await store.markPhotoProcessed(B, 'album-1', sha(1))).toBe(1);
        expect((await store.getAlbum(A, 'album-1'))?.processedCount).toBe(1);

        // And the other way: B's writes leave A alone.
        await store.deletePerson(B, 'p1');
        expect((await store.getPerson(A, 'p1'))?.name).toBe('Only in A');
        expect(await store.listCannotLinks(A)).toEqual([{ faceId: face, personId: 'p1' }]);
        await expectCode(store.mergePeople(B, 'p2', 'p1'), 'BAD_ARGUMENTS');
        expect(await store.resolvePerson(A, 'p2')).toBe('p1');
        // An album id that only other chats use is unknown here.
        await expectCode(store.markPhotoProcessed('tg-777', 'album-1', sha(2)), 'BAD_ARGUMENTS');
      }),
    );

    it(
      'forgets a tenant completely and leaves every other tenant whole',
      withStore(async (store) => {
        const fill = async (tenant: string): Promise<void> => {
          await store.createAlbum({ tenant, id: 'album-1', photoCount: 1 });
          await store.upsertPhoto(photo(tenant, 1));
          await store.markPhotoProcessed(tenant, 'album-1', sha(1));
          await store.recordFailure(tenant, 'album-1', { path: 'x.jpg', code: 'EMPTY_FILE', message: '' });
          await store.savePerson(person(tenant, 'p1'));
          await store.savePerson(person(tenant, 'p2'));
          await store.mergePeople(tenant, 'p2', 'p1');
          await store.addCannotLink(tenant, facePointId(tenant, sha(1), 0), 'p1');
        };
        const snapshot = async (tenant: string) => ({
          albums: await store.listAlbums(tenant),
          photos: await store.listPhotos(tenant, 'album-1'),
          photo: await store.getPhoto(tenant, sha(1)),
          failures: await store.listFailures(tenant, 'album-1'),
          people: await store.listPeople(tenant),
          merged: await store.resolvePerson(tenant, 'p2'),
          links: await store.listCannotLinks(tenant),
        });
        await fill(A);
        await fill(B);
        const before = await snapshot(B);
        expect(before.albums[0]?.processedCount).toBe(1);

        await store.forgetTenant(A);
        expect(await snapshot(A)).toEqual({
          albums: [],
          photos: [],
          photo: null,
          failures: [],
          people: [],
          merged: null,
          links: [],
        });
        expect(await snapshot(B)).toEqual(before);

        // A chat that comes back starts from nothing: its old progress is gone too.
        await store.createAlbum({ tenant: A, id: 'album-1', photoCount: 1 });
        expect(await store.markPhotoProcessed(A, 'album-1', sha(1))).toBe(1);
        await store.forgetTenant('tg-404');
        await expectCode(store.forgetTenant(''), 'BAD_ARGUMENTS');
      }),
    );

    it(
      'keeps everything across close and reopen',
      withStore(async (store, harness) => {
        await store.createAlbum({ tenant: A, id: 'album-1', photoCount: 2 });
        await store.upsertPhoto(photo(A, 1));
        await store.markPhotoProcessed(A, 'album-1', sha(1));
        await store.setAlbumStatus(A, 'album-1', 'processing');
        await store.setAlbumStatus(A, 'album-1', 'done', result('local'));
        await store.recordFailure(A, 'album-1', { path: 'x.jpg', code: 'EMPTY_FILE', message: 'empty' });
        await store.savePerson(person(A, 'p1', { name: 'Ana' }));
        await store.savePerson(person(A, 'p2'));
        await store.mergePeople(A, 'p2', 'p1');
        await store.addCannotLink(A, facePointId(A, sha(1), 0), 'p1');
        const album = await store.getAlbum(A, 'album-1');
        const people = await store.listPeople(A);
        await store.close();

        const reopened = await harness.open();
        await reopened.migrate();
        expect(await reopened.getAlbum(A, 'album-1')).toEqual(album);
        expect(await reopened.listPhotos(A, 'album-1')).toEqual([photo(A, 1)]);
        expect(await reopened.listFailures(A, 'album-1')).toHaveLength(1);
        expect(await reopened.listPeople(A)).toEqual(people);
        expect(await reopened.resolvePerson(A, 'p2')).toBe('p1');
        expect(await reopened.listCannotLinks(A)).toHaveLength(1);
        // The same photo again after a restart still counts once.
        expect(await reopened.markPhotoProcessed(A, 'album-1', sha(1))).toBe(1);
      }),
    );

    it(
      'refuses invalid tenants on every call before touching storage',
      withStore(async (store) => {
        const bad = '../tg-1';
        const calls: Array<Promise<unknown>> = [
          store.getAlbum(bad, 'album-1'),
          store.setAlbumStatus(bad, 'album-1', 'processing'),
          store.markPhotoProcessed(bad, 'album-1', sha(1)),
          store.listAlbums(bad),
          store.upsertPhoto({ ...photo(A, 1), tenant: bad }),
          store.listPhotos(bad, 'album-1'),
          store.getPhoto(bad, sha(1)),
          store.recordFailure(bad, 'album-1', { path: 'x', code: 'X', message: '' }),
          store.listFailures(bad, 'album-1'),
          store.listPeople(bad),
          store.getPerson(bad, 'p1'),
          store.savePerson({ ...person(A, 'p1'), tenant: bad }),
          store.namePerson(bad, 'p1', 'x'),
          store.mergePeople(bad, 'p1', 'p2'),
          store.resolvePerson(bad, 'p1'),
          store.deletePerson(bad, 'p1'),
          store.addCannotLink(bad, facePointId(A, sha(1), 0), 'p1'),
          store.listCannotLinks(bad),
          store.forgetTenant(bad),
        ];
        for (const call of calls) await expectCode(call, 'BAD_ARGUMENTS');
      }),
    );
  });
}
