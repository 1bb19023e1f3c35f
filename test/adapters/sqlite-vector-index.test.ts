import { existsSync } from 'node:fs';
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
