/**
 * Hostile input against the HTTP API on loopback (real Redis, stores, worker and `local` models):
 * malformed bodies, wrong types, huge fields, traversal, bombs, non-images, duplicate keys and floods.
 * Every refused request must get a coded problem answer (4xx, 429 or 503, `application/problem+json`,
 * a `urn:faceblog:problem:` type and a code), never a 500, and must leave nothing stored: no blob byte,
 * no album row, no vector. The counts are printed for the closing note.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { tenantPrefix } from '../../src/core/keys.js';
import { addressPolicy } from '../../src/import/address-policy.js';
import { FR } from '../jobs/support/harness.js';
import { fixture } from '../support/fixtures.js';
import { startApi, type Api } from './support/api.js';

const H = 'tg-6601';
const O = 'tg-6602';
const F = 'tg-6603';
const MAX_UPLOAD = 2 * 1024 * 1024;
const PER_KEY = 100;

interface Tally {
  tried: number;
  coded: number;
  server: number;
}

describe('hostile input', () => {
  let api: Api;
  let slow: http.Server;
  let slowPort = 0;
  let keyH = '';
  let keyO = '';
  let keyF = '';
  let jpeg: Uint8Array;
  const tally: Tally = { tried: 0, coded: 0, server: 0 };
  const ownKey = `${H}/uploads/a.jpg`;

  beforeAll(async () => {
    // A page that answers after 1.5 s: two imports of one tenant overlap on it.
    slow = http.createServer((_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>nothing</p>'), 1500);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    slowPort = (slow.address() as { port: number }).port;
    api = await startApi({
      policy: addressPolicy([`127.0.0.1:${slowPort}`]),
      limits: {
        maxUploadBytes: MAX_UPLOAD,
        maxBatchBytes: 3 * 1024 * 1024,
        ratePerKeyPerMinute: PER_KEY,
        ratePerIpPerMinute: 10_000,
        searchConcurrency: 1,
        searchQueue: 1,
      },
    });
    keyH = (await api.apiKeys.create(H)).key;
    keyO = (await api.apiKeys.create(O)).key;
    keyF = (await api.apiKeys.create(F)).key;
    jpeg = new Uint8Array(await readFile(fixture(`${FR}/obama.jpg`)));
    // An object the tenant put into the store itself (set-up, not a request under test).
    await api.h.stores.blobs.put(ownKey, jpeg, { contentType: 'image/jpeg' });
  }, 60_000);
  afterAll(async () => {
    console.log(`hostile suite: ${JSON.stringify(tally)}`);
    await api.close();
    await new Promise((resolve) => slow.close(resolve));
  });

  async function storedBytes(): Promise<{ bytes: number; albums: number; vectors: number }> {
    let bytes = 0;
    for (const t of [H, O, F]) {
      for await (const b of api.h.stores.blobs.list(tenantPrefix(t))) bytes += b.key === ownKey ? 0 : b.size;
    }
    let albums = 0;
    let vectors = 0;
    for (const t of [H, O, F]) {
      albums += (await api.h.stores.metadata.listAlbums(t)).length;
      vectors += await api.h.stores.index.count({ tenant: t });
    }
    return { bytes, albums, vectors };
  }

  function send(path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> {
    const { key, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key) headers.set('authorization', `Bearer ${key}`);
    return fetch(`${api.base}${path}`, { ...rest, headers });
  }

  /** Sends one hostile request and checks its answer is a coded problem with one of `statuses`. */
  async function refused(
    path: string,
    init: RequestInit & { key?: string | null },
    statuses: readonly number[],
    code?: string,
  ): Promise<{ status: number; code: string; headers: Headers; text: string }> {
    const response = await send(path, init);
    return check(response, statuses, code);
  }

  async function check(response: Response, statuses: readonly number[], code?: string) {
    tally.tried += 1;
    const text = await response.text();
    if (response.status >= 500 && response.status !== 503) tally.server += 1;
    expect(statuses, `${response.status} ${text.slice(0, 300)}`).toContain(response.status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(text) as { type: string; code: string; status: number };
    expect(body.type).toMatch(/^urn:faceblog:problem:/);
    expect(body.code).toMatch(/^[A-Z_]+$/);
    expect(body.status).toBe(response.status);
    if (code) expect(body.code).toBe(code);
    tally.coded += 1;
    return { status: response.status, code: body.code, headers: response.headers, text };
  }

  const json = (body: unknown) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const raw = (body: string, contentType: string) => ({
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  const upload = (
    field: string,
    files: Array<[Uint8Array | string, string]>,
    fields: Record<string, string> = {},
  ) => {
    const form = new FormData();
    for (const [bytes, name] of files) form.append(field, new Blob([bytes]), name);
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    return { method: 'POST', body: form };
  };
  function png(width: number, height: number): Uint8Array {
    const b = new Uint8Array(64);
    b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(b.buffer).setUint32(16, width);
    new DataView(b.buffer).setUint32(20, height);
    return b;
  }
  function jpegBomb(): Uint8Array {
    // SOI, then a baseline frame header claiming 60000 × 60000 (3.6 GP), then the rest of a real JPEG.
    const sof = [0xff, 0xc0, 0, 11, 8, 0xea, 0x60, 0xea, 0x60, 1, 1, 0x11, 0];
    return new Uint8Array([0xff, 0xd8, ...sof, ...jpeg.subarray(2, 2000)]);
  }

  it('refuses bad credentials', async () => {
    await refused('/api/v1/people', {}, [401], 'UNAUTHORIZED');
    await refused('/api/v1/people', { key: 'nope' }, [401], 'UNAUTHORIZED');
    await refused('/api/v1/people', { key: `fbk_${'0'.repeat(16)}_${'A'.repeat(43)}` }, [401]);
    await refused('/api/v1/people', { headers: { 'x-api-key': 'x'.repeat(8000) } }, [401]);
    await refused('/metrics', {}, [404]);
    await refused('/metrics', { headers: { authorization: 'Bearer wrong' } }, [404]);
  });

  it('answers malformed bodies with 400, 413 or 415', async () => {
    await refused('/api/v1/ingest', { ...json('{'), key: keyH }, [400], 'MALFORMED_JSON');
    await refused('/api/v1/ingest', { ...json(''), key: keyH }, [400]);
    await refused('/api/v1/ingest', { ...json([1, 2]), key: keyH }, [400], 'VALIDATION');
    await refused('/api/v1/ingest', { ...raw('key=x', 'text/plain'), key: keyH }, [415]);
    await refused('/api/v1/ingest', { ...raw('<key/>', 'application/xml'), key: keyH }, [415]);
    const boundary = 'XyZ';
    const mp = `multipart/form-data; boundary=${boundary}`;
    await refused('/api/v1/ingest', { ...raw(`--${boundary}\r\ngarbage\r\n\r\n`, mp), key: keyH }, [400]);
    await refused(
      '/api/v1/ingest',
      {
        ...raw(
          `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\n\r\nabc`,
          mp,
        ),
        key: keyH,
      },
      [400],
    );
    await refused(
      '/api/v1/ingest',
      { ...raw('no boundary at all', 'multipart/form-data'), key: keyH },
      [400, 415],
    );
    await refused('/api/v1/ingest', { ...upload('photo', [], { albumId: 'x' }), key: keyH }, [400]);
    await refused('/api/v1/ingest', { ...upload('other', [[jpeg, 'a.jpg']]), key: keyH }, [400]);
    await refused(
      '/api/v1/ingest',
      { ...upload('photo', [[jpeg, 'a.jpg']], { evil: '1' }), key: keyH },
      [400],
    );
    await refused('/api/v1/search', { ...json('{"embedding": [1,2,'), key: keyH }, [400]);
  });

  it('answers wrong types with 400', async () => {
    for (const body of [
      { key: 123 },
      { key: null },
      { key: ['a'] },
      { key: ownKey, albumId: 5 },
      { key: ownKey, extra: true },
    ]) {
      await refused('/api/v1/ingest', { ...json(body), key: keyH }, [400], 'VALIDATION');
    }
    for (const body of [{ keys: 'x' }, { keys: [] }, { keys: [1, 2] }]) {
      await refused('/api/v1/ingest/batch', { ...json(body), key: keyH }, [400], 'VALIDATION');
    }
    const dim = api.h.pack.dim;
    for (const body of [
      { embedding: 'abc' },
      { embedding: [1, 2, 3] },
      { embedding: new Array<number>(dim).fill(0) },
      { embedding: new Array<number>(dim).fill(0.1), limit: -1 },
      { embedding: new Array<number>(dim).fill(0.1), limit: '5' },
      { embedding: new Array<number>(dim).fill(0.1), minScore: 7 },
    ]) {
      await refused('/api/v1/search', { ...json(body), key: keyH }, [400], 'VALIDATION');
    }
    await refused(
      '/api/v1/search',
      { ...json(`{"embedding":[${new Array(dim).fill('1e400').join(',')}]}`), key: keyH },
      [400],
    );
    await refused('/api/v1/import', { ...json({ url: 42 }), key: keyH }, [400]);
  });

  it('refuses huge fields without echoing them', async () => {
    const huge = 'a'.repeat(10_000);
    await refused('/api/v1/ingest', { ...json({ key: ownKey, albumId: huge }), key: keyH }, [400]);
    await refused('/api/v1/ingest', { ...json({ key: `${H}/${huge}` }), key: keyH }, [400]);
    const long = await refused(`/api/v1/albums/${'b'.repeat(5000)}`, { key: keyH }, [400, 404, 414]);
    expect(long.text).not.toContain('b'.repeat(300));
    const id = await refused('/api/v1/people', { headers: { 'x-request-id': 'r'.repeat(5000) } }, [401]);
    expect(id.text).not.toContain('r'.repeat(100));
    expect(id.headers.get('x-request-id') ?? '').not.toContain('r'.repeat(100));
    const odd = await refused('/api/v1/people', { headers: { 'x-request-id': '<script>' } }, [401]);
    expect(odd.text).not.toContain('<script>');
    await refused(
      '/api/v1/ingest',
      { ...json({ key: ownKey, pad: 'x'.repeat(1_100_000) }), key: keyH },
      [413],
    );
    await refused(
      '/api/v1/ingest',
      { ...upload('photo', [[new Uint8Array(MAX_UPLOAD + 10), 'big.jpg']]), key: keyH },
      [413],
    );
    await refused(
      '/api/v1/ingest/batch',
      {
        ...upload(
          'photos',
          Array.from({ length: 60 }, (_, i): [Uint8Array, string] => [jpeg.subarray(0, 100), `${i}.jpg`]),
        ),
        key: keyH,
      },
      [413],
    );
    await refused(
      '/api/v1/ingest',
      { ...upload('photo', [[jpeg, 'a.jpg']], { albumId: 'c'.repeat(5000) }), key: keyH },
      [400, 413],
    );
    await refused(
      '/api/v1/import',
      { ...json({ url: `https://example.com/${'p'.repeat(3000)}` }), key: keyH },
      [400],
    );
  });

  it('refuses traversal and other tenants', async () => {
    for (const key of [
      `${H}/../${O}/photos/a.jpg`,
      `${H}/uploads/../../etc/passwd`,
      `${H}/uploads/%2e%2e/x.jpg`,
      `${H}//x.jpg`,
      `${H}/.hidden`,
    ]) {
      await refused('/api/v1/ingest', { ...json({ key }), key: keyH }, [400, 404]);
    }
    await refused('/api/v1/ingest', { ...json({ key: `${O}/photos/a.jpg` }), key: keyH }, [403], 'FORBIDDEN');
    await refused('/api/v1/ingest', { ...json({ key: '/etc/passwd' }), key: keyH }, [403]);
    await refused('/api/v1/ingest', { ...json({ key: `${H}-x/photos/a.jpg` }), key: keyH }, [403]);
    await refused(`/api/v1/blobs/${O}/photos/a.jpg`, { key: keyH }, [404]);
    await refused(`/api/v1/blobs/${H}/uploads/%2e%2e%2f%2e%2e%2f${O}%2fphotos%2fa.jpg`, { key: keyH }, [404]);
    await refused(`/api/v1/blobs/${H}/nothing.jpg`, { key: keyH }, [404]);
    await refused(`/api/v1/tenants/${O}`, { method: 'DELETE', key: keyH }, [403]);
    await refused('/api/v1/tenants/..%2f..%2fx', { method: 'DELETE', key: keyH }, [400, 404]);
    await refused('/api/v1/albums/..%2f..%2fetc', { key: keyH }, [400, 404]);
    await refused('/api/v1/ingest', { method: 'PUT', key: keyH }, [404]);
    await refused('/nothing/here', {}, [404]);
  });

  it('refuses bombs and non-images before storing them', async () => {
    const before = await storedBytes();
    const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj\n<<>>\nendobj\n');
    const html = new TextEncoder().encode(
      '<!doctype html><html><body><script>alert(1)</script></body></html>',
    );
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>');
    const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0xe0, 0x2e, 0xe0, 0x2e, 0, 0, 0]);
    const noise = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251);
    const cases: Array<[Uint8Array, string, string]> = [
      [png(12_000, 12_000), 'bomb.png', 'TOO_MANY_PIXELS'],
      [gif, 'bomb.gif', 'TOO_MANY_PIXELS'],
      [jpegBomb(), 'bomb.jpg', 'TOO_MANY_PIXELS'],
      [html, 'page.html', 'UNSUPPORTED_FORMAT'],
      [html, 'photo.jpg', 'UNSUPPORTED_FORMAT'],
      [pdf, 'doc.pdf', 'UNSUPPORTED_FORMAT'],
      [svg, 'x.svg', 'UNSUPPORTED_FORMAT'],
      [noise, 'noise.jpg', 'UNSUPPORTED_FORMAT'],
      [new Uint8Array(0), 'empty.jpg', 'EMPTY_FILE'],
    ];
    for (const [bytes, name, code] of cases) {
      await refused('/api/v1/ingest', { ...upload('photo', [[bytes, name]]), key: keyH }, [422], code);
    }
    await refused(
      '/api/v1/ingest/batch',
      {
        ...upload('photos', [
          [html, 'a.html'],
          [pdf, 'b.pdf'],
          [png(20_000, 20_000), 'c.png'],
        ]),
        key: keyH,
      },
      [422],
    );
    await refused(
      '/api/v1/search',
      { ...upload('selfie', [[png(12_000, 12_000), 'me.png']]), key: keyH },
      [422],
    );
    await refused('/api/v1/search', { ...upload('selfie', [[html, 'me.jpg']]), key: keyH }, [422]);
    expect(await storedBytes()).toEqual(before);
  });

  it('refuses duplicate and oversized object-key batches before reading any object', async () => {
    const before = await storedBytes();
    await refused(
      '/api/v1/ingest/batch',
      { ...json({ keys: [ownKey, ownKey] }), key: keyH },
      [400],
      'VALIDATION',
    );
    await refused(
      '/api/v1/ingest/batch',
      { ...json({ keys: new Array<string>(25).fill(ownKey) }), key: keyH },
      [400],
    );
    // Four distinct objects of ~1 MiB each: over the 3 MiB batch cap.
    const big = `${H}/uploads/big`;
    for (let i = 0; i < 4; i++) {
      await api.h.stores.blobs.put(`${big}${i}.jpg`, new Uint8Array(1024 * 1024), {
        contentType: 'image/jpeg',
      });
    }
    await refused(
      '/api/v1/ingest/batch',
      { ...json({ keys: [0, 1, 2, 3].map((i) => `${big}${i}.jpg`) }), key: keyH },
      [413],
    );
    for (let i = 0; i < 4; i++) await api.h.stores.blobs.delete(`${big}${i}.jpg`);
    await refused(
      '/api/v1/ingest/batch',
      { ...json({ keys: [`${H}/uploads/missing.jpg`] }), key: keyH },
      [404],
    );
    expect(await storedBytes()).toEqual(before);
  });

  it('rate-limits a flooding key with 429 and Retry-After', async () => {
    const answers = await Promise.all(
      Array.from({ length: PER_KEY + 20 }, () => send('/api/v1/people', { key: keyF })),
    );
    const limited = answers.filter((r) => r.status === 429);
    expect(answers.filter((r) => r.status === 200).length).toBeLessThanOrEqual(PER_KEY);
    expect(limited.length).toBeGreaterThanOrEqual(20);
    for (const r of limited) {
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
      await check(r, [429], 'TOO_MANY_REQUESTS');
    }
    for (const r of answers.filter((x) => x.status !== 429)) await r.arrayBuffer();
  });

  it('bounds the selfie-search queue with 503 and Retry-After', async () => {
    const selfie = new Uint8Array(await readFile(fixture(`${FR}/obama-720p.jpg`)));
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        send('/api/v1/search', { ...upload('selfie', [[selfie, 'me.jpg']]), key: keyO }),
      ),
    );
    const busy = answers.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    for (const r of busy) {
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
      await check(r, [503], 'BUSY');
    }
    for (const r of answers.filter((x) => x.status !== 503)) await r.arrayBuffer();
  });

  it('runs one import per tenant at a time (429 for the second) and refuses internal addresses', async () => {
    const page = `http://127.0.0.1:${slowPort}/`;
    const [a, b] = await Promise.all([
      send('/api/v1/import', { ...json({ url: page }), key: keyO }),
      new Promise((r) => setTimeout(r, 200)).then(() =>
        send('/api/v1/import', { ...json({ url: page }), key: keyO }),
      ),
    ]);
    await a.arrayBuffer();
    expect(a.status).not.toBe(429);
    await check(b, [429], 'TOO_MANY_REQUESTS');
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:169.254.169.254]/',
      'http://[2002:a9fe:a9fe::1]/',
      'http://[::7f00:1]/',
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://10.0.0.1/',
      'file:///etc/passwd',
      'javascript:alert(1)',
    ]) {
      await refused('/api/v1/import', { ...json({ url }), key: keyH }, [400, 422]);
    }
  });

  it('answered every hostile request with a coded problem, no 500, nothing stored', async () => {
    expect(tally.server).toBe(0);
    expect(tally.coded).toBe(tally.tried);
    expect(tally.tried).toBeGreaterThanOrEqual(60);
    expect(await storedBytes()).toEqual({ bytes: 0, albums: 0, vectors: 0 });
  });
});
