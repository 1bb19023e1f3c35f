import { describe, expect, it } from 'vitest';

import { parseConfig } from '../../src/config.js';
import { albumFlow } from '../../src/jobs/flows.js';
import { albumJobId, JobName, photoJobId, QueueName } from '../../src/jobs/names.js';
import { defaultAlbumId, sniffType } from '../../src/services/photo-service.js';

const SHA = 'a'.repeat(64);

describe('job ids', () => {
  it('are deterministic, free of ":" and never all digits', () => {
    expect(photoJobId('tg--100123', 0, 'mg123', SHA)).toBe(`photo_tg--100123_g0_mg123_${SHA}`);
    expect(albumJobId('tg-1', 0, '12345')).toBe('album_tg-1_g0_12345');
    for (const id of [photoJobId('dc-1-2', 3, 'x', SHA), albumJobId('tg-1', 0, 'a'.repeat(200))]) {
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
    }
    expect(albumJobId('tg-1', 0, 'a'.repeat(200)).length).toBeLessThan(80);
    expect(() => photoJobId('Bad:Tenant', 0, 'x', SHA)).toThrow();
    expect(() => photoJobId('tg-1', -1, 'x', SHA)).toThrow();
  });
  it('carry the chat generation, so a photo sent again after "forget all" runs again', () => {
    expect(photoJobId('tg-1', 1, 'al1', SHA)).not.toBe(photoJobId('tg-1', 0, 'al1', SHA));
    expect(albumJobId('tg-1', 1, 'al1')).not.toBe(albumJobId('tg-1', 0, 'al1'));
  });
});

describe('albumFlow', () => {
  it('makes the album the parent of one retried photo job each, which never fail it', () => {
    const flow = albumFlow({
      tenant: 'tg-1',
      albumId: 'al1',
      generation: 2,
      photos: [
        { sha256: SHA, blobKey: `tg-1/photos/${SHA}.jpg`, name: 'a.jpg' },
        { sha256: 'b'.repeat(64), blobKey: `tg-1/photos/${'b'.repeat(64)}.jpg`, name: 'b.jpg' },
      ],
    });
    expect(flow).toMatchObject({
      name: JobName.groupAlbum,
      queueName: QueueName.albums,
      opts: { jobId: 'album_tg-1_g2_al1' },
    });
    expect(flow.children).toHaveLength(2);
    expect(flow.children?.[0]).toMatchObject({
      name: JobName.indexPhoto,
      queueName: QueueName.photos,
      data: { tenant: 'tg-1', albumId: 'al1', generation: 2, sha256: SHA, name: 'a.jpg', total: 2 },
      opts: {
        jobId: `photo_tg-1_g2_al1_${SHA}`,
        attempts: 5,
        backoff: { type: 'exponential', delay: 2000 },
        failParentOnFailure: false,
        ignoreDependencyOnFailure: true,
      },
    });
  });
});

describe('photo service helpers', () => {
  it('names an album by its photos, whatever their order', () => {
    expect(defaultAlbumId(['b', 'a'])).toBe(defaultAlbumId(['a', 'b']));
    expect(defaultAlbumId(['a'])).not.toBe(defaultAlbumId(['a', 'b']));
  });
  it('stores photos under the type their bytes show', () => {
    expect(sniffType(new Uint8Array([0xff, 0xd8, 0xff, 0xe1]), 'x.png')).toEqual({
      ext: 'jpg',
      contentType: 'image/jpeg',
    });
    expect(sniffType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'x')).toEqual({
      ext: 'png',
      contentType: 'image/png',
    });
    expect(sniffType(new TextEncoder().encode('\0\0\0\x18ftypheic'), 'IMG_1.HEIC').ext).toBe('heic');
    expect(sniffType(new Uint8Array([0x49, 0x49, 0x2a, 0x00]), 'scan.TIFF').ext).toBe('tiff');
  });
  it('refuses anything else before it is stored, whatever the name says', () => {
    const html = new TextEncoder().encode('<!doctype html><html><body>hi</body></html>');
    expect(() => sniffType(html, 'page.html')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_FORMAT' }),
    );
    expect(() => sniffType(new Uint8Array([1, 2, 3]), 'scan.TIFF')).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_FORMAT' }),
    );
    // A PNG header claiming 12000 × 12000 (144 MP): refused from its header alone.
    const bomb = new Uint8Array(33);
    bomb.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    new DataView(bomb.buffer).setUint32(16, 12_000);
    new DataView(bomb.buffer).setUint32(20, 12_000);
    expect(() => sniffType(bomb, 'bomb.png')).toThrow(expect.objectContaining({ code: 'TOO_MANY_PIXELS' }));
  });
});

const parseWorkerConfig = (env: Record<string, string>) => parseConfig(env, '/app').worker;

describe('the worker slice of the configuration', () => {
  it('defaults to local Redis and the embedded stores', () => {
    expect(parseWorkerConfig({})).toEqual({
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'faceblog',
      s3: null,
      qdrant: null,
      databaseUrl: null,
      concurrency: 1,
      lockDurationMs: null,
      stalledIntervalMs: null,
    });
  });
  it('reads the servers of the compose file and never echoes a secret', () => {
    const config = parseWorkerConfig({
      REDIS_URL: 'redis://redis:6379',
      S3_ENDPOINT: 'http://minio:9000',
      S3_ACCESS_KEY: 'key',
      S3_SECRET_KEY: 'secret',
      QDRANT_URL: 'http://qdrant:6333',
      DATABASE_URL: 'postgres://u:p@postgres:5432/db',
      WORKER_CONCURRENCY: '2',
    });
    expect(config.s3).toMatchObject({ endPoint: 'minio', port: 9000, useSSL: false, bucket: 'faceblog' });
    expect(config.qdrant).toEqual({ url: 'http://qdrant:6333', apiKey: null });
    expect(config.concurrency).toBe(2);
    expect(() => parseWorkerConfig({ DATABASE_URL: 'mysql://hunter2@x' })).toThrow(/DATABASE_URL/);
    expect(() => parseWorkerConfig({ DATABASE_URL: 'mysql://hunter2@x' })).not.toThrow(/hunter2/);
  });
});
