/**
 * MetadataStore in PostgreSQL (DATABASE_URL), for several machines sharing one database: the same tables
 * (metadata-migrations.ts) and checks (metadata-checks.ts) as the SQLite store. All tables live in one
 * schema (default `public`), so tests and side-by-side deployments can each own a schema.
 *
 * Connection failures come back as IO_ERROR with host, port, database and schema in the context; the
 * connection string itself never appears in an error, since it may carry a password.
 */
import { createHash } from 'node:crypto';

import pg from 'pg';

import type { AlbumFailure, AlbumResult } from '../core/album.js';
import { AppError, ErrorCode } from '../core/errors.js';
import type {
  AlbumRecord,
  AlbumStatus,
  MergeUndo,
  MetadataStore,
  PersonRecord,
  PersonTemplate,
  PhotoRecord,
  SearchAnswer,
} from '../ports/metadata-store.js';
import {
  centroidBytes,
  centroidOf,
  checkAlbumInput,
  checkAlbumRef,
  checkFailure,
  checkHandle,
  checkId,
  checkLimit,
  checkMergeUndo,
  checkName,
  checkPerson,
  checkPhoto,
  checkResult,
  checkSha256,
  checkStatus,
  checkTenant,
  checkTransition,
  gpsOf,
  MAX_MERGE_HOPS,
  mergeUndoOf,
} from './metadata-checks.js';
import { METADATA_MIGRATIONS, TENANT_TABLES } from './metadata-migrations.js';

export interface PostgresMetadataStoreOptions {
  /** `postgres://user:password@host:5432/db` (DATABASE_URL). */
  readonly connectionString: string;
  /** Schema that holds the tables, created by migrate(); default `public`. */
  readonly schema?: string;
  /** Pool size (default 10, pg's own default). */
  readonly maxConnections?: number;
  /** How long to wait for a connection, in ms (default 10 000, so a dead host fails instead of hanging). */
  readonly connectTimeoutMs?: number;
}

/** Unquoted PostgreSQL identifier, at most 63 bytes (NAMEDATALEN - 1). */
const SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;

interface AlbumRow {
  tenant: string;
  id: string;
  status: AlbumStatus;
  photo_count: number;
  processed_count: number;
  created_at: Date;
  finished_at: Date | null;
  result: AlbumResult | null;
}

interface PhotoRow {
  tenant: string;
  sha256: string;
  album_id: string;
  name: string;
  blob_key: string;
  width: number;
  height: number;
  taken_at: string | null;
  gps_lat: number | null;
  gps_lon: number | null;
  gps_alt: number | null;
  face_count: number;
}

interface PersonRow {
  tenant: string;
  id: string;
  name: string | null;
  centroid: Buffer | null;
  face_count: number;
  cover_face: string | null;
  created_at: Date;
  hidden: boolean;
  handle: number | null;
}

function albumOf(row: AlbumRow): AlbumRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    status: row.status,
    photoCount: row.photo_count,
    processedCount: row.processed_count,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at === null ? null : row.finished_at.toISOString(),
    result: row.result,
  };
}

function photoOf(row: PhotoRow): PhotoRecord {
  return {
    tenant: row.tenant,
    sha256: row.sha256,
    albumId: row.album_id,
    name: row.name,
    blobKey: row.blob_key,
    width: row.width,
    height: row.height,
    takenAt: row.taken_at,
    gps: gpsOf(row.gps_lat, row.gps_lon, row.gps_alt),
    faceCount: row.face_count,
  };
}

function personOf(row: PersonRow): PersonRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    name: row.name,
    centroid: centroidOf(row.centroid),
    faceCount: row.face_count,
    coverFace: row.cover_face,
    createdAt: row.created_at.toISOString(),
    ...(row.handle === null ? {} : { handle: row.handle }),
    hidden: row.hidden,
  };
}

/** Where the store connects, without the credentials: safe for logs and error context. */
function describeTarget(connectionString: string, schema: string): Record<string, unknown> {
  try {
    const url = new URL(connectionString);
    return {
      host: url.hostname,
      port: url.port === '' ? 5432 : Number(url.port),
      database: decodeURIComponent(url.pathname.replace(/^\//, '')),
      schema,
    };
  } catch {
    // A key=value connection string: naming no part of it is the only way to be sure of no password.
    return { host: 'unknown (connection string is not a URL)', schema };
  }
}

/**
 * Advisory lock key for a named lock: the first 8 bytes of its SHA-256, as pg's signed bigint. Keys name
 * the schema, so migrating (or merging in) one schema never waits on another.
 */
function advisoryKey(name: string): string {
  return createHash('sha256').update(`faceblog.metadata:${name}`).digest().readBigInt64BE(0).toString();
}

/**
 * The error to hand back with a connection after a failed transaction: a foreign error may have left the
 * connection broken, so the pool destroys it rather than lend it again; our own refusals leave it sound.
 */
function discardable(error: unknown): Error | undefined {
  if (error instanceof AppError) return undefined;
  return error instanceof Error ? error : new Error(String(error));
}

export class PostgresMetadataStore implements MetadataStore {
  private readonly options: PostgresMetadataStoreOptions;
  private readonly schema: string;
  private readonly target: Record<string, unknown>;
  private pool: pg.Pool | undefined;
  private migration: Promise<void> | undefined;

  constructor(options: PostgresMetadataStoreOptions) {
    const schema = options.schema ?? 'public';
    if (!SCHEMA_RE.test(schema)) throw new AppError(ErrorCode.BadConfig, 'invalid schema name', { schema });
    this.options = options;
    this.schema = schema;
    this.target = describeTarget(options.connectionString, schema);
  }

  /** A table name qualified with the store's schema (validated above, so quoting is enough). */
  private t(table: string): string {
    return `"${this.schema}".${table}`;
  }

  private getPool(): pg.Pool {
    if (this.pool) return this.pool;
    const pool = new pg.Pool({
      connectionString: this.options.connectionString,
      max: this.options.maxConnections ?? 10,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 10_000,
    });
    // An idle client that loses its server emits here; without a listener Node would crash the process.
    // The next query gets a fresh connection and reports its own error.
    pool.on('error', () => undefined);
    this.pool = pool;
    return pool;
  }

  private wrap(what: string, error: unknown): AppError {
    if (error instanceof AppError) return error;
    return new AppError(ErrorCode.Io, `metadata store: ${what} failed`, { ...this.target }, error);
  }

  /** Migrates once per store before the first call, so callers that skip migrate() find their tables. */
  private async ready(): Promise<pg.Pool> {
    this.migration ??= this.applyMigrations().catch((error: unknown) => {
      this.migration = undefined;
      throw error;
    });
    await this.migration;
    return this.getPool();
  }

  private async query<R extends pg.QueryResultRow>(
    what: string,
    sql: string,
    params: unknown[],
  ): Promise<R[]> {
    try {
      const pool = await this.ready();
      return (await pool.query<R>(sql, params)).rows;
    } catch (error) {
      throw this.wrap(what, error);
    }
  }

  /** Runs `fn` in one transaction on one connection; rolls back on any error. */
  private async transaction<T>(what: string, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await (await this.ready()).connect();
    } catch (error) {
      throw this.wrap(what, error);
    }
    let failure: Error | undefined;
    try {
      await client.query('BEGIN');
      const value = await fn(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      failure = discardable(error);
      throw this.wrap(what, error);
    } finally {
      client.release(failure);
    }
  }

  async migrate(): Promise<void> {
    this.migration = undefined;
    await this.ready();
  }

  /**
   * Applies the missing migrations while holding a transaction-scoped advisory lock, so two processes
   * starting together take turns: the second waits, then finds every version recorded. The schema and
   * the bookkeeping table are created under the same lock, because concurrent CREATE ... IF NOT EXISTS
   * can still collide in PostgreSQL's catalogs.
   */
  private async applyMigrations(): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.getPool().connect();
    } catch (error) {
      throw this.wrap('migrate', error);
    }
    let failure: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryKey(`${this.schema}/migrate`)]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.t('schema_migrations')} (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const applied = new Set(
        (
          await client.query<{ version: number }>(`SELECT version FROM ${this.t('schema_migrations')}`)
        ).rows.map((row) => row.version),
      );
      for (const migration of METADATA_MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await client.query(migration.postgres.replaceAll('{{schema}}', `"${this.schema}"`));
        await client.query(`INSERT INTO ${this.t('schema_migrations')} (version, name) VALUES ($1, $2)`, [
          migration.version,
          migration.name,
        ]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      failure = discardable(error);
      throw this.wrap('migrate', error);
    } finally {
      client.release(failure);
    }
  }

  private albumSelect(where: string): string {
    return `SELECT a.tenant, a.id, a.status, a.photo_count, a.created_at, a.finished_at, a.result,
        (SELECT count(*)::int FROM ${this.t('album_progress')} p
          WHERE p.tenant = a.tenant AND p.album_id = a.id) AS processed_count
      FROM ${this.t('albums')} a WHERE ${where}`;
  }

  async createAlbum(album: { id: string; tenant: string; photoCount: number }): Promise<AlbumRecord> {
    checkAlbumInput(album);
    await this.query(
      'createAlbum',
      `INSERT INTO ${this.t('albums')} (tenant, id, status, photo_count, created_at)
       VALUES ($1, $2, 'queued', $3, $4) ON CONFLICT (tenant, id) DO NOTHING`,
      [album.tenant, album.id, album.photoCount, new Date().toISOString()],
    );
    const record = await this.getAlbum(album.tenant, album.id);
    if (!record) throw new AppError(ErrorCode.Internal, 'album vanished after insert', { albumId: album.id });
    return record;
  }

  async getAlbum(tenant: string, id: string): Promise<AlbumRecord | null> {
    checkAlbumRef(tenant, id);
    const rows = await this.query<AlbumRow>('getAlbum', this.albumSelect('a.tenant = $1 AND a.id = $2'), [
      tenant,
      id,
    ]);
    return rows[0] ? albumOf(rows[0]) : null;
  }

  async setAlbumStatus(tenant: string, id: string, status: AlbumStatus, result?: AlbumResult): Promise<void> {
    checkAlbumRef(tenant, id);
    const to = checkStatus(status);
    checkResult(result);
    await this.transaction('setAlbumStatus', async (client) => {
      const current = (
        await client.query<{ status: AlbumStatus }>(
          `SELECT status FROM ${this.t('albums')} WHERE tenant = $1 AND id = $2 FOR UPDATE`,
          [tenant, id],
        )
      ).rows[0];
      if (!current) throw new AppError(ErrorCode.BadArguments, 'unknown album', { tenant, albumId: id });
      checkTransition(id, current.status, to);
      const finished = to === 'done' || to === 'failed';
      // A repeated final status keeps the time it first finished.
      await client.query(
        `UPDATE ${this.t('albums')} SET status = $3,
           finished_at = CASE WHEN NOT $4::boolean THEN NULL
                              WHEN status = $3 THEN finished_at ELSE $5::timestamptz END,
           result = coalesce($6::jsonb, result)
         WHERE tenant = $1 AND id = $2`,
        [
          tenant,
          id,
          to,
          finished,
          new Date().toISOString(),
          result === undefined ? null : JSON.stringify(result),
        ],
      );
    });
  }

  async markPhotoProcessed(tenant: string, albumId: string, sha256: string): Promise<number> {
    checkAlbumRef(tenant, albumId);
    checkSha256(sha256);
    // One statement: the row is added only for a known album, and a second run of the same photo finds
    // its key taken (ON CONFLICT waits for a concurrent insert of the same key to commit).
    const inserted = await this.query<{ album: number }>(
      'markPhotoProcessed',
      `WITH album AS (SELECT 1 FROM ${this.t('albums')} WHERE tenant = $1 AND id = $2),
       ins AS (
         INSERT INTO ${this.t('album_progress')} (tenant, album_id, sha256)
         SELECT $1, $2, $3 FROM album
         ON CONFLICT (tenant, album_id, sha256) DO NOTHING
       )
       SELECT count(*)::int AS album FROM album`,
      [tenant, albumId, sha256],
    );
    if ((inserted[0]?.album ?? 0) === 0) {
      throw new AppError(ErrorCode.BadArguments, 'unknown album', { tenant, albumId });
    }
    const rows = await this.query<{ n: number }>(
      'markPhotoProcessed',
      `SELECT count(*)::int AS n FROM ${this.t('album_progress')} WHERE tenant = $1 AND album_id = $2`,
      [tenant, albumId],
    );
    return rows[0]?.n ?? 0;
  }

  async listAlbums(tenant: string, opts?: { limit?: number }): Promise<AlbumRecord[]> {
    checkTenant(tenant);
    const limit = checkLimit(opts?.limit) ?? null; // LIMIT NULL means no limit.
    const rows = await this.query<AlbumRow>(
      'listAlbums',
      `${this.albumSelect('a.tenant = $1')} ORDER BY a.created_at DESC, a.seq DESC LIMIT $2`,
      [tenant, limit],
    );
    return rows.map(albumOf);
  }

  async upsertPhoto(photo: PhotoRecord): Promise<void> {
    checkPhoto(photo);
    await this.query(
      'upsertPhoto',
      `INSERT INTO ${this.t('photos')} (tenant, sha256, album_id, name, blob_key, width, height, taken_at,
         gps_lat, gps_lon, gps_alt, face_count)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (tenant, sha256, album_id) DO UPDATE SET
         name = excluded.name, blob_key = excluded.blob_key, width = excluded.width,
         height = excluded.height, taken_at = excluded.taken_at, gps_lat = excluded.gps_lat,
         gps_lon = excluded.gps_lon, gps_alt = excluded.gps_alt, face_count = excluded.face_count`,
      [
        photo.tenant,
        photo.sha256,
        photo.albumId,
        photo.name,
        photo.blobKey,
        photo.width,
        photo.height,
        photo.takenAt,
        photo.gps?.lat ?? null,
        photo.gps?.lon ?? null,
        photo.gps?.alt ?? null,
        photo.faceCount,
      ],
    );
  }

  private photoSelect(where: string): string {
    return `SELECT tenant, sha256, album_id, name, blob_key, width, height, taken_at, gps_lat, gps_lon,
        gps_alt, face_count FROM ${this.t('photos')} WHERE ${where}`;
  }

  async listPhotos(tenant: string, albumId: string): Promise<PhotoRecord[]> {
    checkAlbumRef(tenant, albumId);
    const rows = await this.query<PhotoRow>(
      'listPhotos',
      `${this.photoSelect('tenant = $1 AND album_id = $2')} ORDER BY seq`,
      [tenant, albumId],
    );
    return rows.map(photoOf);
  }

  async getPhoto(tenant: string, sha256: string): Promise<PhotoRecord | null> {
    checkTenant(tenant);
    checkSha256(sha256);
    // The same bytes sent in several albums: the first time they arrived.
    const rows = await this.query<PhotoRow>(
      'getPhoto',
      `${this.photoSelect('tenant = $1 AND sha256 = $2')} ORDER BY seq LIMIT 1`,
      [tenant, sha256],
    );
    return rows[0] ? photoOf(rows[0]) : null;
  }

  async recordFailure(tenant: string, albumId: string, failure: AlbumFailure): Promise<void> {
    checkAlbumRef(tenant, albumId);
    checkFailure(failure);
    // A retried photo that fails again keeps one row, with the latest reason.
    await this.query(
      'recordFailure',
      `INSERT INTO ${this.t('failures')} (tenant, album_id, name, code, message) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant, album_id, name) DO UPDATE SET code = excluded.code, message = excluded.message`,
      [tenant, albumId, failure.path, failure.code, failure.message],
    );
  }

  async listFailures(tenant: string, albumId: string): Promise<AlbumFailure[]> {
    checkAlbumRef(tenant, albumId);
    const rows = await this.query<{ name: string; code: string; message: string }>(
      'listFailures',
      `SELECT name, code, message FROM ${this.t('failures')} WHERE tenant = $1 AND album_id = $2 ORDER BY seq`,
      [tenant, albumId],
    );
    return rows.map((row) => ({ path: row.name, code: row.code, message: row.message }));
  }

  private personSelect(where: string): string {
    return `SELECT p.tenant, p.id, p.name, p.centroid, p.face_count, p.cover_face, p.created_at, p.hidden,
      h.handle FROM ${this.t('people')} p
      LEFT JOIN ${this.t('person_handles')} h ON h.tenant = p.tenant AND h.person_id = p.id WHERE ${where}`;
  }

  async listPeople(tenant: string): Promise<PersonRecord[]> {
    checkTenant(tenant);
    const rows = await this.query<PersonRow>(
      'listPeople',
      `${this.personSelect('p.tenant = $1')} ORDER BY p.face_count DESC, p.created_at, p.id COLLATE "C"`,
      [tenant],
    );
    return rows.map(personOf);
  }

  async personTemplates(tenant: string): Promise<PersonTemplate[]> {
    checkTenant(tenant);
    const rows = await this.query<{ id: string; centroid: Buffer }>(
      'personTemplates',
      `SELECT id, centroid FROM ${this.t('people')} WHERE tenant = $1 AND centroid IS NOT NULL ORDER BY id COLLATE "C"`,
      [tenant],
    );
    return rows.flatMap((row) => {
      const centroid = centroidOf(row.centroid);
      return centroid ? [{ id: row.id, centroid }] : [];
    });
  }

  async getPerson(tenant: string, id: string): Promise<PersonRecord | null> {
    checkTenant(tenant);
    checkId('person', id);
    const rows = await this.query<PersonRow>('getPerson', this.personSelect('p.tenant = $1 AND p.id = $2'), [
      tenant,
      id,
    ]);
    return rows[0] ? personOf(rows[0]) : null;
  }

  async savePerson(person: PersonRecord): Promise<void> {
    const createdAt = checkPerson(person);
    await this.transaction('savePerson', async (client) => {
      // One handle per person id, numbered under the chat's lock so two savers never take the same one.
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [
        advisoryKey(`${this.schema}/people/${person.tenant}`),
      ]);
      await client.query(
        `INSERT INTO ${this.t('person_handles')} (tenant, handle, person_id)
         SELECT $1, coalesce(max(handle), 0) + 1, $2 FROM ${this.t('person_handles')} WHERE tenant = $1
         ON CONFLICT DO NOTHING`,
        [person.tenant, person.id],
      );
      await client.query(
        `INSERT INTO ${this.t('people')} (tenant, id, name, centroid, face_count, cover_face, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant, id) DO UPDATE SET
         name = coalesce(excluded.name, people.name), centroid = excluded.centroid,
         face_count = excluded.face_count,
         cover_face = CASE WHEN people.cover_chosen THEN people.cover_face ELSE excluded.cover_face END,
         created_at = excluded.created_at`,
        [
          person.tenant,
          person.id,
          person.name,
          centroidBytes(person.centroid),
          person.faceCount,
          person.coverFace,
          createdAt,
        ],
      );
    });
  }

  async namePerson(tenant: string, id: string, name: string | null): Promise<void> {
    checkTenant(tenant);
    checkId('person', id);
    checkName(name);
    const rows = await this.query(
      'namePerson',
      `UPDATE ${this.t('people')} SET name = $3 WHERE tenant = $1 AND id = $2 RETURNING id`,
      [tenant, id, name],
    );
    if (rows.length === 0) throw new AppError(ErrorCode.BadArguments, 'unknown person', { tenant, id });
  }

  async mergePeople(tenant: string, from: string, into: string, undo?: MergeUndo): Promise<void> {
    checkTenant(tenant);
    checkId('person', from);
    checkId('person', into);
    checkMergeUndo(undo);
    await this.transaction('mergePeople', async (client) => {
      // Serialise merges within the chat, so two concurrent merges cannot each remove the other's target.
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [
        advisoryKey(`${this.schema}/people/${tenant}`),
      ]);
      const target = await this.resolveWith(client, tenant, into);
      if (target === null) {
        throw new AppError(ErrorCode.BadArguments, 'cannot merge into a deleted or unknown person', {
          tenant,
          into,
        });
      }
      const source = await this.resolveWith(client, tenant, from);
      if (source === null) {
        throw new AppError(ErrorCode.BadArguments, 'cannot merge a deleted or unknown person', {
          tenant,
          from,
        });
      }
      // Already one person: a retried merge, or a merge of a person into itself.
      if (source === target) return;
      await client.query(`DELETE FROM ${this.t('people')} WHERE tenant = $1 AND id = $2`, [tenant, source]);
      await client.query(
        `INSERT INTO ${this.t('person_merges')} (tenant, from_id, into_id, undo) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant, from_id) DO UPDATE SET into_id = excluded.into_id, undo = excluded.undo`,
        [tenant, source, target, undo === undefined ? null : JSON.stringify(undo)],
      );
      // The two were one person all along, so a face that is not `source` is not `target` either.
      await client.query(
        `INSERT INTO ${this.t('cannot_links')} (tenant, face_id, person_id)
         SELECT tenant, face_id, $3 FROM ${this.t('cannot_links')} WHERE tenant = $1 AND person_id = $2
         ON CONFLICT (tenant, face_id, person_id) DO NOTHING`,
        [tenant, source, target],
      );
      await client.query(`DELETE FROM ${this.t('cannot_links')} WHERE tenant = $1 AND person_id = $2`, [
        tenant,
        source,
      ]);
    });
  }

  async resolvePerson(tenant: string, id: string): Promise<string | null> {
    checkTenant(tenant);
    checkId('person', id);
    let pool: pg.Pool;
    try {
      pool = await this.ready();
    } catch (error) {
      throw this.wrap('resolvePerson', error);
    }
    try {
      return await this.resolveWith(pool, tenant, id);
    } catch (error) {
      throw this.wrap('resolvePerson', error);
    }
  }

  /**
   * Follows merges from `id` to a live person in one recursive query; null when the chain ends at a
   * deleted or unknown id.
   */
  private async resolveWith(db: pg.Pool | pg.PoolClient, tenant: string, id: string): Promise<string | null> {
    const rows = (
      await db.query<{ id: string; live: boolean; depth: number }>(
        `WITH RECURSIVE chain (id, depth) AS (
           SELECT $2::text, 0
           UNION ALL
           SELECT m.into_id, c.depth + 1 FROM chain c
           JOIN ${this.t('person_merges')} m ON m.tenant = $1 AND m.from_id = c.id
           WHERE c.depth < $3
             AND NOT EXISTS (SELECT 1 FROM ${this.t('people')} p WHERE p.tenant = $1 AND p.id = c.id)
         )
         SELECT c.id, c.depth,
           EXISTS (SELECT 1 FROM ${this.t('people')} p WHERE p.tenant = $1 AND p.id = c.id) AS live
         FROM chain c ORDER BY c.depth DESC LIMIT 1`,
        [tenant, id, MAX_MERGE_HOPS + 1],
      )
    ).rows;
    const last = rows[0];
    if (!last) return null;
    if (last.live) return last.id;
    if (last.depth > MAX_MERGE_HOPS) {
      throw new AppError(ErrorCode.Internal, 'person merge chain does not end', { tenant, id });
    }
    return null;
  }

  async getMerge(tenant: string, from: string): Promise<{ into: string; undo: MergeUndo | null } | null> {
    checkTenant(tenant);
    checkId('person', from);
    const rows = await this.query<{ into_id: string; undo: unknown }>(
      'getMerge',
      `SELECT into_id, undo FROM ${this.t('person_merges')} WHERE tenant = $1 AND from_id = $2`,
      [tenant, from],
    );
    const row = rows[0];
    return row ? { into: row.into_id, undo: row.undo === null ? null : mergeUndoOf(row.undo) } : null;
  }

  async dropMerge(tenant: string, from: string): Promise<void> {
    checkTenant(tenant);
    checkId('person', from);
    await this.query(
      'dropMerge',
      `DELETE FROM ${this.t('person_merges')} WHERE tenant = $1 AND from_id = $2`,
      [tenant, from],
    );
  }

  async personByHandle(tenant: string, handle: number): Promise<string | null> {
    checkTenant(tenant);
    checkHandle(handle);
    const rows = await this.query<{ person_id: string }>(
      'personByHandle',
      `SELECT person_id FROM ${this.t('person_handles')} WHERE tenant = $1 AND handle = $2`,
      [tenant, handle],
    );
    return rows[0]?.person_id ?? null;
  }

  async setHidden(tenant: string, id: string, hidden: boolean): Promise<void> {
    checkTenant(tenant);
    checkId('person', id);
    const rows = await this.query(
      'setHidden',
      `UPDATE ${this.t('people')} SET hidden = $3 WHERE tenant = $1 AND id = $2 RETURNING id`,
      [tenant, id, hidden],
    );
    if (rows.length === 0) throw new AppError(ErrorCode.BadArguments, 'unknown person', { tenant, id });
  }

  async chooseCover(tenant: string, id: string, faceId: string): Promise<void> {
    checkTenant(tenant);
    checkId('person', id);
    checkId('face', faceId);
    const rows = await this.query(
      'chooseCover',
      `UPDATE ${this.t('people')} SET cover_face = $3, cover_chosen = true WHERE tenant = $1 AND id = $2 RETURNING id`,
      [tenant, id, faceId],
    );
    if (rows.length === 0) throw new AppError(ErrorCode.BadArguments, 'unknown person', { tenant, id });
  }

  async deletePerson(tenant: string, id: string): Promise<void> {
    checkTenant(tenant);
    checkId('person', id);
    await this.transaction('deletePerson', async (client) => {
      await client.query(`DELETE FROM ${this.t('people')} WHERE tenant = $1 AND id = $2`, [tenant, id]);
      await client.query(`DELETE FROM ${this.t('cannot_links')} WHERE tenant = $1 AND person_id = $2`, [
        tenant,
        id,
      ]);
    });
  }

  async addCannotLink(tenant: string, faceId: string, personId: string): Promise<void> {
    checkTenant(tenant);
    checkId('face', faceId);
    checkId('person', personId);
    await this.transaction('addCannotLink', async (client) => {
      // Stored against the person the id means now, so a link given under an old id still binds.
      const person = (await this.resolveWith(client, tenant, personId)) ?? personId;
      await client.query(
        `INSERT INTO ${this.t('cannot_links')} (tenant, face_id, person_id) VALUES ($1, $2, $3)
         ON CONFLICT (tenant, face_id, person_id) DO NOTHING`,
        [tenant, faceId, person],
      );
    });
  }

  async saveSearchAnswer(tenant: string, answer: SearchAnswer): Promise<void> {
    checkTenant(tenant);
    checkSha256(answer.selfie);
    checkId('person', answer.person);
    await this.query(
      'saveSearchAnswer',
      `INSERT INTO ${this.t('search_answers')} (tenant, selfie, person_id, yes, answered_by, answered_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant, selfie, person_id) DO UPDATE SET
         yes = excluded.yes, answered_by = excluded.answered_by, answered_at = excluded.answered_at`,
      [tenant, answer.selfie, answer.person, answer.yes, answer.answeredBy, answer.answeredAt],
    );
  }

  async listSearchAnswers(tenant: string, selfie: string): Promise<SearchAnswer[]> {
    checkTenant(tenant);
    const rows = await this.query<{
      person_id: string;
      yes: boolean;
      answered_by: string | null;
      answered_at: Date;
    }>(
      'listSearchAnswers',
      `SELECT person_id, yes, answered_by, answered_at FROM ${this.t('search_answers')}
       WHERE tenant = $1 AND selfie = $2 ORDER BY person_id COLLATE "C"`,
      [tenant, selfie],
    );
    return rows.map((row) => ({
      selfie,
      person: row.person_id,
      yes: row.yes,
      answeredBy: row.answered_by,
      answeredAt: row.answered_at.toISOString(),
    }));
  }

  async listCannotLinks(tenant: string): Promise<Array<{ faceId: string; personId: string }>> {
    checkTenant(tenant);
    // COLLATE "C": byte order, the same order SQLite gives, whatever the database's locale.
    const rows = await this.query<{ face_id: string; person_id: string }>(
      'listCannotLinks',
      `SELECT face_id, person_id FROM ${this.t('cannot_links')} WHERE tenant = $1
       ORDER BY face_id COLLATE "C", person_id COLLATE "C"`,
      [tenant],
    );
    return rows.map((row) => ({ faceId: row.face_id, personId: row.person_id }));
  }

  async forgetTenant(tenant: string): Promise<void> {
    checkTenant(tenant);
    await this.transaction('forgetTenant', async (client) => {
      for (const table of TENANT_TABLES) {
        await client.query(`DELETE FROM ${this.t(table)} WHERE tenant = $1`, [tenant]);
      }
    });
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    this.migration = undefined;
    await pool?.end();
  }
}
