import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { SqliteVectorIndex } from '../../src/adapters/sqlite-vector-index.js';
import { facePointId } from '../../src/core/keys.js';
import type { VectorIndex } from '../../src/ports/vector-index.js';
import { describeVectorIndexContract, randomUnitVector, rng } from './vector-index-contract.js';

describeVectorIndexContract('SqliteVectorIndex', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'faceblog-index-'));
  const file = path.join(dir, 'data', 'index.sqlite');
  const open: VectorIndex[] = [];
  const make = (dimension: number): SqliteVectorIndex => {
    const index = new SqliteVectorIndex({ file, dimension });
    open.push(index);
    return index;
  };
  return {
    open: (dimension) => Promise.resolve(make(dimension)),
    async reopen(index) {
      await index.close();
      return make(index.dimension);
    },
    async close() {
      for (const index of open) await index.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteVectorIndex specifics', () => {
  it('does no I/O in the constructor; opens the file in WAL mode on first use', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faceblog-index-'));
    const file = path.join(dir, 'nested', 'index.sqlite');
    try {
      const index = new SqliteVectorIndex({ file, dimension: 8 });
      expect(existsSync(path.dirname(file))).toBe(false);
      expect(await index.count({ tenant: 'tg-1' })).toBe(0);
      await index.close();
      const db = new Database(file, { readonly: true });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('costs kilobytes, not megabytes, per chat with one face', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faceblog-index-'));
    const file = path.join(dir, 'index.sqlite');
    const dimension = 1152; // the `local` pack's fused embedding
    const index = new SqliteVectorIndex({ file, dimension });
    try {
      const next = rng(3);
      const point = (tenant: string) => ({
        id: facePointId(tenant, 'b'.repeat(64), 0),
        tenant,
        vector: randomUnitVector(dimension, next),
        payload: {
          photo: 'b'.repeat(64),
          album: null,
          box: [0, 0, 1, 1] as [number, number, number, number],
          quality: 1,
          person: null,
          pack: 'p',
          pipelineVersion: 1,
          faceIndex: 0,
        },
      });
      const add = (tenant: string) => index.upsert([point(tenant)]);
      await add('tg-1');
      await index.close();
      const size = () => statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
      const one = size();
      const reopened = new SqliteVectorIndex({ file, dimension });
      for (let i = 2; i <= 21; i++) await reopened.upsert([point(`tg-${i}`)]);
      await reopened.close();
      // vec0's default chunk of 1024 vectors made this 4.5 MiB per chat at 1152-d.
      expect((size() - one) / 20).toBeLessThan(512 * 1024);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps indexes of different dimensions in one file apart', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faceblog-index-'));
    const file = path.join(dir, 'index.sqlite');
    const small = new SqliteVectorIndex({ file, dimension: 8 });
    const large = new SqliteVectorIndex({ file, dimension: 16 });
    try {
      const next = rng(9);
      const photo = 'a'.repeat(64);
      const payload = {
        photo,
        album: null,
        box: [0, 0, 1, 1] as [number, number, number, number],
        quality: 1,
        person: null,
        pack: 'p',
        pipelineVersion: 1,
        faceIndex: 0,
      };
      const id = facePointId('tg-1', photo, 0);
      await small.upsert([{ id, tenant: 'tg-1', vector: randomUnitVector(8, next), payload }]);
      expect(await small.count({ tenant: 'tg-1' })).toBe(1);
      expect(await large.count({ tenant: 'tg-1' })).toBe(0);
    } finally {
      await small.close();
      await large.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
