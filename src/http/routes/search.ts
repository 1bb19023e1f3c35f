/**
 * POST /api/v1/search: a selfie (multipart field `selfie`) or an embedding (JSON), within the caller's
 * tenant; `limit` and `minScore` bound the answer. Results carry URLs of the thumbnail and the photo
 * (presigned by S3 stores, file or public URLs for the fs store) that live `urlSeconds`.
 */
import type { FastifyInstance } from 'fastify';

import type { EmbeddingOutcome } from '../../services/search-service.js';
import type { RouteContext } from '../route-context.js';
import { HttpProblem } from '../problem.js';
import { multipartForms, searchAnswerBody, searchJsonBody, searchResponse } from '../schemas.js';
import { jsonBody, readForm } from '../uploads.js';

const DEFAULT_LIMIT = 20;

/** The search decision's answer, plus the selfie's hash when the caller may answer "is this them?". */
type Found = EmbeddingOutcome & { readonly selfie?: string };

export function registerSearchRoutes(app: FastifyInstance, { deps, limits }: RouteContext): void {
  const { pack } = deps;

  async function bySelfie(tenant: string, bytes: Uint8Array, face: number | undefined): Promise<Found> {
    const outcome = await deps.services.search.findBySelfie(tenant, bytes, { face });
    switch (outcome.status) {
      case 'found':
      case 'unsure':
        return { ...outcome, selfie: outcome.selfie.sha256 };
      case 'no-match':
        return { status: 'no-match', selfie: outcome.selfie.sha256 };
      case 'no-face':
        throw new HttpProblem('UNUSABLE_SELFIE', 'no face was found in the selfie', { reason: 'no-face' });
      case 'choose-face':
        throw new HttpProblem(
          'UNUSABLE_SELFIE',
          `the selfie shows ${outcome.faces.length} faces and none is clearly the main one; send the field face with the index of the one to search with`,
          {
            reason: 'several-faces',
            faces: outcome.faces.map((f) => ({ index: f.index, box: f.box, quality: f.quality })),
          },
        );
      case 'poor-quality':
        throw new HttpProblem(
          'UNUSABLE_SELFIE',
          `the face is not clear enough (${outcome.reasons.join(', ')})`,
          { reason: 'poor-quality', reasons: outcome.reasons },
        );
    }
  }

  async function byEmbedding(tenant: string, values: readonly number[]): Promise<Found> {
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
    return deps.services.search.findByEmbedding(tenant, vector);
  }

  /** The answer as JSON: photos only when found, with URLs that live `urlSeconds`. */
  async function respond(found: Found, limit: number, minScore: number | undefined) {
    const photos = found.status === 'found' ? found.photos : [];
    const kept = photos.filter((p) => minScore === undefined || p.similarity >= minScore).slice(0, limit);
    const expiresInSeconds = limits.urlSeconds;
    const results = await Promise.all(
      kept.map(async (p) => ({
        sha256: p.sha256,
        similarity: p.similarity,
        thumbnailUrl: await deps.stores.blobs.url(p.thumbKey, { expiresInSeconds }),
        photoUrl: await deps.stores.blobs.url(p.blobKey, { expiresInSeconds }),
      })),
    );
    const person =
      found.status === 'no-match'
        ? null
        : {
            id: found.person.id,
            name: found.person.name,
            faceUrl: found.person.faceKey
              ? await deps.stores.blobs.url(found.person.faceKey, { expiresInSeconds })
              : null,
          };
    return {
      status: found.status,
      person,
      score: found.status === 'no-match' ? null : found.score,
      ...(found.selfie ? { selfie: found.selfie } : {}),
      results,
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
          problems: [400, 413, 415, 422],
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
          fields: ['limit', 'minScore', 'face'],
          maxFiles: 1,
          maxBytes: limits.maxUploadBytes,
        });
        limit = formNumber(form.fields.limit, 'limit', 1, 100, true) ?? DEFAULT_LIMIT;
        minScore = formNumber(form.fields.minScore, 'minScore', -1, 1, false);
        const face = formNumber(form.fields.face, 'face', 0, 1000, true);
        found = await bySelfie(request.tenant, form.files[0]?.bytes ?? new Uint8Array(), face);
      } else {
        const body = jsonBody<{ embedding: number[]; limit?: number; minScore?: number }>(request);
        limit = body.limit ?? DEFAULT_LIMIT;
        minScore = body.minScore;
        found = await byEmbedding(request.tenant, body.embedding);
      }
      const answer = await respond(found, limit, minScore);
      request.log.info({ status: answer.status, results: answer.results.length }, 'search');
      return answer;
    },
  );

  app.post(
    '/api/v1/search/answer',
    {
      schema: {
        body: { content: { 'application/json': { schema: searchAnswerBody } } },
        response: { 200: searchResponse },
      },
      config: {
        doc: {
          summary: 'Answer an unsure search: is the selfie this person?',
          description:
            'After a search answered `unsure`, send the `selfie` hash and the `person` id it asked about with `yes`. Yes returns the person’s photos; no answers `no-match`. The answer is kept: the same selfie is not asked about again.',
          tags: ['search'],
          problems: [400, 404],
        },
      },
    },
    async (request) => {
      const body = jsonBody<{ selfie: string; person: string; yes: boolean; limit?: number }>(request);
      const result = await deps.services.search.answer(request.tenant, {
        selfie: body.selfie,
        person: body.person,
        yes: body.yes,
      });
      const found: Found =
        result.status === 'found'
          ? { status: 'found', person: result.person, score: 1, confirmed: true, photos: result.photos }
          : { status: 'no-match' };
      return respond({ ...found, selfie: body.selfie }, body.limit ?? DEFAULT_LIMIT, undefined);
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
