/**
 * The album job's use case: once every photo job has finished (or failed for good), group the album's
 * new faces into the chat's people and store the AlbumResult.
 *
 * Grouping is incremental: people the chat already has (with their names, merges and "not this person"
 * links) are the `existing` people of clusterFaces, so a new album extends them instead of renumbering.
 * Only faces nobody holds yet are grouped; a face that already belongs to someone (the photo came in an
 * earlier album, or this job ran before and crashed) stays where it is. Low-quality faces never found a
 * person (clusterFaces attaches them only when clearly close), so strangers in the background do not
 * flood the people list.
 */
import type { AlbumFailure, AlbumPerson, AlbumPhoto, AlbumResult } from '../core/album.js';
import { facePointId } from '../core/keys.js';
import { clusterFaces, type ClusterFace } from '../pipeline/cluster.js';
import { findDuplicates } from '../pipeline/dedup.js';
import { PIPELINE_VERSION } from '../pipeline/version.js';
import type { MetadataStore, PersonRecord } from '../ports/metadata-store.js';
import type { StoredFace } from '../ports/vector-index.js';
import type { Fence } from '../ports/tenant-guard.js';
import type { ServiceDeps } from './deps.js';
import { fencedDeps } from './fenced-deps.js';
import { analysisKey, type StoredPhotoAnalysis } from './index-photo.js';
import { joinableFaces } from './near-people.js';
import {
  byPerson,
  existingPeople,
  faceIdsOf,
  getFaces,
  personIdFor,
  personOf,
  personRecord,
} from './tenant-faces.js';

/** Runs under the chat's lock (see jobs/handlers.ts); every write checks `fence` first. */
export async function groupAlbum(
  unfenced: ServiceDeps,
  tenant: string,
  albumId: string,
  /** Failures the store may not hold yet (photo jobs that died without recording one). */
  extraFailures: readonly AlbumFailure[],
  fence: Fence,
): Promise<AlbumResult | null> {
  const deps = fencedDeps(unfenced, fence);
  // A chat forgotten while its album waited: write nothing back.
  if ((await deps.metadata.getAlbum(tenant, albumId)) === null) return null;
  const now = deps.now?.() ?? new Date();
  const albumPhotos = await deps.metadata.listPhotos(tenant, albumId);
  const albumFaces = await getFaces(deps.index, tenant, faceIdsOf(tenant, albumPhotos), true);
  const fresh = albumFaces.filter((f) => f.payload.person === null);
  const faces = await withNearPeople(deps, tenant, albumFaces, fresh);

  const assigned = await assignPeople(deps, tenant, faces, fresh);
  const updated = faces.map((f) => {
    const person = assigned.get(f.id);
    return person === undefined ? f : { ...f, payload: { ...f.payload, person } };
  });
  const people = await saveTouchedPeople(deps, tenant, updated, new Set(assigned.values()), now);

  const result = await buildResult(deps, tenant, albumId, albumPhotos, updated, people, extraFailures, now);
  await deps.metadata.setAlbumStatus(tenant, albumId, 'done', result);
  return result;
}

/**
 * The album's faces and every face of the people its new faces could join: those near a new face
 * (near-people.ts) and those the album's other faces already belong to. The rest of the chat cannot
 * change the grouping (a person joins only at `cluster` or above) and is not read: in a chat of 100k
 * faces, reading them all took 5.5 s per album and splitting every person into look-alike groups 2 s
 * more (bench/search.ts --group).
 */
async function withNearPeople(
  deps: ServiceDeps,
  tenant: string,
  albumFaces: readonly StoredFace[],
  fresh: readonly StoredFace[],
): Promise<StoredFace[]> {
  const also = albumFaces.flatMap((f) => (f.payload.person === null ? [] : [f.payload.person]));
  const near = await joinableFaces(deps, tenant, fresh, {
    cluster: deps.pack.thresholds.cluster,
    pack: deps.pack.name,
    also,
  });
  const byId = new Map<string, StoredFace>(albumFaces.map((f) => [f.id, f]));
  for (const f of near) byId.set(f.id, f);
  return [...byId.values()];
}

/** Runs clusterFaces over the fresh faces and writes the assignments; returns face id → person. */
async function assignPeople(
  deps: ServiceDeps,
  tenant: string,
  faces: readonly StoredFace[],
  fresh: readonly StoredFace[],
): Promise<Map<string, string>> {
  const freshIds = new Set(fresh.map((f) => f.id));
  const existing = existingPeople(
    faces.filter((f) => !freshIds.has(f.id)),
    await deps.metadata.listCannotLinks(tenant),
    deps.pack.thresholds.cluster,
  );
  const input: ClusterFace[] = fresh.flatMap((f) =>
    f.vector
      ? [
          {
            id: f.id,
            photoId: f.payload.photo,
            embedding: f.vector,
            quality: f.payload.quality,
            indexable: f.payload.quality >= deps.pack.thresholds.qualityIndex,
          },
        ]
      : [],
  );
  const { assignments } = clusterFaces(input, { threshold: deps.pack.thresholds.cluster }, existing);

  // New groups get an id derived from their first face, so a rerun names them the same.
  const newIds = new Map<string, string>();
  const out = new Map<string, string>();
  for (const face of input) {
    const group = assignments.get(face.id) ?? null;
    if (group === null) continue;
    let id = personOf(group);
    if (group.startsWith('new-')) {
      id = newIds.get(group) ?? personIdFor(tenant, face.id);
      newIds.set(group, id);
    }
    out.set(face.id, id);
  }
  const perPerson = new Map<string, string[]>();
  for (const [faceId, person] of out) perPerson.set(person, [...(perPerson.get(person) ?? []), faceId]);
  for (const [person, ids] of perPerson) await deps.index.setPerson(tenant, ids, person);
  return out;
}

/** Saves the records of every person who gained faces; returns all current people by id. */
async function saveTouchedPeople(
  deps: ServiceDeps,
  tenant: string,
  /** Every face of the tenant with its person after this grouping. */
  faces: readonly StoredFace[],
  touched: ReadonlySet<string>,
  now: Date,
): Promise<Map<string, PersonRecord>> {
  const groups = byPerson(faces);
  const records = new Map((await deps.metadata.listPeople(tenant)).map((p) => [p.id, p]));
  for (const id of touched) {
    const record = personRecord(
      tenant,
      id,
      groups.get(id) ?? [],
      records.get(id) ?? null,
      now,
      deps.pack.thresholds.qualityIndex,
    );
    await deps.metadata.savePerson(record);
    records.set(id, record);
  }
  return new Map([...records].filter(([id]) => groups.has(id)).map(([id, r]) => [id, r]));
}

async function buildResult(
  deps: ServiceDeps,
  tenant: string,
  albumId: string,
  albumPhotos: Awaited<ReturnType<MetadataStore['listPhotos']>>,
  faces: readonly StoredFace[],
  people: ReadonlyMap<string, PersonRecord>,
  extraFailures: readonly AlbumFailure[],
  now: Date,
): Promise<AlbumResult> {
  const personOfFace = new Map(faces.map((f) => [f.id, f.payload.person]));
  const analyses: StoredPhotoAnalysis[] = [];
  for (const record of albumPhotos) {
    const bytes = await deps.blobs.get(analysisKey(tenant, albumId, record.sha256));
    if (bytes) analyses.push(JSON.parse(new TextDecoder().decode(bytes)) as StoredPhotoAnalysis);
  }
  analyses.sort((a, b) => a.photo.path.localeCompare(b.photo.path));
  const duplicates = findDuplicates(
    analyses.map((a) => ({ id: a.photo.path, sha256: a.photo.sha256, phash: BigInt(`0x${a.phash}`) })),
  ).duplicateOf;
  const photos: AlbumPhoto[] = analyses.map(({ photo }) => ({
    ...photo,
    duplicateOf: duplicates.get(photo.path) ?? null,
    faces: photo.faces.map((face, i) => ({
      ...face,
      personId: personOfFace.get(facePointId(tenant, photo.sha256, i)) ?? null,
    })),
  }));

  const failures = new Map<string, AlbumFailure>();
  for (const f of [...(await deps.metadata.listFailures(tenant, albumId)), ...extraFailures]) {
    if (!failures.has(f.path)) failures.set(f.path, f);
  }
  return {
    version: 1,
    pack: deps.pack.name,
    pipelineVersion: PIPELINE_VERSION,
    createdAt: now.toISOString(),
    photos,
    people: collectPeople(photos, people),
    failures: [...failures.values()].sort((a, b) => a.path.localeCompare(b.path)),
  };
}

/** The album's people: who appears in which photo, best face first as the representative. */
export function collectPeople(
  photos: readonly AlbumPhoto[],
  records: ReadonlyMap<string, { name: string | null }>,
): AlbumPerson[] {
  const people = new Map<
    string,
    { photos: string[]; faceCount: number; best: AlbumPerson['representative']; q: number }
  >();
  for (const photo of photos) {
    photo.faces.forEach((face, faceIndex) => {
      if (!face.personId) return;
      const person = people.get(face.personId);
      const candidate = { photo: photo.path, faceIndex, box: face.box };
      if (!person) {
        people.set(face.personId, { photos: [photo.path], faceCount: 1, best: candidate, q: face.quality });
        return;
      }
      if (person.photos.at(-1) !== photo.path) person.photos.push(photo.path);
      person.faceCount += 1;
      if (face.quality > person.q) {
        person.best = candidate;
        person.q = face.quality;
      }
    });
  }
  return [...people].map(([id, p]) => ({
    id,
    name: records.get(id)?.name ?? null,
    photos: p.photos,
    faceCount: p.faceCount,
    representative: p.best,
  }));
}
