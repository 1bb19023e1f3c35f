/**
 * POST /api/v1/import: "take the photos from this page". Crawls within the import limits (see
 * src/import/crawl.ts), then submits the images as one album; answers once the album is queued.
 */
import type { FastifyInstance } from 'fastify';

import { type RouteContext, statusUrl } from '../route-context.js';
import { importBody, importResponse } from '../schemas.js';
import { jsonBody } from '../uploads.js';

export function registerImportRoutes(app: FastifyInstance, { deps, importSlots }: RouteContext): void {
  app.post(
    '/api/v1/import',
    {
      schema: {
        body: { content: { 'application/json': { schema: importBody } } },
        response: { 202: importResponse },
      },
      config: {
        doc: {
          summary: 'Import the photos of a web page as an album',
          description:
            'Fetches the page and, up to `maxDepth` links away, its same-origin pages; respects robots.txt; never fetches private, loopback, link-local or metadata addresses.',
          tags: ['photos'],
          problems: [400, 415, 422, 429],
        },
      },
    },
    async (request, reply) => {
      const body = jsonBody<{ url: string; maxDepth?: number; maxImages?: number; albumId?: string }>(
        request,
      );
      const outcome = await importSlots(request.tenant, () =>
        deps.importer.importFromUrl(request.tenant, body),
      );
      request.log.info(
        {
          albumId: outcome.albumId,
          pages: outcome.pages.length,
          images: outcome.images.length,
          skipped: outcome.skipped.length,
        },
        'import submitted',
      );
      return reply.code(202).send({ ...outcome, statusUrl: statusUrl(outcome.albumId) });
    },
  );
}
