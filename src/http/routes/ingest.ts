/**
 * POST /api/v1/ingest and /api/v1/ingest/batch: photos by object key (already in the blob store, under
 * the caller's tenant) or uploaded as multipart. Both end in PhotoService.submitAlbum, the same flow and
 * idempotency as photos sent in a chat: the same photos again are the same album and queue nothing new.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { assertBlobKey, tenantPrefix } from '../../core/keys.js';
import type { PhotoUpload } from '../../services/photo-service.js';
import { type RouteContext, statusUrl } from '../route-context.js';
import { HttpProblem } from '../problem.js';
import { ingestBatchJsonBody, ingestJsonBody, multipartForms, submittedSchema } from '../schemas.js';
import { jsonBody, readForm } from '../uploads.js';

const ALBUM_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

export function registerIngestRoutes(app: FastifyInstance, { deps, limits }: RouteContext): void {
  /**
   * Reads objects of the caller's tenant; another tenant's key, a missing object, a repeated key or a
   * batch over `maxBatchBytes` is refused before a single object is read (sizes come from `head`).
   */
  async function fromKeys(tenant: string, keys: readonly string[]): Promise<PhotoUpload[]> {
    const own = tenantPrefix(tenant);
    if (new Set(keys).size !== keys.length) {
      throw new HttpProblem('VALIDATION', 'each object key may appear once', {
        errors: [{ path: 'body/keys', message: 'unique keys' }],
      });
    }
    let total = 0;
    for (const key of keys) {
      if (!key.startsWith(own)) {
        throw new HttpProblem('FORBIDDEN', `object keys must start with ${own}`, { reason: key });
      }
      try {
        assertBlobKey(key);
      } catch {
        throw new HttpProblem('VALIDATION', 'invalid object key', {
          errors: [{ path: 'body/key', message: 'segments of letters, digits, ".", "_" and "-"' }],
        });
      }
      const head = await deps.stores.blobs.head(key);
      if (!head) throw new HttpProblem('NOT_FOUND', `no object ${key}`);
      if (head.size > limits.maxUploadBytes) {
        throw new HttpProblem('PAYLOAD_TOO_LARGE', `object ${key} is over ${limits.maxUploadBytes} bytes`);
      }
      total += head.size;
      if (total > limits.maxBatchBytes) {
        throw new HttpProblem('PAYLOAD_TOO_LARGE', `the objects exceed ${limits.maxBatchBytes} bytes in all`);
      }
    }
    const uploads: PhotoUpload[] = [];
    for (const key of keys) {
      const bytes = await deps.stores.blobs.get(key);
      if (!bytes) throw new HttpProblem('NOT_FOUND', `no object ${key}`);
      uploads.push({ name: key, bytes });
    }
    return uploads;
  }

  async function submit(
    request: FastifyRequest,
    reply: FastifyReply,
    uploads: readonly PhotoUpload[],
    albumId: string | undefined,
  ) {
    if (albumId !== undefined && !ALBUM_ID_RE.test(albumId)) {
      throw new HttpProblem('VALIDATION', 'invalid albumId', {
        errors: [{ path: 'body/albumId', message: 'letters, digits, "_" and "-", 1..128' }],
      });
    }
    const submitted = await deps.services.photos.submitAlbum(
      request.tenant,
      uploads,
      albumId === undefined ? {} : { albumId },
    );
    request.log.info({ albumId: submitted.albumId, photos: submitted.photoCount }, 'album submitted');
    return reply.code(202).send({ ...submitted, statusUrl: statusUrl(submitted.albumId) });
  }

  const problems = [400, 403, 404, 413, 415, 422];
  app.post(
    '/api/v1/ingest',
    {
      schema: {
        body: { content: { 'application/json': { schema: ingestJsonBody } } },
        response: { 202: submittedSchema },
      },
      config: {
        doc: {
          summary: 'Ingest one photo',
          description: 'By object key (JSON `{ key }`) or as a multipart upload (field `photo`).',
          tags: ['photos'],
          multipart: multipartForms.ingest,
          problems,
        },
      },
    },
    async (request, reply) => {
      if (request.isMultipart()) {
        const form = await readForm(request, {
          fileFields: ['photo'],
          fields: ['albumId'],
          maxFiles: 1,
          maxBytes: limits.maxRequestBytes,
        });
        return submit(
          request,
          reply,
          form.files.map((f) => ({ name: f.name, bytes: f.bytes })),
          form.fields.albumId,
        );
      }
      const body = jsonBody<{ key: string; albumId?: string }>(request);
      return submit(request, reply, await fromKeys(request.tenant, [body.key]), body.albumId);
    },
  );

  app.post(
    '/api/v1/ingest/batch',
    {
      schema: {
        body: { content: { 'application/json': { schema: ingestBatchJsonBody } } },
        response: { 202: submittedSchema },
      },
      config: {
        doc: {
          summary: 'Ingest an album',
          description:
            'By object keys (JSON `{ keys }`, up to 500) or as a multipart upload (repeated field `photos`).',
          tags: ['photos'],
          multipart: multipartForms.ingestBatch,
          problems,
        },
      },
    },
    async (request, reply) => {
      if (request.isMultipart()) {
        const form = await readForm(request, {
          fileFields: ['photos', 'photo'],
          fields: ['albumId'],
          maxFiles: limits.maxFiles,
          maxBytes: limits.maxRequestBytes,
        });
        return submit(
          request,
          reply,
          form.files.map((f) => ({ name: f.name, bytes: f.bytes })),
          form.fields.albumId,
        );
      }
      const body = jsonBody<{ keys: string[]; albumId?: string }>(request);
      return submit(request, reply, await fromKeys(request.tenant, body.keys), body.albumId);
    },
  );
}
