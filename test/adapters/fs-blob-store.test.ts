import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { FsBlobStore } from '../../src/adapters/fs-blob-store.js';
import { photoKey, tenantPrefix, thumbKey } from '../../src/core/keys.js';
import { describeBlobStoreContract } from './blob-store-contract.js';

async function tempRoot(): Promise<{ dir: string; root: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'faceblog-fs-blobs-'));
  return { dir, root: path.join(dir, 'blobs') };
}

describeBlobStoreContract('FsBlobStore', async () => {
  const { dir, root } = await tempRoot();
  return { store: new FsBlobStore({ root }), close: () => rm(dir, { recursive: true, force: true }) };
});

const sha = 'ab'.repeat(32);
const tenant = 'tg-42';

describe('FsBlobStore specifics', () => {
  it('does no I/O in the constructor and creates the root on first write', async () => {
    const { dir, root } = await tempRoot();
    try {
      const store = new FsBlobStore({ root });
      expect(existsSync(root)).toBe(false);
      expect(await store.get(thumbKey(tenant, sha))).toBeNull();
      await store.put(thumbKey(tenant, sha), new Uint8Array([1]), { contentType: 'image/jpeg' });
      expect(existsSync(path.join(root, tenant, 'thumbs', `${sha}.jpg`))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes atomically: no temp files remain and concurrent writers leave one whole blob', async () => {
    const { dir, root } = await tempRoot();
    try {
      const store = new FsBlobStore({ root });
      const key = photoKey(tenant, sha, 'png');
      const versions = [1, 2, 3, 4, 5].map((v) => new Uint8Array(200_000).fill(v));
      await Promise.all(versions.map((bytes) => store.put(key, bytes, { contentType: 'image/png' })));
      const got = (await store.get(key))!;
      expect(got.length).toBe(200_000);
      expect(new Set(got).size).toBe(1);
      expect(await readdir(path.join(root, tenant, 'photos'))).toEqual([`${sha}.png`]);
      expect((await store.head(key))?.contentType).toBe('image/png');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gives file URLs, or URLs under the public base', async () => {
    const { dir, root } = await tempRoot();
    try {
      const key = thumbKey(tenant, sha);
      const local = await new FsBlobStore({ root }).url(key, { expiresInSeconds: 60 });
      expect(fileURLToPath(local)).toBe(path.join(root, key));
      const pub = new FsBlobStore({ root, publicBaseUrl: 'https://media.example.com/b/' });
      expect(await pub.url(key, { expiresInSeconds: 60 })).toBe(`https://media.example.com/b/${key}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('deletePrefix of a tenant leaves files outside the root alone', async () => {
    const { dir, root } = await tempRoot();
    try {
      const store = new FsBlobStore({ root });
      const outside = path.join(dir, 'outside.txt');
      await writeFile(outside, 'keep');
      await store.put(thumbKey(tenant, sha), new Uint8Array([1]), { contentType: 'image/jpeg' });
      // A symlink planted inside the tenant (by something other than the store) is removed, not followed.
      await symlink(dir, path.join(root, tenant, 'link'));
      await store.deletePrefix(tenantPrefix(tenant));
      expect(existsSync(path.join(root, tenant))).toBe(false);
      expect(existsSync(outside)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
