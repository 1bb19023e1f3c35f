/** GET /api/v1/albums/:id and GET /api/v1/people: what came out, within the caller's tenant only. */
import type { FastifyInstance } from 'fastify';

import type { RouteContext } from '../route-context.js';
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
            coverUrl:
              coverKey === null
                ? null
                : await deps.stores.blobs.url(coverKey, { expiresInSeconds: limits.urlSeconds }),
          })),
        ),
      };
    },
  );
}
