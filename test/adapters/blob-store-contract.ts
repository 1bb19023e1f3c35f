/**
 * What every BlobStore must do, run against each adapter: round trips, tenant isolation, prefix
 * deletion and the refusal of keys that could escape a tenant.
 */
import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { isAppError } from '../../src/core/errors.js';
import { faceKey, photoKey, tenantPrefix, thumbKey } from '../../src/core/keys.js';
import type { BlobStore } from '../../src/ports/blob-store.js';

export interface BlobStoreHarness {
  readonly store: BlobStore;
  /** Releases what the factory made (temp dirs, servers). */
  close(): Promise<void>;
}

const sha = (seed: string): string => seed.repeat(64).slice(0, 64);
const A = 'tg-123456789';
/** Shares A's leading characters, so a prefix without its slash would reach it. */
const A2 = 'tg-1234567890';
const B = 'tg--1001234567890';

async function collect(iterable: AsyncIterable<{ key: string; size: number }>): Promise<string[]> {
  const keys: string[] = [];
  for await (const blob of iterable) keys.push(blob.key);
  return keys.sort();
}

async function expectBadArguments(promise: Promise<unknown>): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAppError(error) && error.code).toBe('BAD_ARGUMENTS');
}

/** Keys that must never reach storage: traversal, absolute, hidden, encoded, empty, tenant-less. */
export const HOSTILE_KEYS = [
  '',
  '../etc/passwd',
  `${A}/../${B}/photos/x.jpg`,
  `${A}/photos/../../${B}/x.jpg`,
  `/${A}/photos/x.jpg`,
  `${A}//photos/x.jpg`,
  `${A}/photos/..`,
  `${A}/photos/.`,
  `${A}/photos/.hidden`,
  `${A}\\..\\${B}\\x.jpg`,
  `${A}/photos/%2e%2e/x.jpg`,
  `${A}/photos/x.jpg\u0000`,
  `${A}/photos/`,
  A,
  `TG-1/photos/x.jpg`,
  `../${A}/photos/x.jpg`,
];

export function describeBlobStoreContract(
  name: string,
  factory: () => Promise<BlobStoreHarness>,
  options: { skip?: string } = {},
): void {
  const title = options.skip === undefined ? name : `${name} (skipped: ${options.skip})`;
  describe.skipIf(options.skip !== undefined)(title, () => {
    const withStore = (fn: (store: BlobStore) => Promise<void>) => async () => {
      const harness = await factory();
      try {
        await fn(harness.store);
      } finally {
        await harness.close();
      }
    };

    it(
      'round-trips bytes, size and content type; missing blobs are null',
      withStore(async (store) => {
        const key = photoKey(A, sha('a'), 'jpg');
        const bytes = new Uint8Array(randomBytes(70_000));
        await store.put(key, bytes, { contentType: 'image/jpeg' });
        expect(Buffer.from((await store.get(key))!).equals(Buffer.from(bytes))).toBe(true);
        expect(await store.head(key)).toEqual({ key, size: bytes.length, contentType: 'image/jpeg' });
        const missing = photoKey(A, sha('b'), 'jpg');
        expect(await store.get(missing)).toBeNull();
        expect(await store.head(missing)).toBeNull();
      }),
    );

    it(
      'overwrites a key with the new bytes and deletes idempotently',
      withStore(async (store) => {
        const key = thumbKey(A, sha('c'));
        await store.put(key, new Uint8Array([1, 2, 3]), { contentType: 'image/jpeg' });
        await store.put(key, new Uint8Array([4, 5]), { contentType: 'image/jpeg' });
        expect(Array.from((await store.get(key))!)).toEqual([4, 5]);
        expect(await collect(store.list(tenantPrefix(A)))).toEqual([key]);
        await store.delete(key);
        await store.delete(key);
        expect(await store.get(key)).toBeNull();
      }),
    );

    it(
      'keeps tenants apart: same names in A and B, listing and deleting A never touches B',
      withStore(async (store) => {
        const tenants = [A, A2, B];
        for (const t of tenants) {
          await store.put(photoKey(t, sha('d'), 'jpg'), new TextEncoder().encode(t), {
            contentType: 'image/jpeg',
          });
          await store.put(faceKey(t, sha('d'), 0), new Uint8Array([0]), { contentType: 'image/jpeg' });
        }
        expect(await collect(store.list(tenantPrefix(A)))).toEqual([
          faceKey(A, sha('d'), 0),
          photoKey(A, sha('d'), 'jpg'),
        ]);
        expect(new TextDecoder().decode(await store.get(photoKey(B, sha('d'), 'jpg')))).toBe(B);

        await store.deletePrefix(tenantPrefix(A));
        expect(await collect(store.list(tenantPrefix(A)))).toEqual([]);
        expect(await store.get(photoKey(A, sha('d'), 'jpg'))).toBeNull();
        for (const t of [A2, B]) {
          expect(await collect(store.list(tenantPrefix(t)))).toEqual([
            faceKey(t, sha('d'), 0),
            photoKey(t, sha('d'), 'jpg'),
          ]);
        }
      }),
    );

    it(
      'deletePrefix of a partial segment removes exactly the matching blobs and leaves nothing',
      withStore(async (store) => {
        const keep = faceKey(A, sha('f'), 0);
        const gone = [faceKey(A, sha('e'), 0), faceKey(A, sha('e'), 1), faceKey(A, sha('e'), 12)];
        for (const key of [...gone, keep]) {
          await store.put(key, new Uint8Array([7]), { contentType: 'image/jpeg' });
        }
        await store.deletePrefix(`${A}/faces/${sha('e')}_`);
        expect(await collect(store.list(`${A}/faces/`))).toEqual([keep]);
        await store.deletePrefix(`${A}/`);
        expect(await collect(store.list(`${A}/`))).toEqual([]);
        // Deleting an empty or never-used prefix is not an error.
        await store.deletePrefix(`${B}/albums/`);
      }),
    );

    it(
      'lists many blobs across nested prefixes',
      withStore(async (store) => {
        const keys = Array.from({ length: 30 }, (_, i) => `${A}/albums/al-${i % 3}/p${i}.json`);
        await Promise.all(
          keys.map((k) => store.put(k, new Uint8Array([1]), { contentType: 'application/json' })),
        );
        expect(await collect(store.list(`${A}/albums/`))).toEqual([...keys].sort());
        expect(await collect(store.list(`${A}/albums/al-1/`))).toHaveLength(10);
      }),
    );

    it(
      'rejects hostile keys and prefixes in every operation',
      withStore(async (store) => {
        for (const key of HOSTILE_KEYS) {
          await expectBadArguments(store.put(key, new Uint8Array([1]), { contentType: 'image/jpeg' }));
          await expectBadArguments(store.get(key));
          await expectBadArguments(store.head(key));
          await expectBadArguments(store.delete(key));
          await expectBadArguments(store.url(key, { expiresInSeconds: 60 }));
        }
        // A prefix must name a whole tenant: `tg-1` would also reach `tg-12/...`.
        for (const prefix of ['', A, `../${A}/`, `${A}/../`, `/${A}/`, `${A}/./`, `${A}\\`]) {
          await expectBadArguments(store.deletePrefix(prefix));
          await expectBadArguments(collect(store.list(prefix)));
        }
      }),
    );
  });
}
