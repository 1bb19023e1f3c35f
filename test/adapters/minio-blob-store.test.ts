import { randomBytes } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MinioBlobStore } from '../../src/adapters/minio-blob-store.js';
import { photoKey } from '../../src/core/keys.js';
import { startLocalS3, type LocalS3 } from '../support/s3rver.js';
import { describeBlobStoreContract } from './blob-store-contract.js';

let s3: LocalS3 | undefined;
let bucketSeq = 0;

beforeAll(async () => {
  s3 = await startLocalS3();
});
afterAll(async () => {
  await s3?.stop();
});

function newStore(bucket = `faceblog-test-${++bucketSeq}`): MinioBlobStore {
  if (!s3) throw new Error('local S3 server not started');
  return new MinioBlobStore({
    bucket,
    client: {
      endPoint: s3.endPoint,
      port: s3.port,
      useSSL: false,
      accessKey: s3.accessKey,
      secretKey: s3.secretKey,
      // A fixed region keeps the client from asking the server for one before presigning.
      region: 'us-east-1',
      pathStyle: true,
    },
  });
}

describeBlobStoreContract('MinioBlobStore on s3rver', () =>
  Promise.resolve({ store: newStore(), close: () => Promise.resolve() }),
);

describe('MinioBlobStore specifics', () => {
  it('creates the bucket on first use, and ensureBucket is idempotent', async () => {
    const store = newStore();
    await Promise.all([store.ensureBucket(), store.ensureBucket()]);
    await newStore(`faceblog-test-${bucketSeq}`).ensureBucket();
  });

  it('serves a blob through a presigned GET URL', async () => {
    const store = newStore();
    const key = photoKey('tg-7', 'cd'.repeat(32), 'jpg');
    const bytes = new Uint8Array(randomBytes(4096));
    await store.put(key, bytes, { contentType: 'image/jpeg' });
    const url = await store.url(key, { expiresInSeconds: 300 });
    expect(url).toContain('X-Amz-Signature=');
    expect(url).toContain('X-Amz-Expires=300');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('refuses presigned lifetimes S3 does not allow', async () => {
    const store = newStore();
    const key = photoKey('tg-7', 'cd'.repeat(32), 'jpg');
    await expect(store.url(key, { expiresInSeconds: 0 })).rejects.toMatchObject({ code: 'BAD_ARGUMENTS' });
    await expect(store.url(key, { expiresInSeconds: 8 * 24 * 3600 })).rejects.toMatchObject({
      code: 'BAD_ARGUMENTS',
    });
  });
});
