import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { METADATA_MIGRATIONS } from '../../src/adapters/metadata-migrations.js';
import { SqliteMetadataStore } from '../../src/adapters/sqlite-metadata-store.js';
import { isAppError } from '../../src/core/errors.js';
import type { MetadataStore } from '../../src/ports/metadata-store.js';
import { describeMetadataStoreContract } from './metadata-store-contract.js';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

describeMetadataStoreContract('SqliteMetadataStore', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'faceblog-metadata-'));
  const file = path.join(dir, 'data', 'metadata.sqlite');
  const opened: MetadataStore[] = [];
  return {
    open() {
      const store = new SqliteMetadataStore({ file });
      opened.push(store);
      return Promise.resolve(store);
    },
    async close() {
      for (const store of opened) await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteMetadataStore specifics', () => {
  it('does no I/O in the constructor; opens the file in WAL mode and records each migration once', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faceblog-metadata-'));
    const file = path.join(dir, 'nested', 'metadata.sqlite');
    try {
      const store = new SqliteMetadataStore({ file });
      expect(existsSync(path.dirname(file))).toBe(false);
      // The first call migrates by itself, so a caller that forgot migrate() still works.
      expect(await store.listAlbums('tg-1')).toEqual([]);
      await store.migrate();
      await store.close();
      const db = new Database(file, { readonly: true });
      try {
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
        const versions = db
          .prepare<[], { version: number }>('SELECT version FROM schema_migrations ORDER BY version')
          .all()
          .map((row) => row.version);
        expect(versions).toEqual(METADATA_MIGRATIONS.map((m) => m.version));
      } finally {
        db.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps person templates in memory only while the file is unchanged, by anyone', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faceblog-metadata-'));
    const file = path.join(dir, 'metadata.sqlite');
    const reader = new SqliteMetadataStore({ file });
    // Another connection on the same file: the worker process beside the bot.
    const writer = new SqliteMetadataStore({ file });
    const person = (id: string, value: number) => ({
      id,
      tenant: 'tg-1',
      name: null,
      centroid: new Float32Array([value, 0, 0, 0]),
      faceCount: 1,
      coverFace: null,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    const read = async () =>
      (await reader.personTemplates('tg-1')).map((t) => [t.id, t.centroid[0]] as const);
    try {
      await writer.savePerson(person('p-a', 1));
      expect(await read()).toEqual([['p-a', 1]]);
      expect(await read()).toEqual([['p-a', 1]]);
      // A write by the other connection (a new person, a moved template) shows at once.
      await writer.savePerson(person('p-b', 2));
      await writer.savePerson(person('p-a', 3));
      expect(await read()).toEqual([
        ['p-a', 3],
        ['p-b', 2],
      ]);
      // So does one by this connection, and a deletion.
      await reader.deletePerson('tg-1', 'p-b');
      expect(await read()).toEqual([['p-a', 3]]);
      await writer.forgetTenant('tg-1');
      expect(await read()).toEqual([]);
    } finally {
      await reader.close();
      await writer.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('upgrades safely from several processes at once', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faceblog-metadata-'));
    const file = path.join(dir, 'metadata.sqlite');
    // A file left by an older release, at version 1: every process reads "version 2 is missing", so
    // without the write lock taken up front two of them would both try to apply it.
    const [first] = METADATA_MIGRATIONS;
    const old = new Database(file);
    old.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);
      ${first!.sqlite}`);
    old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(first!.version, first!.name, 'then');
    old.close();
    // Each process waits for the same moment (start-up times differ by hundreds of ms), migrates, writes.
    const startAt = Date.now() + 2000;
    const script = `
      const { SqliteMetadataStore } = await import(${JSON.stringify(
        path.join(repoRoot, 'src/adapters/sqlite-metadata-store.ts'),
      )});
      const store = new SqliteMetadataStore({ file: ${JSON.stringify(file)} });
      while (Date.now() < ${startAt}) await new Promise((resolve) => setTimeout(resolve, 1));
      await store.migrate();
      await store.savePerson({ tenant: 'tg-1', id: 'p' + process.argv[1], name: null, centroid: null,
        faceCount: 0, coverFace: null, createdAt: new Date().toISOString() });
      await store.close();
    `;
    try {
      await Promise.all(
        ['0', '1', '2'].map((n) =>
          run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, n], {
            cwd: repoRoot,
          }),
        ),
      );
      const store = new SqliteMetadataStore({ file });
      expect((await store.listPeople('tg-1')).map((p) => p.id).sort()).toEqual(['p0', 'p1', 'p2']);
      await store.close();
      const db = new Database(file, { readonly: true });
      try {
        const versions = db
          .prepare<[], { version: number }>('SELECT version FROM schema_migrations ORDER BY version')
          .all()
          .map((row) => row.version);
        expect(versions).toEqual(METADATA_MIGRATIONS.map((m) => m.version));
      } finally {
        db.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a file it cannot open as IO_ERROR naming the file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faceblog-metadata-'));
    // A regular file where the store expects a directory.
    const blocker = path.join(dir, 'not-a-dir');
    await writeFile(blocker, 'x');
    const file = path.join(blocker, 'metadata.sqlite');
    try {
      const error: unknown = await new SqliteMetadataStore({ file }).migrate().catch((e: unknown) => e);
      expect(isAppError(error) && error.code).toBe('IO_ERROR');
      expect(isAppError(error) && error.context.file).toBe(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
