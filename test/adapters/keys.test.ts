import { describe, expect, it } from 'vitest';

import {
  albumKey,
  albumPrefix,
  assertBlobKey,
  assertBlobPrefix,
  discordTenant,
  faceKey,
  facePointId,
  isPointId,
  isTenantId,
  photoFacesPrefix,
  photoKey,
  telegramTenant,
  tenantPrefix,
  thumbKey,
} from '../../src/core/keys.js';
import { HOSTILE_KEYS } from './blob-store-contract.js';

const sha = 'ab'.repeat(32);

describe('tenant ids', () => {
  it('builds Telegram and Discord tenants', () => {
    expect(telegramTenant(123456789)).toBe('tg-123456789');
    expect(telegramTenant(-1001234567890)).toBe('tg--1001234567890');
    expect(telegramTenant(-1001234567890n)).toBe('tg--1001234567890');
    expect(discordTenant('111111111111111111', '222222222222222222')).toBe(
      'dc-111111111111111111-222222222222222222',
    );
  });

  it('accepts only safe slugs', () => {
    for (const good of ['tg-1', 'tg--100123', 'dc-1-2', 'local']) expect(isTenantId(good)).toBe(true);
    for (const bad of [
      '',
      '..',
      '.',
      'tg/1',
      'tg\\1',
      'TG-1',
      '-tg',
      'tg 1',
      'tg.1',
      'a'.repeat(65),
      '%2e',
    ]) {
      expect(isTenantId(bad)).toBe(false);
    }
    expect(() => telegramTenant('12/..')).toThrow(/Telegram/);
    expect(() => discordTenant('1', '../2')).toThrow(/Discord/);
  });
});

describe('blob keys', () => {
  it('builds the documented layout', () => {
    expect(photoKey('tg-1', sha, '.JPG')).toBe(`tg-1/photos/${sha}.jpg`);
    expect(faceKey('tg-1', sha, 3)).toBe(`tg-1/faces/${sha}_3.jpg`);
    expect(thumbKey('tg-1', sha)).toBe(`tg-1/thumbs/${sha}.jpg`);
    expect(albumKey('tg-1', 'al_9', 'blog/index.html')).toBe('tg-1/albums/al_9/blog/index.html');
    expect(tenantPrefix('tg-1')).toBe('tg-1/');
    expect(albumPrefix('tg-1', 'al_9')).toBe('tg-1/albums/al_9/');
    expect(photoFacesPrefix('tg-1', sha)).toBe(`tg-1/faces/${sha}_`);
  });

  it('rejects bad parts in every builder', () => {
    expect(() => photoKey('tg-1', 'AB'.repeat(32), 'jpg')).toThrow(/sha256/);
    expect(() => photoKey('tg-1', sha, 'j/pg')).toThrow(/extension/);
    expect(() => photoKey('../x', sha, 'jpg')).toThrow(/tenant/);
    expect(() => faceKey('tg-1', sha, -1)).toThrow(/face index/);
    expect(() => faceKey('tg-1', sha, 1.5)).toThrow(/face index/);
    expect(() => albumKey('tg-1', '..', 'a.json')).toThrow(/album/);
    expect(() => albumKey('tg-1', 'al', '../../tg-2/photos/x.jpg')).toThrow(/segment/);
    expect(() => albumKey('tg-1', 'al', '')).toThrow(/segment/);
  });

  it('rejects hostile keys and prefixes', () => {
    for (const key of HOSTILE_KEYS) {
      expect(() => {
        assertBlobKey(key);
      }).toThrow();
    }
    expect(() => {
      assertBlobPrefix('tg-1');
    }).toThrow(/slash/);
    expect(() => {
      assertBlobPrefix('');
    }).toThrow();
    expect(() => {
      assertBlobPrefix('tg-1/../');
    }).toThrow();
    expect(() => {
      assertBlobPrefix('tg-1/faces/..');
    }).toThrow();
    assertBlobPrefix('tg-1/');
    assertBlobPrefix(`tg-1/faces/${sha}_`);
  });
});

describe('face point ids', () => {
  it('are deterministic v5 UUIDs of (tenant, photo, face index)', () => {
    const id = facePointId('tg-1', sha, 0);
    expect(isPointId(id)).toBe(true);
    expect(id[14]).toBe('5');
    expect('89ab').toContain(id[19]);
    expect(facePointId('tg-1', sha, 0)).toBe(id);
    // Pinned: a changed id would duplicate every face on re-index. Equals Python's
    // uuid.uuid5(UUID("b7c3e0f4-5a8e-4d0f-9a61-3f1d2c7e8a90"), "tg-1\0<sha>\00").
    expect(id).toMatchInlineSnapshot(`"47f34008-eb7c-5a4f-9a1a-de9b7d4e759f"`);
  });

  it('differ for every part of the triple', () => {
    const ids = new Set([
      facePointId('tg-1', sha, 0),
      facePointId('tg-1', sha, 1),
      facePointId('tg-2', sha, 0),
      facePointId('tg-1', 'cd'.repeat(32), 0),
      facePointId('tg-11', sha, 0),
    ]);
    expect(ids.size).toBe(5);
  });
});
