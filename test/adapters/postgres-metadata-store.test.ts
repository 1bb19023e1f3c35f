import { randomBytes } from 'node:crypto';

import pg from 'pg';
import { describe, expect, it } from 'vitest';

import { METADATA_MIGRATIONS } from '../../src/adapters/metadata-migrations.js';
import { PostgresMetadataStore } from '../../src/adapters/postgres-metadata-store.js';
import { isAppError } from '../../src/core/errors.js';
import { describeMetadataStoreContract } from './metadata-store-contract.js';

/** The local server (trust auth); TEST_DATABASE_URL points elsewhere. */
const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Whether the server answers; when it does not, the suite says so in its title instead of failing. */
async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const skip = (await reachable())
  ? undefined
  : `no PostgreSQL at ${new URL(url).host} (set TEST_DATABASE_URL or start the server)`;

async function sql(text: string, params: unknown[] = []): Promise<pg.QueryResultRow[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<pg.QueryResultRow>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Each test owns a fresh schema, so test files running in parallel never meet. */
const freshSchema = (): string => `t_${randomBytes(6).toString('hex')}`;

describeMetadataStoreContract(
  'PostgresMetadataStore',
  () => {
    const schema = freshSchema();
    const opened: PostgresMetadataStore[] = [];
    return Promise.resolve({
      open() {
        const store = new PostgresMetadataStore({ connectionString: url, schema, maxConnections: 4 });
        opened.push(store);
        return Promise.resolve(store);
      },
      async close() {
        for (const store of opened) await store.close();
        await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      },
    });
  },
  skip === undefined ? {} : { skip },
);

describe.skipIf(skip !== undefined)('PostgresMetadataStore specifics', () => {
  it('does no I/O in the constructor and keeps its tables inside its own schema', async () => {
    const schema = freshSchema();
    const store = new PostgresMetadataStore({ connectionString: url, schema });
    try {
      expect(await sql('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).toEqual([]);
      await Promise.all([
        store.migrate(),
        new PostgresMetadataStore({ connectionString: url, schema }).migrate(),
      ]);
      const versions = await sql(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
      expect(versions.map((row) => row.version as number)).toEqual(METADATA_MIGRATIONS.map((m) => m.version));
      const tables = await sql(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
        [schema],
      );
      expect(tables.map((row) => row.table_name as string)).toEqual([
        'album_progress',
        'albums',
        'cannot_links',
        'failures',
        'people',
        'person_handles',
        'person_merges',
        'photos',
        'schema_migrations',
        'search_answers',
      ]);
    } finally {
      await store.close();
      await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  it('refuses a schema name that is not a plain identifier', () => {
    for (const schema of ['Public', 'a-b', 'x"; DROP TABLE y; --', '']) {
      expect(() => new PostgresMetadataStore({ connectionString: url, schema })).toThrow(
        expect.objectContaining({ code: 'BAD_CONFIG' }),
      );
    }
  });
});

describe('PostgresMetadataStore without a server', () => {
  it('reports a refused connection as IO_ERROR with the host, never the password', async () => {
    // Port 9 (discard) on loopback: nothing listens there, so the connection fails at once.
    const store = new PostgresMetadataStore({
      connectionString: 'postgres://faceblog:hunter2-s3cret@127.0.0.1:9/faceblog',
      schema: 'faceblog',
      connectTimeoutMs: 5000,
    });
    try {
      const error: unknown = await store.getAlbum('tg-1', 'album-1').catch((e: unknown) => e);
      expect(isAppError(error) && error.code).toBe('IO_ERROR');
      if (!isAppError(error)) return;
      expect(error.context).toEqual({ host: '127.0.0.1', port: 9, database: 'faceblog', schema: 'faceblog' });
      expect(`${error.message} ${JSON.stringify(error.context)}`).not.toContain('hunter2');
      // Refused input is refused before any connection is tried.
      await expect(store.getAlbum('tg 1', 'album-1')).rejects.toMatchObject({ code: 'BAD_ARGUMENTS' });
    } finally {
      await store.close();
    }
  });
});
