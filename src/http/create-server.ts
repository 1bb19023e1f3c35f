/**
 * The HTTP API on Fastify: authentication by per-tenant API key, RFC 9457 errors, body validation from
 * the route schemas, upload limits, the OpenAPI document at /openapi.json with a browsable reference at
 * /docs, and /healthz, /readyz and /metrics. Builds the server only; `listen` is the caller's
 * (src/main-serve.ts, tests).
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';

import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

import { opsResponse } from '../ops/ops-server.js';
import { type ApiDeps, type ApiLimits, DEFAULT_API_LIMITS } from './deps.js';
import { registerDocsUi } from './docs-ui.js';
import { createOpenApiCollector, type OpenApiCollector, type RouteDoc } from './openapi.js';
import { HttpProblem, PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';
import { createGate, createTenantSlots, registerRateLimits } from './request-limits.js';
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
  interface FastifyInstance {
    /** The OpenAPI collector: the document and the routes it was built from. */
    openapi: OpenApiCollector;
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
    // Request ids in logs and problem `instance`s. A proxy's X-Request-Id is kept only when it looks
    // like an id: anything else (any length, any bytes) is replaced, never echoed.
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
    },
    // Path parameters are tenant ids (64) and album ids (128); longer ones get a coded 414.
    routerOptions: { maxParamLength: 200 },
    // The router's own refusals (a malformed or over-long URL) as coded problems that never echo the URL.
    frameworkErrors: (error, request, reply) => {
      const problem =
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new HttpProblem('URI_TOO_LONG', 'a path parameter is longer than any valid id')
          : new HttpProblem('VALIDATION', 'the URL cannot be decoded');
      void sendProblem(reply, toProblem(problem, request.id));
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  const openapi = createOpenApiCollector({
    title: 'faceblog API',
    version: '1',
    description:
      'Photos in, people and searchable faces out. Every call is scoped to the tenant of its API key.',
  });
  app.addHook('onRoute', openapi.onRoute);
  app.decorate('openapi', openapi);
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

  await registerRateLimits(app, limits);

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
  const json = 'application/json';
  const opsResponses: Record<string, RouteDoc['responses']> = {
    '/healthz': { '200': { description: 'Up: {"status":"ok"}', contentType: json } },
    '/readyz': {
      '200': {
        description: 'Ready: every check answered ({"status":"ready","checks":{...}})',
        contentType: json,
      },
      '503': {
        description: 'Not ready: the checks that failed, with their errors ({"status":"not ready",...})',
        contentType: json,
      },
    },
    '/metrics': { '200': { description: 'Prometheus text exposition format', contentType: 'text/plain' } },
  };
  for (const [path, summary] of [
    ['/healthz', 'The process is up'],
    ['/readyz', 'Redis, index, metadata and storage answer'],
    ['/metrics', 'Prometheus metrics'],
  ] as const) {
    app.get(
      path,
      { config: { doc: { ...ops.doc, summary, responses: opsResponses[path] ?? {} } } },
      async (request, reply) => {
        // Metrics describe every tenant at once: never public. Served here only with the ops token.
        if (path === '/metrics' && !opsTokenMatches(request, deps.metricsToken ?? null)) {
          throw new HttpProblem('NOT_FOUND', 'metrics are served with the ops token only');
        }
        const r = await opsResponse(path, deps.readinessChecks, deps.metrics);
        if (!r) throw new HttpProblem('NOT_FOUND', 'metrics are not enabled');
        return reply.code(r.status).type(r.contentType).send(r.body);
      },
    );
  }
  app.get(
    '/openapi.json',
    {
      config: {
        doc: {
          ...ops.doc,
          summary: 'This document (browsable at /docs)',
          responses: { '200': { description: 'OpenAPI 3.1', contentType: json } },
        },
      },
    },
    () => Promise.resolve(openapi.document()),
  );
  await registerDocsUi(app, openapi.document);

  const context: RouteContext = {
    deps,
    limits,
    searchGate: createGate(limits.searchConcurrency, limits.searchQueue, 'selfie searches'),
    importSlots: createTenantSlots(limits.importsPerTenant, 'imports'),
  };
  registerIngestRoutes(app, context);
  registerSearchRoutes(app, context);
  registerReadRoutes(app, context);
  registerPeopleRoutes(app, context);
  registerTenantRoutes(app, context);
  registerImportRoutes(app, context);
  return app;
}

/** Ids we echo: a UUID, a ULID, a proxy's hex or base64url id; 1..64 characters. */
const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

function opsTokenMatches(request: FastifyRequest, token: string | null): boolean {
  if (token === null) return false;
  const given = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function sendProblem(reply: FastifyReply, problem: ReturnType<typeof toProblem>) {
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(problem);
}
