/**
 * GET /api/v1/albums/:id, GET /api/v1/people and GET /api/v1/blobs/<key>: what came out, within the
 * caller's tenant only.
 */
import type { FastifyInstance } from 'fastify';

import { assertBlobKey, tenantPrefix } from '../../core/keys.js';
import { blobUrl, type RouteContext } from '../route-context.js';
import { HttpProblem } from '../problem.js';
import { albumParams, albumResponse, peopleResponse } from '../schemas.js';

export function registerReadRoutes(app: FastifyInstance, { deps, limits }: RouteContext): void {
  app.get(
    '/api/v1/albums/:id',
    {
      schema: { params: albumParams, response: { 200: albumResponse } },
      config: {
        doc: {
          summary: 'An album’s progress and, once done, its people and failures',
          tags: ['photos'],
          problems: [400, 404],
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      // Another tenant's album is "not found": its existence is not the caller's to learn.
      const status = await deps.services.photos.albumStatus(request.tenant, id);
      if (!status) throw new HttpProblem('NOT_FOUND', `no album ${id}`);
      const result = await deps.services.photos.albumResult(request.tenant, id);
      return { ...status, result };
    },
  );

  app.get(
    '/api/v1/people',
    {
      schema: { response: { 200: peopleResponse } },
      config: { doc: { summary: 'The tenant’s people, most faces first', tags: ['people'] } },
    },
    async (request) => {
      const people = await deps.services.people.listPeople(request.tenant);
      return {
        people: await Promise.all(
          people.map(async ({ coverKey, coverFace: _cover, ...p }) => ({
            ...p,
            coverUrl: coverKey === null ? null : await blobUrl(deps, coverKey, limits.urlSeconds),
          })),
        ),
      };
    },
  );

  app.get(
    '/api/v1/blobs/*',
    {
      config: {
        doc: {
          summary: 'A thumbnail, face crop or photo of the tenant (the URLs answers give)',
          tags: ['photos'],
          problems: [400, 404],
        },
      },
    },
    async (request, reply) => {
      const key = (request.params as { '*': string })['*'];
      // Another tenant's blob is "not found", like its albums.
      if (!key.startsWith(tenantPrefix(request.tenant))) throw new HttpProblem('NOT_FOUND', 'no such blob');
      try {
        assertBlobKey(key);
      } catch {
        throw new HttpProblem('NOT_FOUND', 'no such blob');
      }
      const head = await deps.stores.blobs.head(key);
      const bytes = head ? await deps.stores.blobs.get(key) : null;
      if (!head || !bytes) throw new HttpProblem('NOT_FOUND', 'no such blob');
      return reply
        .type(head.contentType)
        .header('cache-control', 'private, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .send(Buffer.from(bytes));
    },
  );
}
