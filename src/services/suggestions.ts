/**
 * "Is this Anna?" after an album: the album's unnamed people (those "Who is #7?" would ask about) scored
 * against the chat's named people with the search decision (pipeline/identify.ts, the pack's
 * `thresholds.search`). Where a named person comes close but the grouping kept them apart, the chat is
 * asked instead of told: Yes merges (with Undo), No is kept as "not this person" links so the pair is
 * never asked again and the grouping never joins them later.
 */
import { peopleToAsk } from '../chat/who-is-this.js';
import type { AlbumResult } from '../core/album.js';
import { faceKey } from '../core/keys.js';
import { identify, type KnownPerson } from '../pipeline/identify.js';
import type { ServiceDeps } from './deps.js';
import { CANDIDATE_SLACK, type FaceWithVector, facesOfPerson, nearPeople } from './near-people.js';

/** One question: is the album's unnamed person the named one? */
export interface Suggestion {
  /** The album's unnamed person. */
  readonly personId: string;
  /** The named person they may be. */
  readonly candidateId: string;
  readonly candidateName: string;
  /** The candidate's score for the unnamed person's best face (identify.ts personScore). */
  readonly score: number;
  /** Crop of the unnamed person's best face in the album. */
  readonly faceKey: string;
  /** Crop of the candidate's cover face; null when none is stored. */
  readonly candidateFaceKey: string | null;
}

/**
 * Questions after one album: each is a message with two faces and two buttons, and a chat that gets more
 * than a few after every album stops answering them.
 */
export const MAX_SUGGESTIONS = 3;

/**
 * The album's questions, best score first. The unnamed person's best face in the album stands for them,
 * as a selfie does in /find: the search thresholds were calibrated for one face against people.
 *
 * Both "unsure" and "sure" answers are asked about, "none" never. A "sure" one is rare here (the
 * grouping joins a face to a person from cosine `cluster`, under `sure`), but it happens where the
 * grouping's average over all of a person's faces stays under its bar while the best three faces pass
 * `sure`: a near-miss. It is still a question, not a merge: joining two people changes the chat for
 * everyone, so a member who may merge decides.
 */
export async function albumSuggestions(
  deps: ServiceDeps,
  tenant: string,
  result: AlbumResult,
  max = MAX_SUGGESTIONS,
): Promise<Suggestion[]> {
  const asked = peopleToAsk(result);
  if (asked.length === 0) return [];
  const records = await deps.metadata.listPeople(tenant);
  // Hidden people were put away by an admin: they are not offered as anyone's name.
  const named = records.filter((r) => r.name !== null && !(r.hidden ?? false));
  if (named.length === 0) return [];
  const isNamed = new Set(named.map((n) => n.id));
  const templates = await deps.metadata.personTemplates(tenant);
  const ruledOut = await ruledOutPairs(deps, tenant);
  const shaOf = new Map(result.photos.map((p) => [p.path, p.sha256]));
  // Faces read per person, once: the chat's other faces are never read (near-people.ts).
  const facesRead = new Map<string, FaceWithVector[]>();
  const facesOf = async (person: string) => {
    let faces = facesRead.get(person);
    if (!faces) {
      faces = await facesOfPerson(deps.index, tenant, person);
      facesRead.set(person, faces);
    }
    return faces;
  };
  const t = deps.pack.thresholds.search;

  const out: Suggestion[] = [];
  for (const albumId of asked) {
    // The album's person may have been named or merged since the album was grouped; a hidden one was
    // put away by an admin (a stranger in the background) and is not asked about.
    const id = await deps.metadata.resolvePerson(tenant, albumId);
    const record = id === null ? undefined : records.find((r) => r.id === id);
    if (id === null || !record || record.name !== null || (record.hidden ?? false)) continue;
    const own = await facesOf(id);
    const rep = result.people.find((p) => p.id === albumId)?.representative;
    const repSha = rep ? shaOf.get(rep.photo) : undefined;
    const face =
      own.find((f) => f.payload.photo === repSha && f.payload.faceIndex === rep?.faceIndex) ?? best(own);
    if (!face) continue;
    const ownPhotos = new Set(own.map((f) => f.payload.photo));
    const no = new Set(own.flatMap((f) => ruledOut.get(f.id) ?? []));
    const near = await nearPeople(deps.index, tenant, face.vector, templates, {
      floor: t.unsure - CANDIDATE_SLACK,
      pack: deps.pack.name,
      keep: (n) => n !== id && isNamed.has(n) && !no.has(n),
    });
    const people: KnownPerson[] = [];
    for (const n of [...near].sort()) {
      const faces = await facesOf(n);
      // Two faces of one photo are two people: someone standing next to Anna is not Anna.
      if (faces.some((f) => ownPhotos.has(f.payload.photo))) continue;
      people.push({ id: n, vectors: faces.map((f) => f.vector) });
    }
    const decision = identify(face.vector, people, t);
    if (decision.kind === 'none') continue;
    const candidate = named.find((n) => n.id === decision.best.person);
    if (!candidate?.name) continue;
    const cover = (await facesOf(candidate.id)).find((f) => f.id === candidate.coverFace);
    out.push({
      personId: id,
      candidateId: candidate.id,
      candidateName: candidate.name,
      score: decision.best.score,
      faceKey: faceKey(tenant, face.payload.photo, face.payload.faceIndex),
      candidateFaceKey: cover ? faceKey(tenant, cover.payload.photo, cover.payload.faceIndex) : null,
    });
  }
  return out.sort((a, b) => b.score - a.score || a.personId.localeCompare(b.personId)).slice(0, max);
}

/** Face id → the people (as they are now, after merges) that face was said not to be. */
async function ruledOutPairs(deps: ServiceDeps, tenant: string): Promise<Map<string, string[]>> {
  const resolved = new Map<string, string | null>();
  const out = new Map<string, string[]>();
  for (const link of await deps.metadata.listCannotLinks(tenant)) {
    if (!resolved.has(link.personId))
      resolved.set(link.personId, await deps.metadata.resolvePerson(tenant, link.personId));
    const person = resolved.get(link.personId) ?? link.personId;
    out.set(link.faceId, [...(out.get(link.faceId) ?? []), person]);
  }
  return out;
}

function best(faces: readonly FaceWithVector[]): FaceWithVector | undefined {
  return [...faces].sort((a, b) => b.payload.quality - a.payload.quality || a.id.localeCompare(b.id))[0];
}
