/**
 * Faces of a chat by photo: the vector index answers by id, and point ids follow from (tenant, photo,
 * face index) (core/keys.ts), so photos × face counts name every face. Helpers of grouping and people.
 */
import { createHash } from 'node:crypto';

import { facePointId } from '../core/keys.js';
import { clusterFaces, type ExistingPerson } from '../pipeline/cluster.js';
import type { PersonRecord, PhotoRecord } from '../ports/metadata-store.js';
import { MAX_IDS_PER_CALL, type StoredFace, type VectorIndex } from '../ports/vector-index.js';

export function faceIdsOf(tenant: string, photos: readonly PhotoRecord[]): string[] {
  return photos.flatMap((p) =>
    Array.from({ length: p.faceCount }, (_, i) => facePointId(tenant, p.sha256, i)),
  );
}

/** The stored faces among `ids`, in calls the index accepts. */
export async function getFaces(
  index: VectorIndex,
  tenant: string,
  ids: readonly string[],
  withVectors: boolean,
): Promise<StoredFace[]> {
  const out: StoredFace[] = [];
  for (let i = 0; i < ids.length; i += MAX_IDS_PER_CALL) {
    out.push(...(await index.get(tenant, ids.slice(i, i + MAX_IDS_PER_CALL), { withVectors })));
  }
  return out;
}

/** Faces per person id (faces of nobody are left out). */
export function byPerson(faces: readonly StoredFace[]): Map<string, StoredFace[]> {
  const out = new Map<string, StoredFace[]>();
  for (const face of faces) {
    const person = face.payload.person;
    if (person === null) continue;
    const list = out.get(person);
    if (list) list.push(face);
    else out.set(person, [face]);
  }
  return out;
}

/**
 * The id of a person founded by a face: derived, not random, so that a grouping job that runs twice
 * (a retry after a crash) names the same group the same way instead of leaving an orphan.
 */
export function personIdFor(tenant: string, seed: string): string {
  return `p${createHash('sha256').update(`${tenant}\u0000${seed}`).digest('hex').slice(0, 20)}`;
}

/**
 * A person's record from their faces: centroid of the indexable faces (all faces when none is), the
 * best face as cover. Keeps name and creation time of the previous record.
 */
export function personRecord(
  tenant: string,
  id: string,
  faces: readonly StoredFace[],
  previous: PersonRecord | null,
  now: Date,
  qualityIndex: number,
): PersonRecord {
  const good = faces.filter((f) => f.payload.quality >= qualityIndex);
  const basis = good.length > 0 ? good : faces;
  let centroid: Float32Array | null = null;
  const dim = basis.find((f) => f.vector)?.vector?.length ?? 0;
  if (dim > 0) {
    const sum = new Float32Array(dim);
    for (const f of basis) if (f.vector) f.vector.forEach((v, i) => (sum[i] = (sum[i] ?? 0) + v));
    const norm = Math.hypot(...sum);
    if (norm > 0) centroid = sum.map((v) => v / norm);
  }
  const cover = [...faces].sort(
    (a, b) => b.payload.quality - a.payload.quality || a.id.localeCompare(b.id),
  )[0];
  return {
    id,
    tenant,
    name: previous?.name ?? null,
    centroid,
    faceCount: faces.length,
    coverFace: cover?.id ?? null,
    createdAt: previous?.createdAt ?? now.toISOString(),
  };
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

/** Separates a person's look-alike groups inside ExistingPerson ids: `<person>#<k>`. */
const SUBGROUP = '#';

/**
 * The chat's people as clusterFaces' existing people. A person the user merged from two groups (or who
 * changed look) is passed as one entry per group of mutually similar faces, because clusterFaces scores a
 * face by its mean cosine to a person: against the union of two unlike groups that mean falls under the
 * threshold for a face matching either. `personOf` maps an entry's id back to the person.
 */
export function existingPeople(
  faces: readonly StoredFace[],
  cannotLinks: readonly { faceId: string; personId: string }[],
  threshold: number,
): ExistingPerson[] {
  const out: ExistingPerson[] = [];
  for (const [id, list] of byPerson(faces)) {
    const withVectors = list.filter(
      (f): f is StoredFace & { vector: Float32Array } => f.vector !== undefined,
    );
    const { assignments } = clusterFaces(
      withVectors.map((f) => ({
        id: f.id,
        photoId: f.payload.photo,
        embedding: f.vector,
        quality: 1,
        indexable: true,
      })),
      { threshold },
    );
    const groups = new Map<string, typeof withVectors>();
    for (const f of withVectors) {
      const g = assignments.get(f.id) ?? f.id;
      groups.set(g, [...(groups.get(g) ?? []), f]);
    }
    const cannotLink = cannotLinks.filter((c) => c.personId === id).map((c) => c.faceId);
    [...groups.values()].forEach((group, k) => {
      out.push({
        id: `${id}${SUBGROUP}${k}`,
        faces: group.map((f) => ({ embedding: f.vector, photoId: f.payload.photo })),
        cannotLink,
      });
    });
  }
  return out;
}

/** The person of an assignment from clusterFaces: an existing entry's person, or a new group's label. */
export function personOf(group: string): string {
  const at = group.indexOf(SUBGROUP);
  return at < 0 ? group : group.slice(0, at);
}
