/**
 * The chat's people near a face, without reading every face of the chat: the first pass of `/find`, of an
 * album's grouping and of "Is this Anna?". A chat of 100k faces holds about 200 MB of vectors, which took
 * 5.5 s to read (bench/search.ts --group); its nearest faces and its person templates take milliseconds.
 * Each caller then reads the candidates' own faces and decides exactly (identify.ts, cluster.ts), so
 * the first pass only has to keep everyone who could pass the caller's bar.
 */
import { cosine } from '../pipeline/identify.js';
import type { MetadataStore, PersonTemplate } from '../ports/metadata-store.js';
import type { StoredFace, VectorIndex } from '../ports/vector-index.js';

export type FaceWithVector = StoredFace & { readonly vector: Float32Array };

/**
 * First pass, faces: the nearest faces of the chat. Only to find candidate people, so a few are enough,
 * and at most 20 keeps the embedded index on its fast sign-bit scan in big chats
 * (src/adapters/sqlite-vector-index.ts).
 */
export const FIRST_PASS_FACES = 10;
/**
 * First pass, people: the chat's people whose template (PersonRecord.centroid, the mean of their good
 * faces, renewed whenever their faces change) is nearest, at most this many. It finds a person whose faces
 * are spread over many looks, none of them among the nearest faces. (A face's mean cosine to some faces
 * is never above its cosine to their normalised mean: a person whom grouping's mean could accept has a
 * template at least that close, as long as the template is made of the same faces.)
 */
export const FIRST_PASS_PEOPLE = 20;

/**
 * How far under its bar a decision takes candidates. A search needs exact scores down to `unsure -
 * margin` (a runner-up there still narrows the lead); the slack exceeds every pack's margin.
 */
export const CANDIDATE_SLACK = 0.1;

export interface NearPeopleOptions {
  /** The lowest cosine that matters to the caller's decision (its bar minus a slack). */
  readonly floor: number;
  /** The pack whose faces are compared (the index keeps packs apart). */
  readonly pack: string;
  /** Only people this accepts count toward the first pass's limits (e.g. named ones). */
  readonly keep?: (person: string) => boolean;
}

/**
 * People with a face among the nearest to `vector`, and people whose template is near it, both at
 * `floor` or above. `templates` is the chat's (MetadataStore.personTemplates), read once per task.
 */
export async function nearPeople(
  index: VectorIndex,
  tenant: string,
  vector: Float32Array,
  templates: readonly PersonTemplate[],
  opts: NearPeopleOptions,
): Promise<Set<string>> {
  const keep = opts.keep ?? (() => true);
  const ids = new Set<string>();
  const matches = await index.search(tenant, vector, {
    limit: FIRST_PASS_FACES,
    minScore: opts.floor,
    pack: opts.pack,
  });
  for (const m of matches) if (m.payload.person !== null && keep(m.payload.person)) ids.add(m.payload.person);
  const near = templates
    .flatMap((p) =>
      p.centroid.length === vector.length && keep(p.id)
        ? [{ id: p.id, score: cosine(vector, p.centroid) }]
        : [],
    )
    .filter((p) => p.score >= opts.floor)
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
    .slice(0, FIRST_PASS_PEOPLE);
  for (const p of near) ids.add(p.id);
  return ids;
}

/** Every face of `person` with its vector, from the index's person filter. */
export async function facesOfPerson(
  index: VectorIndex,
  tenant: string,
  person: string,
): Promise<FaceWithVector[]> {
  return (await index.list({ tenant, person }, { withVectors: true })).filter(
    (f): f is FaceWithVector => f.vector !== undefined,
  );
}

/**
 * Every face of the people that `faces` could join under the grouping's bar (`cluster`, its own
 * calibration), and of the people in `also`: what clusterFaces needs as existing people for them. The rest
 * of the chat cannot change the grouping (a person joins only at `cluster` or above) and is not read.
 */
export async function joinableFaces(
  deps: { readonly index: VectorIndex; readonly metadata: MetadataStore },
  tenant: string,
  faces: readonly StoredFace[],
  opts: { readonly cluster: number; readonly pack: string; readonly also?: Iterable<string> },
): Promise<FaceWithVector[]> {
  const people = new Set(opts.also);
  const templates = faces.length > 0 ? await deps.metadata.personTemplates(tenant) : [];
  for (const f of faces) {
    if (!f.vector) continue;
    const near = await nearPeople(deps.index, tenant, f.vector, templates, {
      floor: opts.cluster - CANDIDATE_SLACK,
      pack: opts.pack,
    });
    for (const id of near) people.add(id);
  }
  const out: FaceWithVector[] = [];
  for (const id of [...people].sort()) out.push(...(await facesOfPerson(deps.index, tenant, id)));
  return out;
}
