/**
 * A chat's people: list, name, merge, and "not this person". Assignments live on the faces in the
 * vector index (payload.person); the person records in the metadata store carry names, counts, the
 * cover face and merge history. Every change here is something the next album's grouping respects:
 * names stay on their person, merged people stay merged, split faces never rejoin.
 *
 * Every change runs under the chat's one lock (the one album grouping and forget take) and writes
 * through fenced ports, so a merge, a split and a grouping of one chat never interleave.
 */
import { AppError, ErrorCode } from '../core/errors.js';
import { faceKey } from '../core/keys.js';
import { clusterFaces } from '../pipeline/cluster.js';
import type { StoredFace } from '../ports/vector-index.js';
import type { ServiceDeps } from './deps.js';
import { fencedDeps } from './fenced-deps.js';
import {
  byPerson,
  existingPeople,
  getFaces,
  personIdFor,
  personOf,
  personRecord,
  tenantFaces,
} from './tenant-faces.js';

export interface PersonSummary {
  readonly id: string;
  readonly name: string | null;
  readonly faceCount: number;
  /** Distinct photos the person appears in. */
  readonly photoCount: number;
  /** Blob key of the cover face crop, for the people list. */
  readonly coverKey: string | null;
}

export interface SplitOutcome {
  /** Where the face went: another person, a new one, or nobody. */
  readonly personId: string | null;
}

/** Names are shown in chats and blog posts: one line, 1..64 characters after trimming. */
const MAX_NAME = 64;

export function createPeopleService(base: ServiceDeps) {
  const now = () => base.now?.() ?? new Date();
  const deps = base;
  // A change reads and writes through the fenced ports `d` while it holds the chat's lock.
  const locked = <T>(tenant: string, fn: (d: ServiceDeps) => Promise<T>): Promise<T> =>
    base.guard.exclusive(tenant, (fence) => fn(fencedDeps(base, fence)));

  async function resolve(d: ServiceDeps, tenant: string, id: string): Promise<string> {
    const current = await d.metadata.resolvePerson(tenant, id);
    if (current === null)
      throw new AppError(ErrorCode.BadArguments, 'no such person', { tenant, person: id });
    return current;
  }

  /** Rewrites a person's record from their faces now; deletes it when no face is left. */
  async function refresh(
    d: ServiceDeps,
    tenant: string,
    id: string,
    faces: readonly StoredFace[],
  ): Promise<void> {
    const previous = await d.metadata.getPerson(tenant, id);
    if (faces.length === 0) {
      await d.metadata.deletePerson(tenant, id);
      return;
    }
    await d.metadata.savePerson(
      personRecord(tenant, id, faces, previous, now(), deps.pack.thresholds.qualityIndex),
    );
  }

  return {
    /** People with at least one face, most faces first. */
    async listPeople(tenant: string): Promise<PersonSummary[]> {
      const groups = byPerson(await tenantFaces(deps, tenant, false));
      const records = await deps.metadata.listPeople(tenant);
      return records
        .filter((r) => groups.has(r.id))
        .map((r) => {
          const faces = groups.get(r.id) ?? [];
          const cover = faces.find((f) => f.id === r.coverFace) ?? faces[0];
          return {
            id: r.id,
            name: r.name,
            faceCount: faces.length,
            photoCount: new Set(faces.map((f) => f.payload.photo)).size,
            coverKey: cover ? faceKey(tenant, cover.payload.photo, cover.payload.faceIndex) : null,
          };
        })
        .sort((a, b) => b.faceCount - a.faceCount || a.id.localeCompare(b.id));
    },

    /** Names a person (null clears the name); an old id of a merged person names the merged one. */
    async namePerson(tenant: string, id: string, name: string | null): Promise<string> {
      const clean = name === null ? null : name.replace(/\s+/g, ' ').trim();
      if (clean !== null && (clean.length === 0 || clean.length > MAX_NAME)) {
        throw new AppError(ErrorCode.BadArguments, `a name has 1..${MAX_NAME} characters`, {
          length: clean.length,
        });
      }
      return locked(tenant, async (d) => {
        const person = await resolve(d, tenant, id);
        await d.metadata.namePerson(tenant, person, clean);
        return person;
      });
    },

    /** Moves every face of `from` to `into`; `from` then resolves to `into`. Returns the kept id. */
    async mergePeople(tenant: string, from: string, into: string): Promise<string> {
      return locked(tenant, async (d) => {
        const source = await resolve(d, tenant, from);
        const target = await resolve(d, tenant, into);
        if (source === target) return target;
        const faces = await tenantFaces(deps, tenant, true);
        const moving = faces.filter((f) => f.payload.person === source);
        const sourceRecord = await d.metadata.getPerson(tenant, source);
        const targetRecord = await d.metadata.getPerson(tenant, target);
        if (moving.length > 0)
          await d.index.setPerson(
            tenant,
            moving.map((f) => f.id),
            target,
          );
        await d.metadata.mergePeople(tenant, source, target);
        const kept = faces.filter((f) => f.payload.person === target || f.payload.person === source);
        await refresh(
          d,
          tenant,
          target,
          kept.map((f) => ({ ...f, payload: { ...f.payload, person: target } })),
        );
        // The user named one of them: the merged person keeps that name.
        if (!targetRecord?.name && sourceRecord?.name)
          await d.metadata.namePerson(tenant, target, sourceRecord.name);
        return target;
      });
    },

    /**
     * "Not this person": the face leaves its person for good (a cannot-link the grouping respects) and
     * is grouped again against everyone else: it joins the person it matches, founds a new one when it
     * is good enough, or belongs to nobody.
     */
    async splitFace(tenant: string, faceId: string): Promise<SplitOutcome> {
      return locked(tenant, async (d) => {
        const [face] = await getFaces(d.index, tenant, [faceId], true);
        if (!face?.vector)
          throw new AppError(ErrorCode.BadArguments, 'no such face', { tenant, face: faceId });
        const from = face.payload.person;
        if (from === null) return { personId: null };
        await d.metadata.addCannotLink(tenant, faceId, from);

        const faces = await tenantFaces(deps, tenant, true);
        const others = faces.filter((f) => f.id !== faceId);
        const existing = existingPeople(
          others,
          (await d.metadata.listCannotLinks(tenant)).filter((c) => c.faceId === faceId),
          d.pack.thresholds.cluster,
        );
        const { assignments } = clusterFaces(
          [
            {
              id: faceId,
              photoId: face.payload.photo,
              embedding: face.vector,
              quality: face.payload.quality,
              indexable: face.payload.quality >= d.pack.thresholds.qualityIndex,
            },
          ],
          { threshold: d.pack.thresholds.cluster },
          existing,
        );
        const group = assignments.get(faceId) ?? null;
        // Salted with the old person: that id may itself derive from this face.
        const target =
          group === null
            ? null
            : group.startsWith('new-')
              ? personIdFor(tenant, `${faceId}/not/${from}`)
              : personOf(group);
        await d.index.setPerson(tenant, [faceId], target);

        const moved = [...others, { ...face, payload: { ...face.payload, person: target } }];
        const groups = byPerson(moved);
        await refresh(d, tenant, from, groups.get(from) ?? []);
        if (target !== null) await refresh(d, tenant, target, groups.get(target) ?? []);
        return { personId: target };
      });
    },
  };
}

export type PeopleService = ReturnType<typeof createPeopleService>;
