/**
 * The OpenAPI document against the server it describes: every route the server has is in the document
 * and every operation in the document is a route, path parameters match, references resolve, and the
 * browsable reference at /docs serves the same document without a key. Real server over the jobs
 * harness (Redis, embedded stores, the `local` pack).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { addressPolicy } from '../../src/import/address-policy.js';
import { startApi, type Api } from './support/api.js';

interface Operation {
  operationId: string;
  parameters?: Array<{ name: string; in: string; required: boolean }>;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  security?: unknown[];
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

describe('the OpenAPI document', () => {
  let api: Api;
  let doc: Doc;
  beforeAll(async () => {
    api = await startApi({ policy: addressPolicy([]) });
    doc = (await (await fetch(`${api.base}/openapi.json`)).json()) as Doc;
  }, 60_000);
  afterAll(async () => {
    await api.close();
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
  /** `/api/v1/albums/:id` as the document writes it. */
  const templated = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

  it('documents every route the server has, and nothing else', () => {
    const routes = api.server.openapi.routes();
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.filter((r) => !r.documented).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    const served = new Set(routes.map((r) => `${r.method.toLowerCase()} ${templated(r.url)}`));
    const documented = operations().map(({ path, method }) => `${method} ${path}`);
    expect(new Set(documented)).toEqual(served);
    for (const { path, method } of operations()) {
      const url = path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
      expect(api.server.hasRoute({ method: method.toUpperCase(), url }), `${method} ${path}`).toBe(true);
    }
  });

  it('declares each path parameter, unique operation ids, and resolvable references', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, op } of operations()) {
      const inPath = [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? [])
        .filter((p) => p.in === 'path')
        .map((p) => p.name)
        .sort();
      expect(declared, `${method} ${path}`).toEqual(inPath);
      expect(Object.keys(op.responses).length, `${method} ${path}`).toBeGreaterThan(0);
      for (const response of Object.values(op.responses)) {
        for (const media of Object.values(response.content ?? {})) {
          const ref = media.schema?.$ref;
          if (ref) expect(doc.components.schemas[ref.replace('#/components/schemas/', '')]).toBeDefined();
        }
      }
    }
  });

  it('documents both answers of /readyz and the public ops routes', () => {
    expect(Object.keys(doc.paths['/readyz']?.get?.responses ?? {}).sort()).toEqual(['200', '503']);
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      expect(doc.paths[path]?.get?.security, path).toEqual([]);
      expect(doc.paths[path]?.get?.responses['200'], path).toBeDefined();
    }
  });

  it('serves a browsable reference at /docs, without a key, on the same document', async () => {
    const page = await fetch(`${api.base}/docs/`, { redirect: 'follow' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('swagger-ui');
    const served = (await (await fetch(`${api.base}/docs/json`)).json()) as Doc;
    expect(served.paths).toEqual(doc.paths);
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/docs'))).toBe(false);
  });
});
