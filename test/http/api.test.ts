/**
 * The HTTP API on loopback over real Redis, real stores and the real `local` models: photos go in by
 * upload and by object key, the BullMQ flow runs, search finds the person by selfie and by embedding;
 * a missing or wrong key, another tenant's key, an oversize upload and malformed JSON each get their
 * status and a problem+json body, and write nothing.
 */
import { readFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { tenantPrefix } from '../../src/core/keys.js';
import { addressPolicy } from '../../src/import/address-policy.js';
import { fixture } from '../support/fixtures.js';
import { FR, KNN, listBlobs } from '../jobs/support/harness.js';
import { startSite, type Site } from '../import/support/site.js';
import { METRICS_TOKEN, startApi, type Api } from './support/api.js';

const A = 'tg-7001';
const B = 'tg-7002';
const MAX_UPLOAD = 2 * 1024 * 1024;

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  reason?: string;
}

describe('HTTP API', () => {
  let api: Api;
  let site: Site;
  let keyA: string;
  let keyB: string;
  beforeAll(async () => {
    site = await startSite();
    api = await startApi({
      policy: addressPolicy([`127.0.0.1:${site.port}`]),
      limits: { maxUploadBytes: MAX_UPLOAD },
    });
    keyA = (await api.apiKeys.create(A)).key;
    keyB = (await api.apiKeys.create(B)).key;
  }, 60_000);
  afterAll(async () => {
    await api.close();
    await site.close();
  });

  const call = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const { key, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key) headers.set('authorization', `Bearer ${key}`);
    return fetch(`${api.base}${path}`, { ...rest, headers });
  };
  const json = (body: unknown) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const photo = async (p: string) => new Blob([await readFile(fixture(p))], { type: 'image/jpeg' });
  const form = async (field: string, ...paths: string[]) => {
    const f = new FormData();
    for (const p of paths) f.append(field, await photo(p), p.split('/').pop());
    return f;
  };
  async function expectProblem(response: Response, status: number, code: string): Promise<Problem> {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await response.json()) as Problem;
    expect(body).toMatchObject({ status, code });
    expect(body.type).toMatch(/^urn:faceblog:problem:/);
    expect(body.title.length).toBeGreaterThan(0);
    return body;
  }
  async function waitDone(key: string, albumId: string) {
    const until = Date.now() + 60_000;
    for (;;) {
      const r = await call(`/api/v1/albums/${albumId}`, { key });
      const body = (await r.json()) as {
        status: string;
        result: { people: unknown[]; photos: unknown[] } | null;
      };
      if (body.status === 'done' || body.status === 'failed') return body;
      if (Date.now() > until) throw new Error(`album ${albumId}: ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  const written = async () => ({
    blobs: [
      ...(await listBlobs(api.h.stores, tenantPrefix(A))),
      ...(await listBlobs(api.h.stores, tenantPrefix(B))),
    ],
    albums:
      (await api.h.stores.metadata.listAlbums(A)).length + (await api.h.stores.metadata.listAlbums(B)).length,
  });

  it('serves an OpenAPI 3.1 document generated from the routes', async () => {
    const doc = (await (await call('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/ingest',
        '/api/v1/ingest/batch',
        '/api/v1/search',
        '/api/v1/albums/{id}',
        '/api/v1/people',
        '/api/v1/people/{ref}',
        '/api/v1/people/{ref}/merge',
        '/api/v1/faces/{face}/split',
        '/api/v1/tenants/{tenant}',
        '/api/v1/import',
        '/healthz',
        '/readyz',
        '/metrics',
      ]),
    );
    expect(Object.keys(doc.paths['/api/v1/search']?.post?.requestBody?.content ?? {}).sort()).toEqual([
      'application/json',
      'multipart/form-data',
    ]);
  });

  it('refuses bad keys, other tenants, oversize uploads and malformed JSON, writing nothing', async () => {
    // Tenant B has an object of its own in the store, which A must not be able to ingest.
    await api.h.stores.blobs.put(`${B}/inbox/obama.jpg`, await readFile(fixture(`${FR}/obama.jpg`)), {
      contentType: 'image/jpeg',
    });
    const before = await written();
    const upload = { method: 'POST', body: await form('photos', `${FR}/obama.jpg`) };

    const none = await call('/api/v1/ingest/batch', upload);
    await expectProblem(none, 401, 'UNAUTHORIZED');
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    await expectProblem(
      await call('/api/v1/ingest/batch', { ...upload, key: `${keyA.slice(0, -4)}AAAA` }),
      401,
      'UNAUTHORIZED',
    );
    await expectProblem(await call('/api/v1/people', { key: 'not-a-key' }), 401, 'UNAUTHORIZED');
    await expectProblem(
      await call('/api/v1/ingest', { ...json({ key: `${B}/inbox/obama.jpg` }), key: keyA }),
      403,
      'FORBIDDEN',
    );
    await expectProblem(
      await call(`/api/v1/tenants/${A}`, { method: 'DELETE', key: keyB }),
      403,
      'FORBIDDEN',
    );

    const big = new FormData();
    big.append('photos', new Blob([new Uint8Array(MAX_UPLOAD + 1)], { type: 'image/jpeg' }), 'big.jpg');
    await expectProblem(
      await call('/api/v1/ingest/batch', { method: 'POST', body: big, key: keyA }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    const bigJson = json({
      keys: Array.from({ length: 500 }, () => `${A}/${'x'.repeat(1020)}`),
      pad: 'x'.repeat(600_000),
    });
    await expectProblem(
      await call('/api/v1/ingest/batch', { ...bigJson, key: keyA }),
      413,
      'PAYLOAD_TOO_LARGE',
    );

    await expectProblem(
      await call('/api/v1/ingest/batch', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"keys": ["tg-7001/x.jpg",',
        key: keyA,
      }),
      400,
      'MALFORMED_JSON',
    );
    const invalid = await expectProblem(
      await call('/api/v1/ingest/batch', { ...json({ keys: [] }), key: keyA }),
      400,
      'VALIDATION',
    );
    expect(invalid.detail).toMatch(/schema/);
    await expectProblem(
      await call('/api/v1/ingest', { ...json({ key: `${A}/inbox/missing.jpg` }), key: keyA }),
      404,
      'NOT_FOUND',
    );
    await expectProblem(
      await call('/api/v1/ingest', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'hi',
        key: keyA,
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(await written()).toEqual(before);
  });

  let albumA = '';
  it('ingests uploads and object keys, runs the flow, and finds the person by selfie and by embedding', async () => {
    const r = await call('/api/v1/ingest/batch', {
      method: 'POST',
      body: await form('photos', `${FR}/obama.jpg`, `${FR}/obama2.jpg`, `${FR}/biden.jpg`),
      key: keyA,
    });
    expect(r.status).toBe(202);
    const submitted = (await r.json()) as {
      albumId: string;
      photoCount: number;
      alreadyKnown: boolean;
      statusUrl: string;
    };
    expect(submitted).toMatchObject({
      photoCount: 3,
      alreadyKnown: false,
      statusUrl: `/api/v1/albums/${submitted.albumId}`,
    });
    albumA = submitted.albumId;
    const done = await waitDone(keyA, albumA);
    expect(done.status).toBe('done');
    expect(done.result?.people).toHaveLength(2);

    // The same photos again are the same album: nothing new is queued.
    const again = await call('/api/v1/ingest/batch', {
      method: 'POST',
      body: await form('photos', `${FR}/obama.jpg`, `${FR}/obama2.jpg`, `${FR}/biden.jpg`),
      key: keyA,
    });
    expect(((await again.json()) as { alreadyKnown: boolean }).alreadyKnown).toBe(true);

    // By object key: a photo the app already put in the bucket under the tenant.
    const key = `${A}/inbox/kit.jpeg`;
    await api.h.stores.blobs.put(key, await readFile(fixture(`${KNN}/train/kit_harington/john1.jpeg`)), {
      contentType: 'image/jpeg',
    });
    const byKey = await call('/api/v1/ingest', { ...json({ key, albumId: 'inbox-1' }), key: keyA });
    expect(byKey.status).toBe(202);
    expect(((await waitDone(keyA, 'inbox-1')).result?.people ?? []).length).toBe(1);

    const people = (await (await call('/api/v1/people', { key: keyA })).json()) as {
      people: Array<{ id: string; faceCount: number; coverUrl: string | null }>;
    };
    expect(people.people).toHaveLength(3);
    // Blobs are served by the API, never as file:// URLs naming the server's data path.
    expect(people.people.every((p) => p.coverUrl?.startsWith(`/api/v1/blobs/${A}/faces/`))).toBe(true);
    const cover = await call(people.people[0]!.coverUrl!, { key: keyA });
    expect(cover.status).toBe(200);
    expect(cover.headers.get('content-type')).toBe('image/jpeg');
    expect((await call(people.people[0]!.coverUrl!, { key: keyB })).status).toBe(404);

    const selfie = new FormData();
    selfie.append('selfie', await photo(`${FR}/obama-720p.jpg`), 'me.jpg');
    const found = (await (
      await call('/api/v1/search', { method: 'POST', body: selfie, key: keyA })
    ).json()) as {
      status: string;
      person: { id: string } | null;
      results: Array<{ sha256: string; similarity: number; thumbnailUrl: string; photoUrl: string }>;
    };
    expect(found.status).toBe('found');
    expect(found.results).toHaveLength(2);
    const obamaShas = (await api.h.stores.metadata.listPhotos(A, albumA))
      .filter((p) => p.name !== 'biden.jpg')
      .map((p) => p.sha256)
      .sort();
    expect(found.results.map((x) => x.sha256).sort()).toEqual(obamaShas);
    expect(found.results[0]!.thumbnailUrl).toMatch(
      new RegExp(`^/api/v1/blobs/${A}/thumbs/[0-9a-f]{64}\\.jpg$`),
    );
    expect(found.results[0]!.similarity).toBeGreaterThanOrEqual(found.results[1]!.similarity);

    const limited = new FormData();
    limited.append('selfie', await photo(`${FR}/obama-720p.jpg`), 'me.jpg');
    limited.append('limit', '1');
    const one = (await (
      await call('/api/v1/search', { method: 'POST', body: limited, key: keyA })
    ).json()) as {
      results: unknown[];
    };
    expect(one.results).toHaveLength(1);

    // By embedding: the stored vector of Biden's face finds Biden's photo and not Obama's.
    const biden = (await api.h.stores.metadata.listPhotos(A, albumA)).find((p) => p.name === 'biden.jpg')!;
    const faces = await api.h.stores.index.search(
      A,
      new Float32Array(api.h.pack.dim).fill(1 / Math.sqrt(api.h.pack.dim)),
      {
        limit: 50,
        pack: api.h.pack.name,
      },
    );
    const bidenFace = faces.find((f) => f.payload.photo === biden.sha256)!;
    const [stored] = await api.h.stores.index.get(A, [bidenFace.id], { withVectors: true });
    const byVector = (await (
      await call('/api/v1/search', {
        ...json({ embedding: Array.from(stored!.vector!), limit: 5 }),
        key: keyA,
      })
    ).json()) as { status: string; results: Array<{ sha256: string; similarity: number }> };
    expect(byVector.status).toBe('found');
    expect(byVector.results.map((x) => x.sha256)).toEqual([biden.sha256]);
    expect(byVector.results[0]!.similarity).toBeCloseTo(1, 3);
    await expectProblem(
      await call('/api/v1/search', { ...json({ embedding: [1, 2, 3] }), key: keyA }),
      400,
      'VALIDATION',
    );

    const noFace = new FormData();
    noFace.append('selfie', await photo('compreface/017_0.jpg'), 'x.jpg');
    const unusable = await expectProblem(
      await call('/api/v1/search', { method: 'POST', body: noFace, key: keyA }),
      422,
      'UNUSABLE_SELFIE',
    );
    expect(unusable.reason).toBe('no-face');

    // Two faces of about the same size: 422 with the boxes, then a search with the chosen face.
    const two = new FormData();
    two.append('selfie', await photo('compreface/010_2.jpg'), 'two.jpg');
    const several = await expectProblem(
      await call('/api/v1/search', { method: 'POST', body: two, key: keyA }),
      422,
      'UNUSABLE_SELFIE',
    );
    expect(several.reason).toBe('several-faces');
    expect((several as unknown as { faces: unknown[] }).faces).toHaveLength(2);
    const chosen = new FormData();
    chosen.append('selfie', await photo('compreface/010_2.jpg'), 'two.jpg');
    chosen.append('face', '1');
    const stranger = (await (
      await call('/api/v1/search', { method: 'POST', body: chosen, key: keyA })
    ).json()) as {
      status: string | number;
      reason?: string;
      results?: unknown[];
    };
    // Nobody of this tenant; or, when the chosen face is too small to search with, a coded reason.
    if (stranger.status === 'no-match') expect(stranger.results).toEqual([]);
    else expect(stranger).toMatchObject({ status: 422, reason: 'poor-quality' });

    // An answer to "is this them?" is kept and returns the person's photos.
    const answered = (await (
      await call('/api/v1/search/answer', {
        ...json({ selfie: 'a'.repeat(64), person: found.person!.id, yes: true }),
        key: keyA,
      })
    ).json()) as { status: string; results: unknown[] };
    expect(answered.status).toBe('found');
    expect(answered.results).toHaveLength(2);
  });

  it('names, merges and unmerges, hides, and finds people by handle or name, in the caller tenant only', async () => {
    type Person = { id: string; handle: number; name: string | null; hidden: boolean; faceCount: number };
    const list = (await (await call('/api/v1/people', { key: keyA })).json()) as { people: Person[] };
    const byHandle = [...list.people].sort((a, b) => a.handle - b.handle);
    expect(byHandle.map((p) => p.handle)).toEqual([1, 2, 3]);
    const [one, two] = byHandle as [Person, Person];

    const got = (await (await call('/api/v1/people/%231', { key: keyA })).json()) as {
      person: Person;
      photos: { sha256: string }[];
    };
    expect(got.person.id).toBe(one.id);
    expect(got.photos.length).toBeGreaterThan(0);

    const named = await call('/api/v1/people/1/name', {
      ...json({ name: 'Anna Maria' }),
      method: 'PUT',
      key: keyA,
    });
    expect(((await named.json()) as { person: Person }).person.name).toBe('Anna Maria');
    const byName = (await (await call('/api/v1/people/anna%20maria', { key: keyA })).json()) as {
      person: Person;
    };
    expect(byName.person.id).toBe(one.id);

    const merged = (await (
      await call('/api/v1/people/2/merge', { ...json({ into: '1' }), key: keyA })
    ).json()) as { kept: Person; merged: string };
    expect(merged.kept.id).toBe(one.id);
    expect(merged.merged).toBe(two.id);
    // The old handle now means the merged person; unmerge brings it back with its handle.
    expect(
      ((await (await call('/api/v1/people/2', { key: keyA })).json()) as { person: Person }).person.id,
    ).toBe(one.id);
    const unmerged = (await (
      await call(`/api/v1/people/${two.id}/unmerge`, { method: 'POST', key: keyA })
    ).json()) as { person: Person };
    expect([unmerged.person.id, unmerged.person.handle]).toEqual([two.id, 2]);

    const hidden = await call('/api/v1/people/3/hidden', {
      ...json({ hidden: true }),
      method: 'PUT',
      key: keyA,
    });
    expect(((await hidden.json()) as { person: Person }).person.hidden).toBe(true);
    await call('/api/v1/people/3/hidden', { ...json({ hidden: false }), method: 'PUT', key: keyA });
    await call('/api/v1/people/1/name', { ...json({ name: null }), method: 'PUT', key: keyA });

    await expectProblem(
      await call('/api/v1/faces/00000000-0000-0000-0000-000000000000/cover', { method: 'PUT', key: keyA }),
      422,
      'BAD_ARGUMENTS',
    );
    await expectProblem(
      await call('/api/v1/faces/00000000-0000-0000-0000-000000000000/split', { method: 'POST', key: keyA }),
      422,
      'BAD_ARGUMENTS',
    );
    // Tenant B has no person 1, and cannot name A's.
    await expectProblem(await call('/api/v1/people/1', { key: keyB }), 404, 'NOT_FOUND');
    await expectProblem(
      await call(`/api/v1/people/${one.id}/name`, { ...json({ name: 'X' }), method: 'PUT', key: keyB }),
      404,
      'NOT_FOUND',
    );
  });

  it("never shows one tenant's data to another tenant's key", async () => {
    await expectProblem(await call(`/api/v1/albums/${albumA}`, { key: keyB }), 404, 'NOT_FOUND');
    expect(await (await call('/api/v1/people', { key: keyB })).json()).toEqual({ people: [] });
    const selfie = new FormData();
    selfie.append('selfie', await photo(`${FR}/obama-720p.jpg`), 'me.jpg');
    const inB = (await (
      await call('/api/v1/search', { method: 'POST', body: selfie, key: keyB })
    ).json()) as {
      status: string;
      results: unknown[];
    };
    expect(inB).toMatchObject({ status: 'no-match', results: [] });
  });

  it('imports the photos of a local site as an album, and refuses the metadata address', async () => {
    const r = await call('/api/v1/import', { ...json({ url: `${site.origin}/` }), key: keyB });
    expect(r.status).toBe(202);
    const outcome = (await r.json()) as {
      albumId: string;
      images: string[];
      skipped: Array<{ url: string; reason: string }>;
    };
    expect(outcome.images).toHaveLength(4);
    expect(outcome.skipped.map((s) => s.reason)).toEqual(
      expect.arrayContaining([
        'loopback',
        'link-local (cloud metadata)',
        'disallowed by robots.txt',
        'smaller than 200 px',
      ]),
    );
    const done = await waitDone(keyB, outcome.albumId);
    // Kit Harington, Obama (twice) and Biden.
    expect(done.result?.people).toHaveLength(3);

    const refused = await expectProblem(
      await call('/api/v1/import', {
        ...json({ url: 'http://169.254.169.254/latest/meta-data/' }),
        key: keyB,
      }),
      422,
      'IMPORT_REFUSED',
    );
    expect(refused.reason).toBe('link-local (cloud metadata)');
    await expectProblem(
      await call('/api/v1/import', { ...json({ url: 'not a url' }), key: keyB }),
      400,
      'VALIDATION',
    );
  });

  it('reports health, readiness and metrics', async () => {
    expect((await call('/healthz')).status).toBe(200);
    const ready = await call('/readyz');
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, { ok: boolean }> }).checks).toMatchObject({
      redis: { ok: true },
      index: { ok: true },
      metadata: { ok: true },
      storage: { ok: true },
    });
    expect((await call('/metrics')).status).toBe(404);
    const text = await (
      await call('/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(text).toMatch(/faceblog_jobs\{queue="photos",state="completed"\} [1-9]/);
    expect(text).toMatch(/faceblog_faces_indexed_total [1-9]/);
    expect(text).toMatch(/faceblog_stage_seconds_count\{stage="job:photos"\} [1-9]/);
    expect(text).toMatch(/faceblog_errors_total\{code="UNAUTHORIZED",source="http"\} 3/);
    expect(text).toMatch(
      /faceblog_http_request_seconds_count\{method="POST",route="\/api\/v1\/search",status="200"\}/,
    );
  });

  it('forgets a tenant on its own key, revoking the key, and logs no key or embedding', async () => {
    expect((await call(`/api/v1/tenants/${A}`, { method: 'DELETE', key: keyA })).status).toBe(204);
    expect(await api.h.stores.index.count({ tenant: A })).toBe(0);
    expect(await listBlobs(api.h.stores, tenantPrefix(A))).toEqual([]);
    await expectProblem(await call('/api/v1/people', { key: keyA }), 401, 'UNAUTHORIZED');
    expect((await call('/api/v1/people', { key: keyB })).status).toBe(200);

    const all = api.logs.join('\n');
    expect(api.logs.length).toBeGreaterThan(10);
    expect(all).not.toContain(keyA);
    expect(all).not.toContain(keyB);
    expect(all).not.toMatch(/0\.\d{6,},-?0\.\d{6,}/);
    const withTenant = api.logs
      .map((l) => JSON.parse(l) as { tenant?: string; albumId?: string })
      .filter((l) => l.tenant === A);
    expect(withTenant.some((l) => l.albumId === albumA)).toBe(true);
  });
});
