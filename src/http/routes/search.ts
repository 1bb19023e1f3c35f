/**
 * POST /api/v1/search: a selfie (multipart field `selfie`) or an embedding (JSON), within the caller's
 * tenant; `limit` and `minScore` bound the answer. Results carry URLs of the thumbnail and the photo
 * (presigned by S3 stores, file or public URLs for the fs store) that live `urlSeconds`.
 */
import type { FastifyInstance } from 'fastify';

import { thumbKey } from '../../core/keys.js';
import type { FoundPhoto } from '../../services/search-service.js';
import { blobUrl, type RouteContext } from '../route-context.js';
import { HttpProblem } from '../problem.js';
import { multipartForms, searchJsonBody, searchResponse } from '../schemas.js';
import { jsonBody, readForm } from '../uploads.js';

/** Faces asked of the index for an embedding search, before grouping them by photo. */
const FACE_CANDIDATES = 200;
const DEFAULT_LIMIT = 20;

interface Found {
  readonly status: 'found' | 'no-match';
  readonly person: { readonly id: string; readonly name: string | null } | null;
  readonly photos: readonly FoundPhoto[];
}

export function registerSearchRoutes(app: FastifyInstance, { deps, limits, searchGate }: RouteContext): void {
  const { pack } = deps;

  async function bySelfie(tenant: string, bytes: Uint8Array): Promise<Found> {
    const outcome = await deps.services.search.findBySelfie(tenant, bytes);
    switch (outcome.status) {
      case 'found':
      case 'no-match':
        return outcome.status === 'found' ? outcome : { status: 'no-match', person: null, photos: [] };
      case 'no-face':
        throw new HttpProblem('UNUSABLE_SELFIE', 'no face was found in the selfie', { reason: 'no-face' });
      case 'several-faces':
        throw new HttpProblem('UNUSABLE_SELFIE', `the selfie shows ${outcome.faces} faces; send one`, {
          reason: 'several-faces',
        });
      case 'poor-quality':
        throw new HttpProblem(
          'UNUSABLE_SELFIE',
          `the face is not clear enough (${outcome.reasons.join(', ')})`,
          {
            reason: 'poor-quality',
          },
        );
    }
  }

  async function byEmbedding(tenant: string, values: readonly number[], minScore: number): Promise<Found> {
    if (values.length !== pack.dim) {
      throw new HttpProblem(
        'VALIDATION',
        `the embedding has ${values.length} values; pack ${pack.name} uses ${pack.dim}`,
        {
          errors: [{ path: 'body/embedding', message: `${pack.dim} numbers` }],
        },
      );
    }
    const norm = Math.hypot(...values);
    if (!Number.isFinite(norm) || norm === 0) {
      throw new HttpProblem('VALIDATION', 'the embedding must be finite and non-zero', {
        errors: [{ path: 'body/embedding', message: 'finite, non-zero' }],
      });
    }
    // The index holds L2-normalised vectors and scores by cosine; normalise the query the same way.
    const vector = Float32Array.from(values, (v) => v / norm);
    const matches = await deps.stores.index.search(tenant, vector, {
      limit: FACE_CANDIDATES,
      minScore,
      pack: pack.name,
    });
    const best = new Map<string, number>();
    for (const m of matches) best.set(m.payload.photo, Math.max(best.get(m.payload.photo) ?? -1, m.score));
    const photos: FoundPhoto[] = [];
    for (const [sha256, similarity] of best) {
      const record = await deps.stores.metadata.getPhoto(tenant, sha256);
      if (record)
        photos.push({ sha256, blobKey: record.blobKey, thumbKey: thumbKey(tenant, sha256), similarity });
    }
    photos.sort((a, b) => b.similarity - a.similarity || a.sha256.localeCompare(b.sha256));
    const personId = matches.find((m) => m.payload.person !== null)?.payload.person ?? null;
    const record = personId === null ? null : await deps.stores.metadata.getPerson(tenant, personId);
    return {
      status: photos.length > 0 ? 'found' : 'no-match',
      person: personId === null ? null : { id: personId, name: record?.name ?? null },
      photos,
    };
  }

  app.post(
    '/api/v1/search',
    {
      schema: {
        body: { content: { 'application/json': { schema: searchJsonBody } } },
        response: { 200: searchResponse },
      },
      config: {
        doc: {
          summary: 'Find a person in the tenant’s photos',
          description:
            'By selfie (multipart field `selfie`) or by embedding (JSON). `minScore` is a cosine; the default is the pack’s calibrated match threshold.',
          tags: ['search'],
          multipart: multipartForms.search,
          problems: [400, 413, 415, 422, 429, 503],
        },
      },
    },
    async (request) => {
      let found: Found;
      let limit: number;
      let minScore: number | undefined;
      if (request.isMultipart()) {
        const form = await readForm(request, {
          fileFields: ['selfie'],
          fields: ['limit', 'minScore'],
          maxFiles: 1,
          maxBytes: limits.maxUploadBytes,
        });
        limit = formNumber(form.fields.limit, 'limit', 1, 100, true) ?? DEFAULT_LIMIT;
        minScore = formNumber(form.fields.minScore, 'minScore', -1, 1, false);
        const selfie = form.files[0]?.bytes ?? new Uint8Array();
        found = await searchGate(() => bySelfie(request.tenant, selfie));
      } else {
        const body = jsonBody<{ embedding: number[]; limit?: number; minScore?: number }>(request);
        limit = body.limit ?? DEFAULT_LIMIT;
        minScore = body.minScore;
        found = await byEmbedding(request.tenant, body.embedding, minScore ?? pack.thresholds.match);
      }
      const kept = found.photos
        .filter((p) => minScore === undefined || p.similarity >= minScore)
        .slice(0, limit);
      const expiresInSeconds = limits.urlSeconds;
      const results = await Promise.all(
        kept.map(async (p) => ({
          sha256: p.sha256,
          similarity: p.similarity,
          thumbnailUrl: await blobUrl(deps, p.thumbKey, expiresInSeconds),
          photoUrl: await blobUrl(deps, p.blobKey, expiresInSeconds),
        })),
      );
      request.log.info({ status: found.status, results: results.length }, 'search');
      return { status: results.length > 0 ? 'found' : 'no-match', person: found.person, results };
    },
  );
}

function formNumber(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  integer: boolean,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw new HttpProblem(
      'VALIDATION',
      `${name} must be ${integer ? 'an integer' : 'a number'} in ${min}..${max}`,
      {
        errors: [{ path: `body/${name}`, message: `${min}..${max}` }],
      },
    );
  }
  return n;
}
