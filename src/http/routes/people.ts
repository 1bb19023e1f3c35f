/**
 * People actions over HTTP, within the caller's tenant, with the same rules as the chat bots (the people
 * service): find by handle or name, name, merge (and undo it), hide, choose the cover, and "not this
 * person" for one face.
 * A person is addressed by handle ("7"), name ("Anna") or id; an unknown one is 404.
 */
import type { FastifyInstance } from 'fastify';

import type { PersonSummary } from '../../services/people-service.js';
import { HttpProblem } from '../problem.js';
import type { RouteContext } from '../route-context.js';

const personProps = {
  id: { type: 'string' },
  handle: { type: 'integer' },
  name: { type: ['string', 'null'] },
  hidden: { type: 'boolean' },
  faceCount: { type: 'integer' },
  photoCount: { type: 'integer' },
} as const;
const personSchema = {
  type: 'object',
  required: ['id', 'handle', 'name', 'hidden', 'faceCount', 'photoCount'],
  properties: personProps,
} as const;
const refParams = {
  type: 'object',
  required: ['ref'],
  properties: { ref: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;
const personResponse = {
  type: 'object',
  required: ['person', 'photos'],
  properties: {
    person: personSchema,
    photos: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sha256', 'name', 'albumId'],
        properties: { sha256: { type: 'string' }, name: { type: 'string' }, albumId: { type: 'string' } },
      },
    },
  },
} as const;

function view(p: PersonSummary) {
  return {
    id: p.id,
    handle: p.handle,
    name: p.name,
    hidden: p.hidden,
    faceCount: p.faceCount,
    photoCount: p.photoCount,
  };
}

export function registerPeopleRoutes(app: FastifyInstance, { deps }: RouteContext): void {
  const people = deps.services.people;

  async function found(tenant: string, ref: string): Promise<PersonSummary> {
    const person = await people.findPerson(tenant, decodeURIComponent(ref));
    if (!person) throw new HttpProblem('NOT_FOUND', `no person ${ref}`);
    return person;
  }
  const answer = async (tenant: string, id: string) => ({
    person: view(await found(tenant, id)),
    photos: (await people.photosOf(tenant, id)).map(({ sha256, name, albumId }) => ({
      sha256,
      name,
      albumId,
    })),
  });

  app.get(
    '/api/v1/people/:ref',
    {
      schema: { params: refParams, response: { 200: personResponse } },
      config: {
        doc: {
          summary: 'One person, by handle, name or id, with their photos',
          tags: ['people'],
          problems: [404],
        },
      },
    },
    async (request) => {
      const { ref } = request.params as { ref: string };
      return answer(request.tenant, (await found(request.tenant, ref)).id);
    },
  );

  app.put(
    '/api/v1/people/:ref/name',
    {
      schema: {
        params: refParams,
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: ['string', 'null'], maxLength: 256 } },
        },
        response: { 200: personResponse },
      },
      config: {
        doc: { summary: 'Names a person (null clears the name)', tags: ['people'], problems: [400, 404] },
      },
    },
    async (request) => {
      const { ref } = request.params as { ref: string };
      const { name } = request.body as { name: string | null };
      const id = await people.namePerson(request.tenant, (await found(request.tenant, ref)).id, name);
      return answer(request.tenant, id);
    },
  );

  app.post(
    '/api/v1/people/:ref/merge',
    {
      schema: {
        params: refParams,
        body: {
          type: 'object',
          required: ['into'],
          additionalProperties: false,
          properties: { into: { type: 'string', minLength: 1, maxLength: 128 } },
        },
        response: {
          200: {
            type: 'object',
            required: ['kept', 'merged'],
            properties: { kept: personSchema, merged: { type: ['string', 'null'] } },
          },
        },
      },
      config: {
        doc: {
          summary: 'Joins a person into another; `merged` is the id to unmerge with',
          tags: ['people'],
          problems: [400, 404],
        },
      },
    },
    async (request) => {
      const { ref } = request.params as { ref: string };
      const { into } = request.body as { into: string };
      const from = await found(request.tenant, ref);
      const target = await found(request.tenant, into);
      const outcome = await people.mergePeople(request.tenant, from.id, target.id);
      return { kept: view(await found(request.tenant, outcome.kept)), merged: outcome.merged };
    },
  );

  app.post(
    '/api/v1/people/:ref/unmerge',
    {
      schema: { params: refParams, response: { 200: personResponse } },
      config: {
        doc: {
          summary: 'Undoes the merge that removed this person id',
          tags: ['people'],
          problems: [400, 404],
        },
      },
    },
    async (request) => {
      const { ref } = request.params as { ref: string };
      const id = await people.undoMerge(request.tenant, decodeURIComponent(ref));
      return answer(request.tenant, id);
    },
  );

  app.put(
    '/api/v1/people/:ref/hidden',
    {
      schema: {
        params: refParams,
        body: {
          type: 'object',
          required: ['hidden'],
          additionalProperties: false,
          properties: { hidden: { type: 'boolean' } },
        },
        response: { 200: personResponse },
      },
      config: {
        doc: {
          summary: 'Hides a person from the people list, or shows them',
          tags: ['people'],
          problems: [404],
        },
      },
    },
    async (request) => {
      const { ref } = request.params as { ref: string };
      const { hidden } = request.body as { hidden: boolean };
      const id = await people.hidePerson(request.tenant, (await found(request.tenant, ref)).id, hidden);
      return answer(request.tenant, id);
    },
  );

  app.put(
    '/api/v1/faces/:face/cover',
    {
      schema: {
        params: {
          type: 'object',
          required: ['face'],
          properties: { face: { type: 'string', pattern: '^[0-9a-f-]{36}$' } },
        },
        response: { 200: personResponse },
      },
      config: {
        doc: {
          summary: 'Makes this face its person’s cover, kept across albums',
          tags: ['people'],
          problems: [400],
        },
      },
    },
    async (request) => {
      const { face } = request.params as { face: string };
      return answer(request.tenant, await people.chooseCover(request.tenant, face));
    },
  );

  app.post(
    '/api/v1/faces/:face/split',
    {
      schema: {
        params: {
          type: 'object',
          required: ['face'],
          properties: { face: { type: 'string', pattern: '^[0-9a-f-]{36}$' } },
        },
        response: {
          200: {
            type: 'object',
            required: ['personId'],
            properties: { personId: { type: ['string', 'null'] } },
          },
        },
      },
      config: {
        doc: {
          summary: '“Not this person”: the face leaves its person for good and is grouped again',
          tags: ['people'],
          problems: [400],
        },
      },
    },
    async (request) => {
      const { face } = request.params as { face: string };
      return people.splitFace(request.tenant, face);
    },
  );
}
