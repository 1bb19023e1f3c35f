import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { API_KEYS_FILE, apiKeyStore, runApiKeyCommand } from '../../src/http/api-keys.js';

describe('API keys', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'faceblog-keys-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores only hashes, verifies per tenant, and revokes', async () => {
    const store = apiKeyStore(dir);
    const a = await store.create('tg-1', 'app');
    const b = await store.create('dc-2-3');
    const file = path.join(dir, API_KEYS_FILE);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(a.key);
    expect(text).not.toContain(a.key.split('_')[2]!);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    expect(await store.verify(a.key)).toEqual({ id: a.id, tenant: 'tg-1' });
    expect(await store.verify(b.key)).toEqual({ id: b.id, tenant: 'dc-2-3' });
    // Right id, wrong secret; malformed; empty.
    expect(await store.verify(`${a.key.slice(0, -1)}${a.key.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(await store.verify('fbk_nope')).toBeNull();
    expect(await store.verify('')).toBeNull();
    await expect(store.create('Not A Tenant')).rejects.toThrow(/tenant/);

    // A second store on the same dir (the CLI while the server runs) sees the new key at once.
    const lines: string[] = [];
    expect(await runApiKeyCommand(['create', 'tg-9'], dir, (l) => lines.push(l))).toBe(0);
    expect((await store.verify(lines[0]!))?.tenant).toBe('tg-9');

    expect(await store.revoke(a.id)).toBe(true);
    expect(await store.verify(a.key)).toBeNull();
    expect(await store.revokeTenant('dc-2-3')).toBe(1);
    expect((await store.list()).map((k) => k.tenant)).toEqual(['tg-9']);
  });

  it('keeps every key of concurrent creates, from one store and from several (CLI and server)', async () => {
    const own = await mkdtemp(path.join(os.tmpdir(), 'faceblog-keys-'));
    const one = apiKeyStore(own);
    const created = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => one.create(`tg-${100 + i}`)),
      ...Array.from({ length: 10 }, (_, i) => apiKeyStore(own).create(`tg-${200 + i}`)),
    ]);
    const check = apiKeyStore(own);
    expect(await check.list()).toHaveLength(20);
    for (const c of created) expect(await check.verify(c.key)).not.toBeNull();
    await rm(own, { recursive: true, force: true });
  });

  it('answers a torn key file with a coded I/O error, not a crash', async () => {
    const own = await mkdtemp(path.join(os.tmpdir(), 'faceblog-keys-'));
    await writeFile(path.join(own, API_KEYS_FILE), '{"version":1,"keys":[{"id":');
    await expect(apiKeyStore(own).verify(`fbk_${'0'.repeat(16)}_${'A'.repeat(43)}`)).rejects.toMatchObject({
      code: 'IO_ERROR',
    });
    await rm(own, { recursive: true, force: true });
  });
});
