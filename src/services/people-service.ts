/**
 * A chat's people: list, find by handle or name, name, merge and undo, hide, and "not this person".
 * These are the people rules of every surface (Telegram, Discord, HTTP, CLI); the metadata stores only
 * keep rows. Assignments live on the faces in the
 * vector index (payload.person); the person records in the metadata store carry names, counts, the
 * cover face and merge history. Every change here is something the next album's grouping respects:
 * names stay on their person, merged people stay merged, split faces never rejoin.
 */
import type { AlbumResult } from '../core/album.js';
import { AppError, ErrorCode } from '../core/errors.js';
import { faceKey } from '../core/keys.js';
import { clusterFaces } from '../pipeline/cluster.js';
import type { StoredFace } from '../ports/vector-index.js';
import type { ServiceDeps } from './deps.js';
import { fencedDeps } from './fenced-deps.js';
import { joinableFaces } from './near-people.js';
import { albumSuggestions, type Suggestion } from './suggestions.js';
import { byPerson, existingPeople, getFaces, personIdFor, personOf, personRecord } from './tenant-faces.js';

export interface PersonSummary {
  readonly id: string;
  /** The person's handle in the chat ("#7"), the same for life; 0 only for a record saved before handles. */
  readonly handle: number;
  readonly name: string | null;
  /** Hidden by a member: left out of the people list unless asked for. */
  readonly hidden: boolean;
  readonly faceCount: number;
  /** Distinct photos the person appears in. */
  readonly photoCount: number;
  /** Blob key of the cover face crop, for the people list. */
  readonly coverKey: string | null;
  /** Face point id of the cover face. */
  readonly coverFace: string | null;
}

/** One face of a person, for "not this person". */
export interface PersonFace {
  readonly id: string;
  readonly photo: string;
  readonly faceIndex: number;
  readonly quality: number;
  readonly key: string;
}

/** A photo a person appears in, for "/photos Anna". */
export interface PersonPhoto {
  readonly sha256: string;
  readonly name: string;
  readonly albumId: string;
  readonly blobKey: string;
}

export interface MergeOutcome {
  /** The person kept (the other one now resolves to it). */
  readonly kept: string;
  /** The person merged away, for Undo; null when they were one person already. */
  readonly merged: string | null;
}

export interface SplitOutcome {
  /** Where the face went: another person, a new one, or nobody. */
  readonly personId: string | null;
}

/** The chat's answer to "Is #7 Anna?" (a Suggestion). */
export interface SuggestionAnswer {
  readonly personId: string;
  readonly candidateId: string;
  readonly yes: boolean;
}

export type SuggestionOutcome =
  | { readonly answer: 'merged'; readonly merge: MergeOutcome }
  | { readonly answer: 'kept-apart'; readonly personId: string; readonly candidateId: string };

/** Names are shown in chats and blog posts: one line, 1..64 characters after trimming. */
const MAX_NAME = 64;

export function createPeopleService(deps: ServiceDeps) {
  const now = () => deps.now?.() ?? new Date();
  // A change reads and writes through the fenced ports `d` while it holds the chat's lock (the one album
  // grouping and forget take), so a merge, a split and a grouping of one chat never interleave.
  const locked = <T>(tenant: string, fn: (d: ServiceDeps) => Promise<T>): Promise<T> =>
    deps.guard.exclusive(tenant, (fence) => fn(fencedDeps(deps, fence)));

  async function resolve(tenant: string, id: string, d: ServiceDeps = deps): Promise<string> {
    const current = await d.metadata.resolvePerson(tenant, id);
    if (current === null)
      throw new AppError(ErrorCode.BadArguments, 'no such person', { tenant, person: id });
    return current;
  }

  /** Rewrites a person's record from their faces now; deletes it when no face is left. */
  async function refresh(
    tenant: string,
    id: string,
    faces: readonly StoredFace[],
    d: ServiceDeps = deps,
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
      // Counts from the index and cover faces by id: the chat's faces themselves are never read.
      const counts = new Map((await deps.index.personCounts(tenant)).map((c) => [c.person, c]));
      const records = (await deps.metadata.listPeople(tenant)).filter((r) => counts.has(r.id));
      const covers = new Map<string, StoredFace>();
      const ids = records.flatMap((r) => (r.coverFace ? [r.coverFace] : []));
      for (const f of await getFaces(deps.index, tenant, ids, false)) covers.set(f.id, f);
      const out: PersonSummary[] = [];
      for (const r of records) {
        const stored = r.coverFace ? covers.get(r.coverFace) : undefined;
        // A cover that left the person (moved by "not this person") gives way to any face of theirs.
        const cover =
          stored?.payload.person === r.id ? stored : (await deps.index.list({ tenant, person: r.id }))[0];
        const count = counts.get(r.id);
        out.push({
          id: r.id,
          handle: r.handle ?? 0,
          name: r.name,
          hidden: r.hidden ?? false,
          faceCount: count?.faces ?? 0,
          photoCount: count?.photos ?? 0,
          coverKey: cover ? faceKey(tenant, cover.payload.photo, cover.payload.faceIndex) : null,
          coverFace: cover?.id ?? null,
        });
      }
      return out.sort((a, b) => b.faceCount - a.faceCount || a.handle - b.handle);
    },

    /**
     * The person a member means: a handle ("7" or "#7", followed through merges), a person id, or a
     * name (case and spacing ignored; the person with most faces when two share it). Null when none.
     */
    async findPerson(tenant: string, ref: string): Promise<PersonSummary | null> {
      const text = ref.replace(/\s+/g, ' ').trim();
      if (text === '') return null;
      const people = await this.listPeople(tenant);
      const handle = /^#?(\d{1,9})$/.exec(text);
      let id: string | null = null;
      if (handle) {
        const given = await deps.metadata.personByHandle(tenant, Number(handle[1]));
        id = given === null ? null : await deps.metadata.resolvePerson(tenant, given);
      } else if (/^p[0-9a-f]{20}$/.test(text)) {
        id = await deps.metadata.resolvePerson(tenant, text);
      }
      if (id !== null) return people.find((p) => p.id === id) ?? null;
      const wanted = text.toLocaleLowerCase();
      return people.find((p) => p.name?.toLocaleLowerCase() === wanted) ?? null;
    },

    /**
     * The merge a handle points through ("#4" was merged into "#1"), while Undo can still take it back;
     * null for any other reference.
     */
    async undoableMerge(
      tenant: string,
      ref: string,
    ): Promise<{ from: string; into: string; handle: number } | null> {
      const handle = /^#?(\d{1,9})$/.exec(ref.trim());
      if (!handle) return null;
      const given = await deps.metadata.personByHandle(tenant, Number(handle[1]));
      const merge = given === null ? null : await deps.metadata.getMerge(tenant, given);
      if (given === null || !merge?.undo) return null;
      const into = await deps.metadata.resolvePerson(tenant, given);
      return into === null || into === given ? null : { from: given, into, handle: Number(handle[1]) };
    },

    /** The person's faces, best first, with their crops' keys. */
    async personFaces(tenant: string, id: string): Promise<PersonFace[]> {
      const person = await resolve(tenant, id);
      const faces = await deps.index.list({ tenant, person });
      return faces
        .map((f) => ({
          id: f.id,
          photo: f.payload.photo,
          faceIndex: f.payload.faceIndex,
          quality: f.payload.quality,
          key: faceKey(tenant, f.payload.photo, f.payload.faceIndex),
        }))
        .sort((a, b) => b.quality - a.quality || a.id.localeCompare(b.id));
    },

    /** Makes one of a person's faces their cover (in lists and questions), for good. */
    async chooseCover(tenant: string, faceId: string): Promise<string> {
      return locked(tenant, async (d) => {
        const [face] = await getFaces(d.index, tenant, [faceId], false);
        const person = face?.payload.person ?? null;
        if (person === null)
          throw new AppError(ErrorCode.BadArguments, 'that face belongs to nobody', { tenant, face: faceId });
        await d.metadata.chooseCover(tenant, person, faceId);
        return person;
      });
    },

    /** The blob key of one face's crop; null when the face is unknown. */
    async faceCropKey(tenant: string, faceId: string): Promise<string | null> {
      const [face] = await getFaces(deps.index, tenant, [faceId], false);
      return face ? faceKey(tenant, face.payload.photo, face.payload.faceIndex) : null;
    },

    /** The photos a person appears in, each once (a photo sent twice is the same bytes), oldest first. */
    async photosOf(tenant: string, id: string): Promise<PersonPhoto[]> {
      const person = await resolve(tenant, id);
      const faces = await deps.index.list({ tenant, person });
      const shas = new Set(faces.map((f) => f.payload.photo));
      // Albums in the order the chat sent them, photos by name within one.
      const albumOrder = new Map((await deps.metadata.listAlbums(tenant)).map((a, i) => [a.id, i]));
      const out: PersonPhoto[] = [];
      for (const sha of shas) {
        const photo = await deps.metadata.getPhoto(tenant, sha);
        if (photo)
          out.push({ sha256: sha, name: photo.name, albumId: photo.albumId, blobKey: photo.blobKey });
      }
      const rank = (p: PersonPhoto) => albumOrder.get(p.albumId) ?? Number.MAX_SAFE_INTEGER;
      return out.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    },

    /** Hides a person from the people list (or shows them again); the faces stay and still group. */
    async hidePerson(tenant: string, id: string, hidden: boolean): Promise<string> {
      return locked(tenant, async (d) => {
        const person = await resolve(tenant, id, d);
        await d.metadata.setHidden(tenant, person, hidden);
        return person;
      });
    },

    /** Names a person (null clears the name); an old id of a merged person names the merged one. */
    async namePerson(tenant: string, id: string, name: string | null): Promise<string> {
      return locked(tenant, async (d) => {
        const clean = name === null ? null : name.replace(/\s+/g, ' ').trim();
        if (clean !== null && (clean.length === 0 || clean.length > MAX_NAME)) {
          throw new AppError(ErrorCode.BadArguments, `a name has 1..${MAX_NAME} characters`, {
            length: clean.length,
          });
        }
        const person = await resolve(tenant, id, d);
        await d.metadata.namePerson(tenant, person, clean);
        return person;
      });
    },

    /**
     * Moves every face of `from` to `into`; `from` then resolves to `into`, and `undoMerge(from)` takes
     * it back while nothing else has merged or split them since.
     */
    async mergePeople(tenant: string, from: string, into: string): Promise<MergeOutcome> {
      return locked(tenant, async (d) => {
        const source = await resolve(tenant, from, d);
        const target = await resolve(tenant, into, d);
        if (source === target) return { kept: target, merged: null };
        // Only the two people's faces: a merge never needs the rest of the chat.
        const moving = await d.index.list({ tenant, person: source }, { withVectors: true });
        const staying = await d.index.list({ tenant, person: target }, { withVectors: true });
        const sourceRecord = await d.metadata.getPerson(tenant, source);
        const targetRecord = await d.metadata.getPerson(tenant, target);
        if (moving.length > 0)
          await d.index.setPerson(
            tenant,
            moving.map((f) => f.id),
            target,
          );
        await d.metadata.mergePeople(tenant, source, target, {
          faces: moving.map((f) => f.id),
          intoName: targetRecord?.name ?? null,
          fromName: sourceRecord?.name ?? null,
        });
        await refresh(
          tenant,
          target,
          [...staying, ...moving].map((f) => ({ ...f, payload: { ...f.payload, person: target } })),
          d,
        );
        // The user named one of them: the merged person keeps that name.
        if (!targetRecord?.name && sourceRecord?.name)
          await d.metadata.namePerson(tenant, target, sourceRecord.name);
        return { kept: target, merged: source };
      });
    },

    /**
     * Undo of a merge ("unmerge"): the faces that moved go back to `from`, which gets its record, handle
     * and name again; the kept person gets its own name back. Faces that left the kept person since
     * (a "not this person") stay where they went. Returns the restored person's id.
     */
    async undoMerge(tenant: string, from: string): Promise<string> {
      return locked(tenant, async (d) => {
        const merge = await d.metadata.getMerge(tenant, from);
        if (!merge?.undo)
          throw new AppError(ErrorCode.BadArguments, 'this merge cannot be undone', { tenant, person: from });
        const into = await resolve(tenant, merge.into, d);
        const faces = await d.index.list({ tenant, person: into }, { withVectors: true });
        const back = new Set(merge.undo.faces);
        const returning = faces.filter((f) => back.has(f.id));
        const staying = faces.filter((f) => !back.has(f.id));
        if (returning.length === 0 || staying.length === 0)
          throw new AppError(ErrorCode.BadArguments, 'this merge cannot be undone any more', {
            tenant,
            person: from,
          });
        const intoRecord = await d.metadata.getPerson(tenant, into);
        await d.metadata.dropMerge(tenant, from);
        await d.index.setPerson(
          tenant,
          returning.map((f) => f.id),
          from,
        );
        await d.metadata.savePerson(
          personRecord(
            tenant,
            from,
            returning.map((f) => ({ ...f, payload: { ...f.payload, person: from } })),
            null,
            now(),
            deps.pack.thresholds.qualityIndex,
          ),
        );
        if (merge.undo.fromName !== null) await d.metadata.namePerson(tenant, from, merge.undo.fromName);
        if (intoRecord && intoRecord.name !== merge.undo.intoName)
          await d.metadata.namePerson(tenant, into, merge.undo.intoName);
        await refresh(tenant, into, staying, d);
        return from;
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

        // The face's own person and the people it could join (near-people.ts), not the whole chat.
        const read = await joinableFaces(d, tenant, [face], {
          cluster: deps.pack.thresholds.cluster,
          pack: deps.pack.name,
          also: [from],
        });
        const others = read.filter((f) => f.id !== faceId);
        const existing = existingPeople(
          others,
          (await d.metadata.listCannotLinks(tenant)).filter((c) => c.faceId === faceId),
          deps.pack.thresholds.cluster,
        );
        const { assignments } = clusterFaces(
          [
            {
              id: faceId,
              photoId: face.payload.photo,
              embedding: face.vector,
              quality: face.payload.quality,
              indexable: face.payload.quality >= deps.pack.thresholds.qualityIndex,
            },
          ],
          { threshold: deps.pack.thresholds.cluster },
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
        await refresh(tenant, from, groups.get(from) ?? [], d);
        if (target !== null) await refresh(tenant, target, groups.get(target) ?? [], d);
        return { personId: target };
      });
    },

    /** "Is this Anna?" questions about an album's unnamed people (services/suggestions.ts). */
    suggestions: (tenant: string, result: AlbumResult): Promise<Suggestion[]> =>
      albumSuggestions(deps, tenant, result),

    /**
     * The answer to a suggestion. Yes merges the unnamed person into the named one (Undo as for any
     * merge). No links every face of the person to "not the candidate": the question is never asked
     * again and the grouping never joins them.
     */
    async answerSuggestion(tenant: string, a: SuggestionAnswer): Promise<SuggestionOutcome> {
      if (a.yes)
        return { answer: 'merged', merge: await this.mergePeople(tenant, a.personId, a.candidateId) };
      return locked(tenant, async (d) => {
        const person = await resolve(tenant, a.personId, d);
        const candidate = await resolve(tenant, a.candidateId, d);
        if (person === candidate)
          throw new AppError(ErrorCode.BadArguments, 'they are one person already', {
            tenant,
            person,
          });
        const faces = await d.index.list({ tenant, person });
        for (const f of faces) await d.metadata.addCannotLink(tenant, f.id, candidate);
        return { answer: 'kept-apart' as const, personId: person, candidateId: candidate };
      });
    },
  };
}

export type PeopleService = ReturnType<typeof createPeopleService>;
