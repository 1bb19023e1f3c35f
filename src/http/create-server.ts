/**
 * The HTTP API on Fastify: authentication by per-tenant API key, RFC 9457 errors, body validation from
 * the route schemas, upload limits, the OpenAPI document at /openapi.json, and /healthz, /readyz and
 * /metrics. Builds the server only; `listen` is the caller's (src/main-serve.ts, tests).
 */
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

import { opsResponse } from '../ops/ops-server.js';
import { type ApiDeps, type ApiLimits, DEFAULT_API_LIMITS } from './deps.js';
import { createOpenApiCollector, type RouteDoc } from './openapi.js';
import { HttpProblem, PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';
import type { RouteContext } from './route-context.js';
import { registerImportRoutes } from './routes/import.js';
import { registerIngestRoutes } from './routes/ingest.js';
import { registerPeopleRoutes } from './routes/people.js';
import { registerReadRoutes } from './routes/read.js';
import { registerSearchRoutes } from './routes/search.js';
import { registerTenantRoutes } from './routes/tenants.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant of the request's API key; set by the auth hook on every authenticated route. */
    tenant: string;
  }
  interface FastifyContextConfig {
    doc?: RouteDoc;
  }
}

/** The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
function presentedKey(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    return m?.[1] ?? null;
  }
  const header = request.headers['x-api-key'];
  return typeof header === 'string' ? header : null;
}

export async function createApiServer(deps: ApiDeps): Promise<FastifyInstance> {
  const limits: ApiLimits = { ...DEFAULT_API_LIMITS, ...deps.limits };
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: limits.maxJsonBytes,
    // Request ids in logs and problem `instance`s; a proxy's X-Request-Id is kept.
    requestIdHeader: 'x-request-id',
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  const openapi = createOpenApiCollector({
    title: 'faceblog API',
    version: '1',
    description:
      'Photos in, people and searchable faces out. Every call is scoped to the tenant of its API key.',
  });
  app.addHook('onRoute', openapi.onRoute);
  // Bodies are JSON or multipart; anything else (Fastify also parses text/plain) is a 415.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('tenant', '');

  await app.register(multipart, {
    limits: {
      fileSize: limits.maxUploadBytes,
      files: limits.maxFiles,
      // Form fields are short: an album id, a limit, a score.
      fields: 10,
      fieldSize: 1024,
      parts: limits.maxFiles + 10,
    },
  });

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.doc?.auth === false || request.routeOptions.url === undefined) return;
    const key = presentedKey(request);
    const found = key === null ? null : await deps.apiKeys.verify(key);
    if (!found) {
      throw new HttpProblem(
        'UNAUTHORIZED',
        key === null ? 'no API key was sent' : 'the API key is not valid',
        {
          headers: { 'www-authenticate': 'Bearer' },
        },
      );
    }
    request.tenant = found.tenant;
    request.log = request.log.child({ tenant: found.tenant, keyId: found.id });
  });

  app.setErrorHandler(async (error, request, reply) => {
    const problem = toProblem(error, request.id);
    if (problem.status >= 500) request.log.error({ err: error, code: problem.code }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, problem.detail);
    if (error instanceof HttpProblem) {
      for (const [name, value] of Object.entries(error.extra.headers ?? {})) reply.header(name, value);
    }
    deps.metrics?.errors.inc({ code: problem.code, source: 'http' });
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(
      reply,
      toProblem(new HttpProblem('NOT_FOUND', `no route ${request.method} ${request.url}`), request.id),
    ),
  );

  if (deps.metrics) {
    const metrics = deps.metrics;
    app.addHook('onResponse', async (request, reply) => {
      metrics.httpSeconds.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
    });
  }

  const ops = { doc: { auth: false, tags: ['operations'] } satisfies RouteDoc };
  for (const [path, summary] of [
    ['/healthz', 'The process is up'],
    ['/readyz', 'Redis, index, metadata and storage answer'],
    ['/metrics', 'Prometheus metrics'],
  ] as const) {
    app.get(
      path,
      { config: { doc: { ...ops.doc, summary, problems: path === '/readyz' ? [503] : [] } } },
      async (_request, reply) => {
        const r = await opsResponse(path, deps.readinessChecks, deps.metrics);
        if (!r) throw new HttpProblem('NOT_FOUND', 'metrics are not enabled');
        return reply.code(r.status).type(r.contentType).send(r.body);
      },
    );
  }
  app.get('/openapi.json', { config: { doc: { ...ops.doc, summary: 'This document' } } }, () =>
    Promise.resolve(openapi.document()),
  );

  const context: RouteContext = { deps, limits };
  registerIngestRoutes(app, context);
  registerSearchRoutes(app, context);
  registerReadRoutes(app, context);
  registerPeopleRoutes(app, context);
  registerTenantRoutes(app, context);
  registerImportRoutes(app, context);
  return app;
}

function sendProblem(reply: FastifyReply, problem: ReturnType<typeof toProblem>) {
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(problem);
}
