/**
 * JSON Schemas of the API's bodies and answers. Fastify validates requests with them (Ajv) and
 * serializes answers with them; openapi.ts turns the same objects into the OpenAPI document, so the
 * documentation cannot drift from what the server accepts.
 */
import { MAX_ALBUM_PHOTOS } from '../services/photo-service.js';

/** `urn:faceblog:problem:*` answers (RFC 9457). */
export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    instance: { type: 'string' },
    reason: { type: 'string' },
    reasons: { type: 'array', items: { type: 'string' } },
    faces: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          index: { type: 'integer' },
          box: { type: 'array', items: { type: 'number' } },
          quality: { type: 'number' },
        },
      },
    },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;

/** Album ids as src/core/keys.ts accepts them. */
const albumId = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$' } as const;
/** A blob key inside the caller's tenant, e.g. `tg-1/inbox/2024/beach.jpg`. */
const objectKey = { type: 'string', minLength: 3, maxLength: 1024 } as const;

export const ingestJsonBody = {
  type: 'object',
  additionalProperties: false,
  required: ['key'],
  properties: { key: objectKey, albumId },
} as const;

export const ingestBatchJsonBody = {
  type: 'object',
  additionalProperties: false,
  required: ['keys'],
  properties: {
    // Each key once: 25 copies of one 19 MiB key were all read before the duplicates were dropped.
    keys: { type: 'array', minItems: 1, maxItems: MAX_ALBUM_PHOTOS, uniqueItems: true, items: objectKey },
    albumId,
  },
} as const;

export const submittedSchema = {
  type: 'object',
  required: ['albumId', 'photoCount', 'alreadyKnown', 'statusUrl'],
  properties: {
    albumId: { type: 'string' },
    photoCount: { type: 'integer' },
    alreadyKnown: { type: 'boolean' },
    statusUrl: { type: 'string' },
  },
} as const;

/** Search answers at most this many photos; a chat's library of one person fits many times over. */
export const MAX_SEARCH_RESULTS = 100;

export const searchJsonBody = {
  type: 'object',
  additionalProperties: false,
  required: ['embedding'],
  properties: {
    embedding: { type: 'array', minItems: 1, maxItems: 4096, items: { type: 'number' } },
    limit: { type: 'integer', minimum: 1, maximum: MAX_SEARCH_RESULTS, default: 20 },
    minScore: { type: 'number', minimum: -1, maximum: 1 },
  },
} as const;

export const searchResponse = {
  type: 'object',
  required: ['status', 'person', 'score', 'results'],
  properties: {
    /** found: sure; unsure: ask the user "is this them?" and POST /search/answer; no-match. */
    status: { type: 'string', enum: ['found', 'unsure', 'no-match'] },
    person: {
      type: ['object', 'null'],
      properties: {
        id: { type: 'string' },
        name: { type: ['string', 'null'] },
        faceUrl: { type: ['string', 'null'] },
      },
    },
    score: { type: ['number', 'null'] },
    /** sha256 of the selfie, to answer an unsure search with. */
    selfie: { type: 'string' },
    results: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sha256', 'similarity', 'thumbnailUrl', 'photoUrl'],
        properties: {
          sha256: { type: 'string' },
          similarity: { type: 'number' },
          thumbnailUrl: { type: 'string' },
          photoUrl: { type: 'string' },
        },
      },
    },
  },
} as const;

export const searchAnswerBody = {
  type: 'object',
  required: ['selfie', 'person', 'yes'],
  additionalProperties: false,
  properties: {
    selfie: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    person: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' },
    yes: { type: 'boolean' },
    limit: { type: 'integer', minimum: 1, maximum: 100 },
  },
} as const;

export const albumParams = {
  type: 'object',
  required: ['id'],
  properties: { id: albumId },
} as const;

const face = {
  type: 'object',
  properties: {
    box: { type: 'array', items: { type: 'number' } },
    score: { type: 'number' },
    quality: { type: 'number' },
    personId: { type: ['string', 'null'] },
  },
} as const;

export const albumResponse = {
  type: 'object',
  required: ['albumId', 'status', 'processed', 'total', 'createdAt', 'finishedAt', 'result'],
  properties: {
    albumId: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'processing', 'done', 'failed'] },
    processed: { type: 'integer' },
    total: { type: 'integer' },
    createdAt: { type: 'string' },
    finishedAt: { type: ['string', 'null'] },
    result: {
      type: ['object', 'null'],
      properties: {
        photos: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              path: { type: 'string' },
              sha256: { type: 'string' },
              width: { type: 'integer' },
              height: { type: 'integer' },
              takenAt: { type: ['string', 'null'] },
              duplicateOf: { type: ['string', 'null'] },
              faces: { type: 'array', items: face },
            },
          },
        },
        people: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              name: { type: ['string', 'null'] },
              photos: { type: 'array', items: { type: 'string' } },
              faceCount: { type: 'integer' },
            },
          },
        },
        failures: {
          type: 'array',
          items: {
            type: 'object',
            properties: { path: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

export const peopleResponse = {
  type: 'object',
  required: ['people'],
  properties: {
    people: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'handle', 'name', 'hidden', 'faceCount', 'photoCount', 'coverUrl'],
        properties: {
          id: { type: 'string' },
          handle: { type: 'integer' },
          name: { type: ['string', 'null'] },
          hidden: { type: 'boolean' },
          faceCount: { type: 'integer' },
          photoCount: { type: 'integer' },
          coverUrl: { type: ['string', 'null'] },
        },
      },
    },
  },
} as const;

export const tenantParams = {
  type: 'object',
  required: ['tenant'],
  properties: { tenant: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$' } },
} as const;

export const importBody = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', format: 'uri', maxLength: 2048 },
    maxDepth: { type: 'integer', minimum: 0, maximum: 3 },
    maxImages: { type: 'integer', minimum: 1, maximum: MAX_ALBUM_PHOTOS },
    albumId,
  },
} as const;

export const importResponse = {
  type: 'object',
  required: ['albumId', 'photoCount', 'alreadyKnown', 'statusUrl', 'pages', 'images', 'skipped'],
  properties: {
    ...submittedSchema.properties,
    pages: { type: 'array', items: { type: 'string' } },
    images: { type: 'array', items: { type: 'string' } },
    skipped: {
      type: 'array',
      items: { type: 'object', properties: { url: { type: 'string' }, reason: { type: 'string' } } },
    },
    bytes: { type: 'integer' },
  },
} as const;

/** Multipart forms, for the OpenAPI document only: Fastify does not validate streamed parts. */
export const multipartForms = {
  ingest: {
    type: 'object',
    required: ['photo'],
    properties: { photo: { type: 'string', format: 'binary' }, albumId },
  },
  ingestBatch: {
    type: 'object',
    required: ['photos'],
    properties: {
      photos: { type: 'array', items: { type: 'string', format: 'binary' } },
      albumId,
    },
  },
  search: {
    type: 'object',
    required: ['selfie'],
    properties: {
      selfie: { type: 'string', format: 'binary' },
      face: {
        type: 'integer',
        minimum: 0,
        description: 'which face to search with, after a 422 listing faces',
      },
      limit: { type: 'integer', minimum: 1, maximum: MAX_SEARCH_RESULTS },
      minScore: { type: 'number', minimum: -1, maximum: 1 },
    },
  },
} as const;
