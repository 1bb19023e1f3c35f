/**
 * The OpenAPI 3.1 document, generated from the routes as they are registered: each route's JSON Schemas
 * (the ones Fastify validates with) become its parameters, request bodies and responses, so the
 * document describes exactly what the server does. OpenAPI 3.1 uses JSON Schema 2020-12, which reads
 * our schemas as they are (`type: ['string', 'null']` included).
 */
import type { RouteOptions } from 'fastify';

import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { problemSchema } from './schemas.js';

/** Extra route fields the document reads; Fastify ignores them. */
export interface RouteDoc {
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  /** False for the unauthenticated routes (health, metrics, the document itself). */
  readonly auth?: boolean;
  /** The multipart/form-data form the route also accepts. */
  readonly multipart?: Record<string, unknown>;
  /** Problem statuses the route can answer with. */
  readonly problems?: readonly number[];
  /** Answers of routes without a response schema (the ops routes): status → content type and text. */
  readonly responses?: Readonly<
    Record<string, { readonly description: string; readonly contentType: string }>
  >;
  /** Served but not part of the API (the /docs pages): left out of the document. */
  readonly hidden?: boolean;
}

type Json = Record<string, unknown>;

export function createOpenApiCollector(info: { title: string; version: string; description: string }) {
  const paths: Record<string, Record<string, Json>> = {};
  /**
   * Every route registered, documented or not, so a test can hold the document to the server. Read
   * when asked: a plugin's own onRoute hook (the /docs context marks its routes hidden) runs after ours.
   */
  const registered: RouteOptions[] = [];

  function onRoute(route: RouteOptions): void {
    registered.push(route);
    const config = (route.config ?? {}) as { doc?: RouteDoc };
    const doc = config.doc;
    if (!doc || doc.hidden) return;
    const schema = (route.schema ?? {}) as {
      body?: Json;
      params?: { properties?: Record<string, Json>; required?: readonly string[] };
      querystring?: { properties?: Record<string, Json>; required?: readonly string[] };
      response?: Record<string, Json>;
    };
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      const operation: Json = {
        ...(doc.summary ? { summary: doc.summary } : {}),
        ...(doc.description ? { description: doc.description } : {}),
        ...(doc.tags ? { tags: doc.tags } : {}),
        operationId: `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c?: string) => (c ? c.toUpperCase() : ''))}`,
      };
      const parameters = [...params(schema.params, 'path'), ...params(schema.querystring, 'query')];
      if (parameters.length > 0) operation.parameters = parameters;
      // Bodies are declared per content type (Fastify validates the JSON one; multipart is streamed).
      const content: Json = { ...((schema.body?.content as Json | undefined) ?? {}) };
      if (doc.multipart) content['multipart/form-data'] = { schema: doc.multipart };
      if (Object.keys(content).length > 0) operation.requestBody = { required: true, content };
      const responses: Json = {};
      for (const [status, body] of Object.entries(schema.response ?? {})) {
        responses[status] = {
          description: statusText(status),
          ...(status === '204' ? {} : { content: { 'application/json': { schema: body } } }),
        };
      }
      for (const [status, r] of Object.entries(doc.responses ?? {})) {
        responses[status] = { description: r.description, content: { [r.contentType]: { schema: {} } } };
      }
      for (const status of [...(doc.auth === false ? [] : [401]), ...(doc.problems ?? [])]) {
        responses[String(status)] = {
          description: statusText(String(status)),
          content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } },
        };
      }
      if (Object.keys(responses).length === 0) responses['200'] = { description: 'OK' };
      operation.responses = responses;
      if (doc.auth === false) operation.security = [];
      (paths[path] ??= {})[method.toLowerCase()] = operation;
    }
  }

  function document(): Json {
    return {
      openapi: '3.1.0',
      info,
      paths,
      security: [{ apiKey: [] }],
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description:
              'A per-tenant key from `faceblog api-key create <tenant>` (also accepted as X-API-Key).',
          },
        },
        schemas: { Problem: problemSchema },
      },
    };
  }

  return {
    onRoute,
    document,
    /** The routes the server has (HEAD and hidden ones aside), documented or not. */
    routes(): Array<{ method: string; url: string; documented: boolean }> {
      return registered.flatMap((route) => {
        const doc = route.config?.doc;
        if (doc?.hidden) return [];
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        return methods
          .filter((m) => m !== 'HEAD')
          .map((method) => ({ method, url: route.url, documented: !!doc }));
      });
    },
  };
}

export type OpenApiCollector = ReturnType<typeof createOpenApiCollector>;

function params(
  schema: { properties?: Record<string, Json>; required?: readonly string[] } | undefined,
  where: 'path' | 'query',
): Json[] {
  if (!schema?.properties) return [];
  return Object.entries(schema.properties).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (schema.required ?? []).includes(name),
    schema: s,
  }));
}

const STATUS_TEXT: Record<string, string> = {
  '200': 'OK',
  '202': 'Accepted: queued',
  '204': 'Done, no content',
  '400': 'Malformed JSON or a body that does not match the schema',
  '401': 'Missing or invalid API key',
  '403': 'The key belongs to another tenant',
  '404': 'Not found in this tenant',
  '413': 'Upload too large',
  '415': 'Unsupported content type',
  '422': 'The input cannot be processed',
  '503': 'Not ready',
};

function statusText(status: string): string {
  return STATUS_TEXT[status] ?? status;
}
