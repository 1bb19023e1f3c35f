/**
 * MetadataStore embedded in one SQLite file (FACEBLOG_DATA_DIR/metadata.sqlite): the single-machine twin
 * of the PostgreSQL store, with the same tables (metadata-migrations.ts) and the same checks
 * (metadata-checks.ts). better-sqlite3 is synchronous; each method runs its statements at once and
 * returns a settled promise. Writes that read first run in BEGIN IMMEDIATE transactions, so two processes
 * sharing the file serialise on SQLite's write lock instead of failing to upgrade a read lock.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';

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

export interface SqliteMetadataStoreOptions {
  /** The database file (e.g. FACEBLOG_DATA_DIR/metadata.sqlite); its directory is created on first use. */
  readonly file: string;
  /**
   * How long a call waits for another process's write lock before failing, in ms (default 5000: far
   * above any of our transactions, which touch a handful of rows).
   */
  readonly busyTimeoutMs?: number;
}

interface AlbumRow {
  tenant: string;
  id: string;
  status: AlbumStatus;
  photo_count: number;
  processed_count: number;
  created_at: string;
  finished_at: string | null;
  result: string | null;
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
  created_at: string;
  hidden: number;
  handle: number | null;
}

const ALBUM_COLUMNS = `a.tenant, a.id, a.status, a.photo_count, a.created_at, a.finished_at, a.result,
  (SELECT count(*) FROM album_progress p WHERE p.tenant = a.tenant AND p.album_id = a.id) AS processed_count`;

const PHOTO_COLUMNS = `tenant, sha256, album_id, name, blob_key, width, height, taken_at, gps_lat, gps_lon,
  gps_alt, face_count`;

function albumOf(row: AlbumRow): AlbumRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    status: row.status,
    photoCount: row.photo_count,
    processedCount: row.processed_count,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    result: row.result === null ? null : (JSON.parse(row.result) as AlbumResult),
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
    createdAt: row.created_at,
    ...(row.handle === null ? {} : { handle: row.handle }),
    hidden: row.hidden !== 0,
  };
}

const PERSON_SELECT = `SELECT p.tenant, p.id, p.name, p.centroid, p.face_count, p.cover_face, p.created_at,
  p.hidden, h.handle FROM people p
  LEFT JOIN person_handles h ON h.tenant = p.tenant AND h.person_id = p.id`;

/** Chats whose person templates stay in memory (most recently asked first out last). */
const TEMPLATE_CACHE_CHATS = 16;

export class SqliteMetadataStore implements MetadataStore {
  private readonly file: string;
  private readonly busyTimeoutMs: number;
  private handle: Database.Database | undefined;
  private migrated = false;
  /** personTemplates per chat, with the file's version they were read at. */
  private readonly templates = new Map<string, { version: string; list: PersonTemplate[] }>();

  constructor(options: SqliteMetadataStoreOptions) {
    this.file = options.file;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  }

  /** Opens the file on first use. */
  private db(): Database.Database {
    if (this.handle) return this.handle;
    try {
      if (this.file !== ':memory:') mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
      const db = new Database(this.file);
      try {
        db.pragma(`busy_timeout = ${Math.max(0, Math.floor(this.busyTimeoutMs))}`);
        // WAL: readers never block the writer. synchronous=NORMAL is durable against crashes of the
        // process and keeps the file consistent on power loss (SQLite docs, "WAL mode").
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        // Reads through mmap skip a copy per page: /find reads every person's centroid (2 KiB each) per
        // selfie, 11 ms CPU for 2,000 people without, 5 ms with (bench/search.ts --find). It reserves
        // address space only; SQLite clamps it to its compile-time maximum.
        db.pragma('mmap_size = 268435456');
      } catch (error) {
        db.close();
        throw error;
      }
      this.handle = db;
      return db;
    } catch (error) {
      throw new AppError(ErrorCode.Io, 'could not open the metadata store', { file: this.file }, error);
    }
  }

  /** The open database with the schema in place: callers that skip migrate() still find their tables. */
  private ready(): Database.Database {
    const db = this.db();
    if (!this.migrated) {
      applyMigrations(db);
      this.migrated = true;
    }
    return db;
  }

  /** Runs one call; every failure, including a refused argument, comes back as a rejected promise. */
  private run<T>(what: string, fn: (db: Database.Database) => T): Promise<T> {
    try {
      return Promise.resolve(fn(this.ready()));
    } catch (error) {
      if (error instanceof AppError) return Promise.reject(error);
      return Promise.reject(
        new AppError(ErrorCode.Io, `metadata store: ${what} failed`, { file: this.file }, error),
      );
    }
  }

  migrate(): Promise<void> {
    this.migrated = false;
    return this.run('migrate', () => undefined);
  }

  createAlbum(album: { id: string; tenant: string; photoCount: number }): Promise<AlbumRecord> {
    return this.run('createAlbum', (db) => {
      checkAlbumInput(album);
      db.prepare(
        `INSERT INTO albums (tenant, id, status, photo_count, created_at)
         VALUES (?, ?, 'queued', ?, ?) ON CONFLICT (tenant, id) DO NOTHING`,
      ).run(album.tenant, album.id, album.photoCount, new Date().toISOString());
      const row = this.albumRow(db, album.tenant, album.id);
      if (!row) throw new AppError(ErrorCode.Internal, 'album vanished after insert', { albumId: album.id });
      return albumOf(row);
    });
  }

  getAlbum(tenant: string, id: string): Promise<AlbumRecord | null> {
    return this.run('getAlbum', (db) => {
      checkAlbumRef(tenant, id);
      const row = this.albumRow(db, tenant, id);
      return row ? albumOf(row) : null;
    });
  }

  setAlbumStatus(tenant: string, id: string, status: AlbumStatus, result?: AlbumResult): Promise<void> {
    return this.run('setAlbumStatus', (db) => {
      checkAlbumRef(tenant, id);
      const to = checkStatus(status);
      checkResult(result);
      db.transaction(() => {
        const current = db
          .prepare<[string, string], { status: AlbumStatus; finished_at: string | null }>(
            'SELECT status, finished_at FROM albums WHERE tenant = ? AND id = ?',
          )
          .get(tenant, id);
        if (!current) throw new AppError(ErrorCode.BadArguments, 'unknown album', { tenant, albumId: id });
        checkTransition(id, current.status, to);
        const finished = to === 'done' || to === 'failed';
        // A repeated final status keeps the time it first finished.
        const finishedAt = finished
          ? current.status === to
            ? current.finished_at
            : new Date().toISOString()
          : null;
        db.prepare(
          `UPDATE albums SET status = ?, finished_at = ?, result = coalesce(?, result)
           WHERE tenant = ? AND id = ?`,
        ).run(to, finishedAt, result === undefined ? null : JSON.stringify(result), tenant, id);
      }).immediate();
    });
  }

  markPhotoProcessed(tenant: string, albumId: string, sha256: string): Promise<number> {
    return this.run('markPhotoProcessed', (db) => {
      checkAlbumRef(tenant, albumId);
      checkSha256(sha256);
      return db
        .transaction(() => {
          const exists = db
            .prepare<[string, string], { n: number }>('SELECT 1 AS n FROM albums WHERE tenant = ? AND id = ?')
            .get(tenant, albumId);
          if (!exists) throw new AppError(ErrorCode.BadArguments, 'unknown album', { tenant, albumId });
          db.prepare(
            `INSERT INTO album_progress (tenant, album_id, sha256) VALUES (?, ?, ?)
           ON CONFLICT (tenant, album_id, sha256) DO NOTHING`,
          ).run(tenant, albumId, sha256);
          return (
            db
              .prepare<[string, string], { n: number }>(
                'SELECT count(*) AS n FROM album_progress WHERE tenant = ? AND album_id = ?',
              )
              .get(tenant, albumId)?.n ?? 0
          );
        })
        .immediate();
    });
  }

  listAlbums(tenant: string, opts?: { limit?: number }): Promise<AlbumRecord[]> {
    return this.run('listAlbums', (db) => {
      checkTenant(tenant);
      const limit = checkLimit(opts?.limit) ?? -1; // SQLite: a negative LIMIT means no limit.
      return db
        .prepare<[string, number], AlbumRow>(
          `SELECT ${ALBUM_COLUMNS} FROM albums a WHERE a.tenant = ?
           ORDER BY a.created_at DESC, a.rowid DESC LIMIT ?`,
        )
        .all(tenant, limit)
        .map(albumOf);
    });
  }

  upsertPhoto(photo: PhotoRecord): Promise<void> {
    return this.run('upsertPhoto', (db) => {
      checkPhoto(photo);
      db.prepare(
        `INSERT INTO photos (${PHOTO_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant, sha256, album_id) DO UPDATE SET
           name = excluded.name, blob_key = excluded.blob_key, width = excluded.width,
           height = excluded.height, taken_at = excluded.taken_at, gps_lat = excluded.gps_lat,
           gps_lon = excluded.gps_lon, gps_alt = excluded.gps_alt, face_count = excluded.face_count`,
      ).run(
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
      );
    });
  }

  listPhotos(tenant: string, albumId: string): Promise<PhotoRecord[]> {
    return this.run('listPhotos', (db) => {
      checkAlbumRef(tenant, albumId);
      return db
        .prepare<[string, string], PhotoRow>(
          `SELECT ${PHOTO_COLUMNS} FROM photos WHERE tenant = ? AND album_id = ? ORDER BY rowid`,
        )
        .all(tenant, albumId)
        .map(photoOf);
    });
  }

  getPhoto(tenant: string, sha256: string): Promise<PhotoRecord | null> {
    return this.run('getPhoto', (db) => {
      checkTenant(tenant);
      checkSha256(sha256);
      // The same bytes sent in several albums: the first time they arrived.
      const row = db
        .prepare<[string, string], PhotoRow>(
          `SELECT ${PHOTO_COLUMNS} FROM photos WHERE tenant = ? AND sha256 = ? ORDER BY rowid LIMIT 1`,
        )
        .get(tenant, sha256);
      return row ? photoOf(row) : null;
    });
  }

  recordFailure(tenant: string, albumId: string, failure: AlbumFailure): Promise<void> {
    return this.run('recordFailure', (db) => {
      checkAlbumRef(tenant, albumId);
      checkFailure(failure);
      // A retried photo that fails again keeps one row, with the latest reason.
      db.prepare(
        `INSERT INTO failures (tenant, album_id, name, code, message) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (tenant, album_id, name) DO UPDATE SET code = excluded.code, message = excluded.message`,
      ).run(tenant, albumId, failure.path, failure.code, failure.message);
    });
  }

  listFailures(tenant: string, albumId: string): Promise<AlbumFailure[]> {
    return this.run('listFailures', (db) => {
      checkAlbumRef(tenant, albumId);
      return db
        .prepare<[string, string], AlbumFailure>(
          `SELECT name AS path, code, message FROM failures WHERE tenant = ? AND album_id = ? ORDER BY rowid`,
        )
        .all(tenant, albumId)
        .map((row) => ({ path: row.path, code: row.code, message: row.message }));
    });
  }

  listPeople(tenant: string): Promise<PersonRecord[]> {
    return this.run('listPeople', (db) => {
      checkTenant(tenant);
      return db
        .prepare<[string], PersonRow>(
          `${PERSON_SELECT} WHERE p.tenant = ? ORDER BY p.face_count DESC, p.created_at, p.id`,
        )
        .all(tenant)
        .map(personOf);
    });
  }

  /**
   * Served from memory while the file is unchanged: `PRAGMA data_version` moves when another connection
   * (the worker process) commits, `total_changes()` when this one writes. Reading 2,000 templates costs
   * 5 ms at best and, with the buffers it allocates, up to 45 ms under load, on every `/find`.
   */
  personTemplates(tenant: string): Promise<PersonTemplate[]> {
    return this.run('personTemplates', (db) => {
      checkTenant(tenant);
      const changes = db.prepare<[], { n: number }>('SELECT total_changes() AS n').get()?.n ?? 0;
      const version = `${String(db.pragma('data_version', { simple: true }))}/${changes}`;
      const cached = this.templates.get(tenant);
      if (cached?.version === version) return [...cached.list];
      const list = db
        .prepare<[string], { id: string; centroid: Buffer }>(
          'SELECT id, centroid FROM people WHERE tenant = ? AND centroid IS NOT NULL ORDER BY id',
        )
        .all(tenant)
        .flatMap((row) => {
          const centroid = centroidOf(row.centroid);
          return centroid ? [{ id: row.id, centroid }] : [];
        });
      this.templates.delete(tenant);
      this.templates.set(tenant, { version, list });
      // The most recently asked chats only: a chat of 2,000 people holds 4 MB of templates at 512-d.
      for (const oldest of this.templates.keys()) {
        if (this.templates.size <= TEMPLATE_CACHE_CHATS) break;
        this.templates.delete(oldest);
      }
      return [...list];
    });
  }

  getPerson(tenant: string, id: string): Promise<PersonRecord | null> {
    return this.run('getPerson', (db) => {
      checkTenant(tenant);
      checkId('person', id);
      const row = db
        .prepare<[string, string], PersonRow>(`${PERSON_SELECT} WHERE p.tenant = ? AND p.id = ?`)
        .get(tenant, id);
      return row ? personOf(row) : null;
    });
  }

  savePerson(person: PersonRecord): Promise<void> {
    return this.run('savePerson', (db) => {
      const createdAt = checkPerson(person);
      db.transaction(() => {
        // The next handle of the chat, once per person id: a saved-again person keeps its handle.
        // (`WHERE true` lets SQLite parse ON CONFLICT after a SELECT.)
        db.prepare(
          `INSERT INTO person_handles (tenant, handle, person_id)
           SELECT ?, coalesce(max(handle), 0) + 1, ? FROM person_handles WHERE tenant = ? AND true
           ON CONFLICT DO NOTHING`,
        ).run(person.tenant, person.id, person.tenant);
        db.prepare(
          `INSERT INTO people (tenant, id, name, centroid, face_count, cover_face, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant, id) DO UPDATE SET
           name = coalesce(excluded.name, people.name), centroid = excluded.centroid,
           face_count = excluded.face_count,
           cover_face = CASE WHEN people.cover_chosen = 1 THEN people.cover_face ELSE excluded.cover_face END,
           created_at = excluded.created_at`,
        ).run(
          person.tenant,
          person.id,
          person.name,
          centroidBytes(person.centroid),
          person.faceCount,
          person.coverFace,
          createdAt,
        );
      }).immediate();
    });
  }

  namePerson(tenant: string, id: string, name: string | null): Promise<void> {
    return this.run('namePerson', (db) => {
      checkTenant(tenant);
      checkId('person', id);
      checkName(name);
      const info = db.prepare('UPDATE people SET name = ? WHERE tenant = ? AND id = ?').run(name, tenant, id);
      if (info.changes === 0) throw new AppError(ErrorCode.BadArguments, 'unknown person', { tenant, id });
    });
  }

  mergePeople(tenant: string, from: string, into: string, undo?: MergeUndo): Promise<void> {
    return this.run('mergePeople', (db) => {
      checkTenant(tenant);
      checkId('person', from);
      checkId('person', into);
      checkMergeUndo(undo);
      db.transaction(() => {
        const target = resolveIn(db, tenant, into);
        if (target === null) {
          throw new AppError(ErrorCode.BadArguments, 'cannot merge into a deleted or unknown person', {
            tenant,
            into,
          });
        }
        const source = resolveIn(db, tenant, from);
        if (source === null) {
          throw new AppError(ErrorCode.BadArguments, 'cannot merge a deleted or unknown person', {
            tenant,
            from,
          });
        }
        // Already one person: a retried merge, or a merge of a person into itself.
        if (source === target) return;
        db.prepare('DELETE FROM people WHERE tenant = ? AND id = ?').run(tenant, source);
        db.prepare(
          `INSERT INTO person_merges (tenant, from_id, into_id, undo) VALUES (?, ?, ?, ?)
           ON CONFLICT (tenant, from_id) DO UPDATE SET into_id = excluded.into_id, undo = excluded.undo`,
        ).run(tenant, source, target, undo === undefined ? null : JSON.stringify(undo));
        // The two were one person all along, so a face that is not `source` is not `target` either.
        db.prepare(
          `INSERT INTO cannot_links (tenant, face_id, person_id)
           SELECT tenant, face_id, ? FROM cannot_links WHERE tenant = ? AND person_id = ?
           ON CONFLICT (tenant, face_id, person_id) DO NOTHING`,
        ).run(target, tenant, source);
        db.prepare('DELETE FROM cannot_links WHERE tenant = ? AND person_id = ?').run(tenant, source);
      }).immediate();
    });
  }

  resolvePerson(tenant: string, id: string): Promise<string | null> {
    return this.run('resolvePerson', (db) => {
      checkTenant(tenant);
      checkId('person', id);
      return resolveIn(db, tenant, id);
    });
  }

  getMerge(tenant: string, from: string): Promise<{ into: string; undo: MergeUndo | null } | null> {
    return this.run('getMerge', (db) => {
      checkTenant(tenant);
      checkId('person', from);
      const row = db
        .prepare<[string, string], { into_id: string; undo: string | null }>(
          'SELECT into_id, undo FROM person_merges WHERE tenant = ? AND from_id = ?',
        )
        .get(tenant, from);
      return row ? { into: row.into_id, undo: row.undo === null ? null : mergeUndoOf(row.undo) } : null;
    });
  }

  dropMerge(tenant: string, from: string): Promise<void> {
    return this.run('dropMerge', (db) => {
      checkTenant(tenant);
      checkId('person', from);
      db.prepare('DELETE FROM person_merges WHERE tenant = ? AND from_id = ?').run(tenant, from);
    });
  }

  personByHandle(tenant: string, handle: number): Promise<string | null> {
    return this.run('personByHandle', (db) => {
      checkTenant(tenant);
      checkHandle(handle);
      const row = db
        .prepare<[string, number], { person_id: string }>(
          'SELECT person_id FROM person_handles WHERE tenant = ? AND handle = ?',
        )
        .get(tenant, handle);
      return row?.person_id ?? null;
    });
  }

  setHidden(tenant: string, id: string, hidden: boolean): Promise<void> {
    return this.run('setHidden', (db) => {
      checkTenant(tenant);
      checkId('person', id);
      const info = db
        .prepare('UPDATE people SET hidden = ? WHERE tenant = ? AND id = ?')
        .run(hidden ? 1 : 0, tenant, id);
      if (info.changes === 0) throw new AppError(ErrorCode.BadArguments, 'unknown person', { tenant, id });
    });
  }

  chooseCover(tenant: string, id: string, faceId: string): Promise<void> {
    return this.run('chooseCover', (db) => {
      checkTenant(tenant);
      checkId('person', id);
      checkId('face', faceId);
      const info = db
        .prepare('UPDATE people SET cover_face = ?, cover_chosen = 1 WHERE tenant = ? AND id = ?')
        .run(faceId, tenant, id);
      if (info.changes === 0) throw new AppError(ErrorCode.BadArguments, 'unknown person', { tenant, id });
    });
  }

  deletePerson(tenant: string, id: string): Promise<void> {
    return this.run('deletePerson', (db) => {
      checkTenant(tenant);
      checkId('person', id);
      db.transaction(() => {
        db.prepare('DELETE FROM people WHERE tenant = ? AND id = ?').run(tenant, id);
        db.prepare('DELETE FROM cannot_links WHERE tenant = ? AND person_id = ?').run(tenant, id);
      }).immediate();
    });
  }

  addCannotLink(tenant: string, faceId: string, personId: string): Promise<void> {
    return this.run('addCannotLink', (db) => {
      checkTenant(tenant);
      checkId('face', faceId);
      checkId('person', personId);
      db.transaction(() => {
        // Stored against the person the id means now, so a link given under an old id still binds.
        const person = resolveIn(db, tenant, personId) ?? personId;
        db.prepare(
          `INSERT INTO cannot_links (tenant, face_id, person_id) VALUES (?, ?, ?)
           ON CONFLICT (tenant, face_id, person_id) DO NOTHING`,
        ).run(tenant, faceId, person);
      }).immediate();
    });
  }

  saveSearchAnswer(tenant: string, answer: SearchAnswer): Promise<void> {
    return this.run('saveSearchAnswer', (db) => {
      checkTenant(tenant);
      checkSha256(answer.selfie);
      checkId('person', answer.person);
      db.prepare(
        `INSERT INTO search_answers (tenant, selfie, person_id, yes, answered_by, answered_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (tenant, selfie, person_id) DO UPDATE SET
           yes = excluded.yes, answered_by = excluded.answered_by, answered_at = excluded.answered_at`,
      ).run(tenant, answer.selfie, answer.person, answer.yes ? 1 : 0, answer.answeredBy, answer.answeredAt);
    });
  }

  listSearchAnswers(tenant: string, selfie: string): Promise<SearchAnswer[]> {
    return this.run('listSearchAnswers', (db) => {
      checkTenant(tenant);
      return db
        .prepare<
          [string, string],
          { person: string; yes: number; answeredBy: string | null; answeredAt: string }
        >(
          `SELECT person_id AS person, yes, answered_by AS answeredBy, answered_at AS answeredAt
           FROM search_answers WHERE tenant = ? AND selfie = ? ORDER BY person_id`,
        )
        .all(tenant, selfie)
        .map((row) => ({
          selfie,
          person: row.person,
          yes: row.yes === 1,
          answeredBy: row.answeredBy,
          answeredAt: row.answeredAt,
        }));
    });
  }

  listCannotLinks(tenant: string): Promise<Array<{ faceId: string; personId: string }>> {
    return this.run('listCannotLinks', (db) => {
      checkTenant(tenant);
      return db
        .prepare<[string], { faceId: string; personId: string }>(
          `SELECT face_id AS faceId, person_id AS personId FROM cannot_links WHERE tenant = ?
           ORDER BY face_id, person_id`,
        )
        .all(tenant)
        .map((row) => ({ faceId: row.faceId, personId: row.personId }));
    });
  }

  forgetTenant(tenant: string): Promise<void> {
    return this.run('forgetTenant', (db) => {
      checkTenant(tenant);
      db.transaction(() => {
        for (const table of TENANT_TABLES) db.prepare(`DELETE FROM ${table} WHERE tenant = ?`).run(tenant);
      }).immediate();
    });
  }

  close(): Promise<void> {
    this.handle?.close();
    this.handle = undefined;
    this.migrated = false;
    return Promise.resolve();
  }

  private albumRow(db: Database.Database, tenant: string, id: string): AlbumRow | undefined {
    return db
      .prepare<[string, string], AlbumRow>(
        `SELECT ${ALBUM_COLUMNS} FROM albums a WHERE a.tenant = ? AND a.id = ?`,
      )
      .get(tenant, id);
  }
}

/** Follows merges from `id` to a live person; null when the chain ends at a deleted or unknown id. */
function resolveIn(db: Database.Database, tenant: string, id: string): string | null {
  const live = db.prepare<[string, string], { id: string }>(
    'SELECT id FROM people WHERE tenant = ? AND id = ?',
  );
  const next = db.prepare<[string, string], { into_id: string }>(
    'SELECT into_id FROM person_merges WHERE tenant = ? AND from_id = ?',
  );
  let current = id;
  for (let hop = 0; hop <= MAX_MERGE_HOPS; hop++) {
    if (live.get(tenant, current)) return current;
    const step = next.get(tenant, current);
    if (!step) return null;
    current = step.into_id;
  }
  throw new AppError(ErrorCode.Internal, 'person merge chain does not end', { tenant, id });
}

/**
 * Applies the missing migrations under SQLite's write lock: BEGIN IMMEDIATE makes a second process wait
 * (busy_timeout) until the first has committed, and then it finds every version recorded.
 */
function applyMigrations(db: Database.Database): void {
  db.transaction(() => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    )`);
    const applied = new Set(
      db
        .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
        .all()
        .map((row) => row.version),
    );
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of METADATA_MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sqlite);
      record.run(migration.version, migration.name, new Date().toISOString());
    }
  }).immediate();
}
