/**
 * Forgetting: a person (their faces' vectors, crops and record) or a whole chat (every blob under its
 * prefix, every vector of the tenant, every metadata row). Afterwards nothing of it can be found.
 *
 * Forgetting a chat is a generation change: under the chat's lock the generation is bumped (every job
 * queued before now is stale and checks it before each write) and everything is swept; then, once the
 * jobs that were running have left the register, everything is swept again (a job may have been
 * between its check and its write), and what the queues keep of the chat is removed.
 */
import type { AlbumResult } from '../core/album.js';
import { faceKey, tenantId, tenantPrefix } from '../core/keys.js';
import type { ServiceDeps } from './deps.js';
import { fencedDeps } from './fenced-deps.js';

export interface ForgetPersonOutcome {
  readonly personId: string | null;
  readonly faces: number;
}

/**
 * How long a forget waits for the chat's running jobs. A photo job takes seconds; one still registered
 * after this belongs to a worker that died (its entry lapses within the guard's lease).
 */
const DRAIN_MS = 60_000;

async function sweep(deps: ServiceDeps, tenant: string): Promise<void> {
  await deps.blobs.deletePrefix(tenantPrefix(tenant));
  await deps.index.deleteWhere({ tenant });
  await deps.metadata.forgetTenant(tenant);
}

export function createPrivacyService(base: ServiceDeps, opts: { drainMs?: number } = {}) {
  return {
    /**
     * Deletes the person's faces from the index, their face crops and their record, and drops them from
     * stored album results. The photos stay: they belong to the album, not to the person.
     */
    async forgetPerson(tenant: string, id: string): Promise<ForgetPersonOutcome> {
      return base.guard.exclusive(tenant, (fence) => forgetPersonLocked(fencedDeps(base, fence), tenant, id));
    },

    /** Everything of the chat: blobs by prefix, vectors by tenant, then metadata; then the queues'. */
    async forgetTenant(tenant: string): Promise<void> {
      tenantId(tenant);
      await base.guard.exclusive(tenant, async (fence) => {
        await base.guard.advance(tenant);
        await sweep(fencedDeps(base, fence), tenant);
      });
      await base.guard.drained(tenant, opts.drainMs ?? DRAIN_MS);
      await base.guard.exclusive(tenant, (fence) => sweep(fencedDeps(base, fence), tenant));
      await base.guard.purge(tenant);
    },
  };
}

export type PrivacyService = ReturnType<typeof createPrivacyService>;

/**
 * Deletes the person's faces from the index, their face crops and their record, and drops them from
 * stored album results. The photos stay: they belong to the album, not to the person.
 */
async function forgetPersonLocked(
  deps: ServiceDeps,
  tenant: string,
  id: string,
): Promise<ForgetPersonOutcome> {
  const person = await deps.metadata.resolvePerson(tenant, id);
  if (person === null) return { personId: null, faces: 0 };
  const faces = await deps.index.list({ tenant, person });
  for (const f of faces) await deps.blobs.delete(faceKey(tenant, f.payload.photo, f.payload.faceIndex));
  await deps.index.deleteWhere({ tenant, person });
  await deps.metadata.deletePerson(tenant, person);

  const gone = new Set(faces.map((f) => `${f.payload.photo}#${f.payload.faceIndex}`));
  for (const album of await deps.metadata.listAlbums(tenant)) {
    const result = album.result;
    if (!result?.people.some((p) => p.id === person)) continue;
    await deps.metadata.setAlbumStatus(tenant, album.id, album.status, withoutFaces(result, gone));
  }
  return { personId: person, faces: faces.length };
}

/**
 * The album result without the given faces (`<sha256>#<faceIndex>`) and without people left with no
 * face; representatives point at the faces' new positions.
 */
function withoutFaces(result: AlbumResult, gone: ReadonlySet<string>): AlbumResult {
  const newIndex = new Map<string, number>();
  const photos = result.photos.map((photo) => {
    const kept = photo.faces.flatMap((face, i) => (gone.has(`${photo.sha256}#${i}`) ? [] : [{ face, i }]));
    kept.forEach(({ i }, j) => newIndex.set(`${photo.path}#${i}`, j));
    return { ...photo, faces: kept.map(({ face }) => face) };
  });
  const people = result.people.flatMap((p) => {
    const j = newIndex.get(`${p.representative.photo}#${p.representative.faceIndex}`);
    const stillThere = photos.some((ph) => ph.faces.some((f) => f.personId === p.id));
    return j === undefined || !stillThere
      ? []
      : [{ ...p, representative: { ...p.representative, faceIndex: j } }];
  });
  return { ...result, photos, people };
}
