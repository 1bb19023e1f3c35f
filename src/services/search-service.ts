/**
 * "Find me in the photos": one selfie in, the photos of the person it shows out, best first. Searches
 * only the asking chat's faces and only vectors of the current pack (the index enforces both).
 */
import { thumbKey } from '../core/keys.js';
import type { AnalyzingDeps } from './deps.js';
import { dot, tenantFaces } from './tenant-faces.js';

export interface FoundPhoto {
  readonly sha256: string;
  /** The original and its thumbnail in the blob store. */
  readonly blobKey: string;
  readonly thumbKey: string;
  /** Cosine between the selfie and the person's face in this photo, -1..1. */
  readonly similarity: number;
}

export type SelfieOutcome =
  | {
      readonly status: 'found';
      /** The person the selfie matched; null when the matching faces belong to nobody yet. */
      readonly person: { readonly id: string; readonly name: string | null } | null;
      readonly photos: readonly FoundPhoto[];
    }
  | { readonly status: 'no-face' }
  | { readonly status: 'several-faces'; readonly faces: number }
  | { readonly status: 'poor-quality'; readonly reasons: readonly string[] }
  | { readonly status: 'no-match' };

/** Neighbours asked of the index: enough to see every face of one person in a chat-sized library. */
const SEARCH_LIMIT = 200;

export function createSearchService(deps: AnalyzingDeps) {
  return {
    async findBySelfie(tenant: string, imageBytes: Uint8Array): Promise<SelfieOutcome> {
      const analysis = await deps.analyzer.analyze(imageBytes);
      if (analysis.faces.length === 0) return { status: 'no-face' };
      const searchable = analysis.faces.filter((f) => f.quality.searchable);
      if (searchable.length > 1) return { status: 'several-faces', faces: analysis.faces.length };
      const selfie = searchable[0];
      if (!selfie) {
        const best = [...analysis.faces].sort((a, b) => b.quality.score - a.quality.score)[0];
        return { status: 'poor-quality', reasons: best?.quality.reasons ?? [] };
      }

      const { match } = deps.pack.thresholds;
      const matches = await deps.index.search(tenant, selfie.embedding, {
        limit: SEARCH_LIMIT,
        minScore: match,
        pack: deps.pack.name,
      });
      if (matches.length === 0) return { status: 'no-match' };

      // The person is the one of the best match that belongs to someone; their photos include those
      // whose face scored under the search threshold (another angle of the same person).
      const person = matches.find((m) => m.payload.person !== null)?.payload.person ?? null;
      const similarity = new Map<string, number>();
      const keep = (photo: string, score: number) =>
        similarity.set(photo, Math.max(similarity.get(photo) ?? -1, score));
      if (person === null) {
        for (const m of matches) keep(m.payload.photo, m.score);
      } else {
        const faces = await tenantFaces(deps, tenant, true);
        for (const f of faces)
          if (f.payload.person === person && f.vector) keep(f.payload.photo, dot(selfie.embedding, f.vector));
      }
      const photos: FoundPhoto[] = [];
      for (const [sha256, score] of similarity) {
        const record = await deps.metadata.getPhoto(tenant, sha256);
        if (!record) continue;
        photos.push({
          sha256,
          blobKey: record.blobKey,
          thumbKey: thumbKey(tenant, sha256),
          similarity: score,
        });
      }
      photos.sort((a, b) => b.similarity - a.similarity || a.sha256.localeCompare(b.sha256));
      const record = person === null ? null : await deps.metadata.getPerson(tenant, person);
      return {
        status: 'found',
        person: person === null ? null : { id: person, name: record?.name ?? null },
        photos,
      };
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
