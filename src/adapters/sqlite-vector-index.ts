/**
 * VectorIndex embedded in one SQLite file (FACEBLOG_DATA_DIR/index.sqlite) with sqlite-vec: the
 * single-machine twin of the Qdrant index.
 *
 * Per (collection, dimension) two tables:
 *  - `<collection>_<dim>_points`: id, tenant, photo, person, pack and the payload JSON; indexed for the
 *    tenant+person and tenant+photo filters.
 *  - `<collection>_<dim>_vec`: a vec0 table with the same rowid, `tenant` as a partition key and `pack`
 *    as a metadata column. vec0 KNN is an exact brute-force scan; with the partition key it scans only
 *    the tenant's chunks and returns k neighbours from that tenant (sqlite-vec 0.1.6+ docs,
 *    "partition keys"), so a big chat next door neither leaks in nor crowds out results.
 *  - `<collection>_<dim>_bin`: the same vectors as sign bits (vec_quantize_binary), same rowid and
 *    partition. A search for at most `TWO_PASS_MAX_LIMIT` results in a chat of more than
 *    `TWO_PASS_MIN_FACES` faces scans these first and rescores the best `prefilterK(limit)` exactly by
 *    cosine; every other search is the exact float scan.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';

import { AppError, ErrorCode } from '../core/errors.js';
import { assertTenant } from '../core/keys.js';
import {
  checkIds,
  checkPoint,
  checkSearch,
  checkVector,
  parsePayload,
  type FaceFilter,
  type FaceMatch,
  type FacePoint,
  type PersonCount,
  type SearchOptions,
  type StoredFace,
  type VectorIndex,
} from '../ports/vector-index.js';

export interface SqliteVectorIndexOptions {
  /** The database file; its directory is created on first use. */
  readonly file: string;
  /** Embedding dimension of the model pack (1152 for `local`, 512 for ArcFace packs). */
  readonly dimension: number;
  /** Base name of the tables; default `faces`. */
  readonly collection?: string;
}

interface SearchRow {
  id: string;
  payload: string;
  distance: number;
}

interface PointRow {
  rowid: number;
  id: string;
  tenant: string;
  payload: string;
}

const COLLECTION_RE = /^[a-z][a-z0-9_]{0,31}$/;

/**
 * Vectors per vec0 chunk. Every partition (chat) owns at least one chunk, allocated whole: at vec0's
 * default of 1024 a chat with one face cost 2.0 MiB at 512-d (4.5 MiB at the `local` pack's 1152-d), and
 * anyone can create chats through the bots. Measured on fresh files with 64 KiB pages (2-core EPYC,
 * 512-d, k=10): chunk 1024: 2090 KiB per one-face chat, 59.5 ms per search in a 20k-face chat;
 * 64: 138 KiB, 66.5 ms; 16: 67 KiB, 78.6 ms. 64 keeps big chats within about 12 % of the default.
 * Only new index files get it: vec0 fixes the chunk size when the table is created.
 */
const VEC_CHUNK_SIZE = 64;

/**
 * Measured on 100k × 512-d in one partition (bench/search.ts, shared 2-core EPYC, CPU per query): the
 * float scan costs 50 ms at k = 10 and 80 ms at k = 200; the sign-bit scan 3.3 ms at k = 10, 7.3 ms at
 * k = 50 and 55 ms at k = 400 (sqlite-vec's top-k grows with k), and each exact rescore reads a vector
 * back from vec0 (≈ 0.1 ms). So the first pass pays only for small k: 2 candidates per result, at least
 * 20, and only up to 20 results. Measured again with the whole `/find` path (bench/search.ts --find, the
 * bit scan is most of its CPU): k = 50 cost 25 ms and k = 20 about 10 ms, and every answer still equals
 * the decision over all of the chat's faces (100 of 100 members and strangers): `/find` needs the people
 * behind the nearest faces, and takes 20 people by template besides.
 */
const TWO_PASS_MAX_LIMIT = 20;
/** Below this the exact float scan is fast enough (8 ms CPU at 10k) and its answer is exact. */
const TWO_PASS_MIN_FACES = 20_000;
const prefilterK = (limit: number): number => Math.max(20, limit * 2);
/** Chats whose face count stays in memory. */
const COUNT_CACHE_CHATS = 64;

export class SqliteVectorIndex implements VectorIndex {
  readonly dimension: number;
  private readonly file: string;
  private readonly points: string;
  private readonly vec: string;
  private readonly bin: string;
  private handle: Database.Database | undefined;
  /** Face counts per chat, with the file's version they were read at (faceCount). */
  private readonly counts = new Map<string, { version: string; n: number }>();

  constructor(options: SqliteVectorIndexOptions) {
    const collection = options.collection ?? 'faces';
    if (!COLLECTION_RE.test(collection)) {
      throw new AppError(ErrorCode.BadConfig, 'invalid collection name', { collection });
    }
    if (!Number.isSafeInteger(options.dimension) || options.dimension < 1) {
      throw new AppError(ErrorCode.BadConfig, 'invalid embedding dimension', {
        dimension: options.dimension,
      });
    }
    this.dimension = options.dimension;
    this.file = options.file;
    this.points = `${collection}_${options.dimension}_points`;
    this.vec = `${collection}_${options.dimension}_vec`;
    this.bin = `${collection}_${options.dimension}_bin`;
  }

  /** Opens the file and creates the tables on first use. */
  private db(): Database.Database {
    if (this.handle) return this.handle;
    try {
      if (this.file !== ':memory:') mkdirSync(path.dirname(path.resolve(this.file)), { recursive: true });
      const db = new Database(this.file);
      try {
        sqliteVec.load(db);
        // vec0 keeps vectors in chunk blobs of 1024 vectors (2 MiB at 512-d); big pages mean short overflow
        // chains, and reads through mmap skip a copy per page. Measured with raw vec0 inserts and k=10
        // queries on 100k × 512-d in one partition (shared 2-core AMD EPYC dev box): 4 KiB pages without
        // mmap 99 ms CPU per query and 9.1 s to insert; 64 KiB pages with mmap 65 ms and 3.1 s.
        // page_size only applies to a new, empty file.
        db.pragma('page_size = 65536');
        // SQLite clamps this to its compile-time maximum (2 GiB by default); it reserves address space only.
        db.pragma('mmap_size = 2147418112');
        // WAL: readers never block the writer. synchronous=NORMAL is durable against crashes of the
        // process and keeps the file consistent on power loss (SQLite docs, "WAL mode").
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('busy_timeout = 5000');
        db.exec(`
          CREATE TABLE IF NOT EXISTS ${this.points} (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            tenant TEXT NOT NULL,
            photo TEXT NOT NULL,
            person TEXT,
            pack TEXT NOT NULL,
            payload TEXT NOT NULL
          );
          CREATE INDEX IF NOT EXISTS ${this.points}_tenant_person ON ${this.points} (tenant, person);
          CREATE INDEX IF NOT EXISTS ${this.points}_tenant_photo ON ${this.points} (tenant, photo);
          CREATE VIRTUAL TABLE IF NOT EXISTS ${this.vec} USING vec0(
            tenant TEXT PARTITION KEY,
            pack TEXT,
            embedding FLOAT[${this.dimension}] DISTANCE_METRIC=cosine,
            chunk_size=${VEC_CHUNK_SIZE}
          );
        `);
        this.openBinary(db);
      } catch (error) {
        db.close();
        throw error;
      }
      this.handle = db;
      return db;
    } catch (error) {
      throw new AppError(ErrorCode.Io, 'could not open the vector index', { file: this.file }, error);
    }
  }

  /**
   * Creates the sign-bit table and, for a file written before it existed, fills it from the float
   * vectors in one statement. Dimensions that are not a multiple of 8 keep the float scan only.
   */
  private openBinary(db: Database.Database): void {
    if (!this.hasBinary) return;
    const exists = db
      .prepare<[string], { n: number }>(`SELECT count(*) AS n FROM sqlite_master WHERE name = ?`)
      .get(this.bin);
    if (exists?.n) return;
    db.transaction(() => {
      db.exec(`
        CREATE VIRTUAL TABLE ${this.bin} USING vec0(
          tenant TEXT PARTITION KEY,
          pack TEXT,
          code BIT[${this.dimension}],
          chunk_size=${VEC_CHUNK_SIZE}
        );
        INSERT INTO ${this.bin} (rowid, tenant, pack, code)
          SELECT rowid, tenant, pack, vec_quantize_binary(embedding) FROM ${this.vec};
      `);
    })();
  }

  private get hasBinary(): boolean {
    return this.dimension % 8 === 0;
  }

  /** Runs one call; every failure, including a refused argument, comes back as a rejected promise. */
  private run<T>(what: string, fn: (db: Database.Database) => T): Promise<T> {
    try {
      return Promise.resolve(fn(this.db()));
    } catch (error) {
      if (error instanceof AppError) return Promise.reject(error);
      return Promise.reject(
        new AppError(ErrorCode.Io, `vector index: ${what} failed`, { file: this.file }, error),
      );
    }
  }

  upsert(points: readonly FacePoint[]): Promise<void> {
    return this.run('upsert', (db) => {
      for (const point of points) checkPoint(point, this.dimension);
      const find = db.prepare<[string], { rowid: number; tenant: string }>(
        `SELECT rowid, tenant FROM ${this.points} WHERE id = ?`,
      );
      const insertPoint = db.prepare(
        `INSERT INTO ${this.points} (id, tenant, photo, person, pack, payload) VALUES (?, ?, ?, ?, ?, ?)`,
      );
      const updatePoint = db.prepare(
        `UPDATE ${this.points} SET photo = ?, person = ?, pack = ?, payload = ? WHERE rowid = ?`,
      );
      const deleteVec = db.prepare(`DELETE FROM ${this.vec} WHERE rowid = ?`);
      const insertVec = db.prepare(
        `INSERT INTO ${this.vec} (rowid, tenant, pack, embedding) VALUES (?, ?, ?, ?)`,
      );
      const deleteBin = this.hasBinary ? db.prepare(`DELETE FROM ${this.bin} WHERE rowid = ?`) : null;
      const insertBin = this.hasBinary
        ? db.prepare(
            `INSERT INTO ${this.bin} (rowid, tenant, pack, code) VALUES (?, ?, ?, vec_quantize_binary(?))`,
          )
        : null;
      db.transaction(() => {
        for (const { id, tenant, vector, payload } of points) {
          const json = JSON.stringify(payload);
          const existing = find.get(id);
          let rowid: number;
          if (existing) {
            if (existing.tenant !== tenant) {
              // Ids derive from the tenant, so this is a hash collision or a bug: never move a point.
              throw new AppError(ErrorCode.Internal, 'point id belongs to another tenant', { id });
            }
            rowid = existing.rowid;
            updatePoint.run(payload.photo, payload.person, payload.pack, json, rowid);
            // vec0 cannot update a partition key in place; delete and re-insert under the same rowid.
            deleteVec.run(BigInt(rowid));
            deleteBin?.run(BigInt(rowid));
          } else {
            const info = insertPoint.run(id, tenant, payload.photo, payload.person, payload.pack, json);
            rowid = Number(info.lastInsertRowid);
          }
          // vec0 wants an integer rowid; better-sqlite3 binds plain numbers as REAL, BigInt as INTEGER.
          insertVec.run(BigInt(rowid), tenant, payload.pack, vectorBlob(vector));
          insertBin?.run(BigInt(rowid), tenant, payload.pack, vectorBlob(vector));
        }
      })();
    });
  }

  search(tenant: string, vector: Float32Array, options: SearchOptions): Promise<FaceMatch[]> {
    return this.run('search', (db) => {
      assertTenant(tenant);
      checkVector(vector, this.dimension);
      checkSearch(options);
      const rows =
        this.hasBinary &&
        options.limit <= TWO_PASS_MAX_LIMIT &&
        this.faceCount(db, tenant) > TWO_PASS_MIN_FACES
          ? this.searchTwoPass(db, tenant, vector, options)
          : db
              .prepare<[Buffer, bigint, string, string, string], SearchRow>(
                `WITH knn AS (
                   SELECT rowid, distance FROM ${this.vec}
                   WHERE embedding MATCH ? AND k = ? AND tenant = ? AND pack = ?
                 )
                 SELECT p.id, p.payload, knn.distance FROM knn
                 JOIN ${this.points} p ON p.rowid = knn.rowid
                 WHERE p.tenant = ?
                 ORDER BY knn.distance, p.id`,
              )
              .all(vectorBlob(vector), BigInt(options.limit), tenant, options.pack, tenant);
      const minScore = options.minScore ?? -Infinity;
      const matches: FaceMatch[] = [];
      for (const row of rows) {
        // vec0's cosine distance is 1 - cosine similarity.
        const score = 1 - row.distance;
        if (score >= minScore) matches.push({ id: row.id, score, payload: parsePayload(row.payload) });
      }
      return matches;
    });
  }

  /**
   * The chat's faces, from the (tenant, person) index: 3.6–5 ms at 100k, so kept while the file is
   * unchanged (`PRAGMA data_version` moves when another connection commits, `total_changes()` when this
   * one writes). It only picks the search's first pass, never its answer.
   */
  private faceCount(db: Database.Database, tenant: string): number {
    const changes = db.prepare<[], { n: number }>('SELECT total_changes() AS n').get()?.n ?? 0;
    const version = `${String(db.pragma('data_version', { simple: true }))}/${changes}`;
    const cached = this.counts.get(tenant);
    if (cached?.version === version) return cached.n;
    const n =
      db
        .prepare<[string], { n: number }>(`SELECT count(*) AS n FROM ${this.points} WHERE tenant = ?`)
        .get(tenant)?.n ?? 0;
    this.counts.delete(tenant);
    this.counts.set(tenant, { version, n });
    for (const oldest of this.counts.keys()) {
      if (this.counts.size <= COUNT_CACHE_CHATS) break;
      this.counts.delete(oldest);
    }
    return n;
  }

  /** Sign-bit scan of the chat's partition for candidates, then exact cosine over those alone. */
  private searchTwoPass(
    db: Database.Database,
    tenant: string,
    vector: Float32Array,
    options: SearchOptions,
  ): SearchRow[] {
    const blob = vectorBlob(vector);
    return db
      .prepare<[Buffer, bigint, string, string, Buffer, string, bigint], SearchRow>(
        `WITH pre AS (
           SELECT rowid FROM ${this.bin}
           WHERE code MATCH vec_quantize_binary(?) AND k = ? AND tenant = ? AND pack = ?
         ),
         exact AS (
           SELECT v.rowid, vec_distance_cosine(v.embedding, ?) AS distance
           FROM pre JOIN ${this.vec} v ON v.rowid = pre.rowid
         )
         SELECT p.id, p.payload, exact.distance FROM exact
         JOIN ${this.points} p ON p.rowid = exact.rowid
         WHERE p.tenant = ?
         ORDER BY exact.distance, p.id
         LIMIT ?`,
      )
      .all(
        blob,
        BigInt(prefilterK(options.limit)),
        tenant,
        options.pack,
        blob,
        tenant,
        BigInt(options.limit),
      );
  }

  get(tenant: string, ids: readonly string[], options?: { withVectors?: boolean }): Promise<StoredFace[]> {
    return this.run('get', (db) => {
      assertTenant(tenant);
      checkIds(ids);
      const rows = this.rowsByIds(db, tenant, ids);
      const byId = new Map(rows.map((row) => [row.id, row]));
      const readVector = db.prepare<[bigint], { embedding: Buffer }>(
        `SELECT embedding FROM ${this.vec} WHERE rowid = ?`,
      );
      const faces: StoredFace[] = [];
      for (const id of ids) {
        const row = byId.get(id);
        if (!row) continue;
        const payload = parsePayload(row.payload);
        if (options?.withVectors === true) {
          const blob = readVector.get(BigInt(row.rowid))?.embedding;
          if (!blob) continue;
          faces.push({ id, payload, vector: vectorOf(blob) });
        } else {
          faces.push({ id, payload });
        }
      }
      return faces;
    });
  }

  list(filter: FaceFilter, options?: { withVectors?: boolean }): Promise<StoredFace[]> {
    return this.run('list', (db) => {
      const { sql: where, params } = whereOf(filter, 'p.');
      if (options?.withVectors !== true) {
        return db
          .prepare<string[], PointRow>(
            `SELECT p.id, p.payload FROM ${this.points} p WHERE ${where} ORDER BY p.id`,
          )
          .all(...params)
          .map((row) => ({ id: row.id, payload: parsePayload(row.payload) }));
      }
      // One statement: the (tenant, person) or (tenant, photo) index finds the rows, vec0 reads each
      // vector by rowid.
      return db
        .prepare<string[], PointRow & { embedding: Buffer }>(
          `SELECT p.id, p.payload, v.embedding FROM ${this.points} p
           JOIN ${this.vec} v ON v.rowid = p.rowid
           WHERE ${where} ORDER BY p.id`,
        )
        .all(...params)
        .map((row) => ({ id: row.id, payload: parsePayload(row.payload), vector: vectorOf(row.embedding) }));
    });
  }

  setPerson(tenant: string, ids: readonly string[], person: string | null): Promise<void> {
    return this.run('setPerson', (db) => {
      assertTenant(tenant);
      checkIds(ids);
      const update = db.prepare(
        `UPDATE ${this.points} SET person = ?, payload = json_set(payload, '$.person', ?)
         WHERE tenant = ? AND id = ?`,
      );
      db.transaction(() => {
        for (const id of ids) update.run(person, person, tenant, id);
      })();
    });
  }

  deleteByIds(tenant: string, ids: readonly string[]): Promise<void> {
    return this.run('deleteByIds', (db) => {
      assertTenant(tenant);
      checkIds(ids);
      this.deleteRows(db, this.rowsByIds(db, tenant, ids));
    });
  }

  deleteWhere(filter: FaceFilter): Promise<void> {
    return this.run('deleteWhere', (db) => {
      const { sql, params } = whereOf(filter);
      const rows = db
        .prepare<string[], PointRow>(`SELECT rowid, id, tenant, payload FROM ${this.points} WHERE ${sql}`)
        .all(...params);
      this.deleteRows(db, rows);
    });
  }

  count(filter: FaceFilter): Promise<number> {
    return this.run('count', (db) => {
      const { sql, params } = whereOf(filter);
      const row = db
        .prepare<string[], { n: number }>(`SELECT count(*) AS n FROM ${this.points} WHERE ${sql}`)
        .get(...params);
      return row?.n ?? 0;
    });
  }

  personCounts(tenant: string): Promise<PersonCount[]> {
    return this.run('personCounts', (db) => {
      assertTenant(tenant);
      // The (tenant, person) index walks one chat's faces in person order.
      return db
        .prepare<[string], PersonCount>(
          `SELECT person, count(*) AS faces, count(DISTINCT photo) AS photos FROM ${this.points}
           WHERE tenant = ? AND person IS NOT NULL GROUP BY person ORDER BY person`,
        )
        .all(tenant);
    });
  }

  close(): Promise<void> {
    this.handle?.close();
    this.handle = undefined;
    return Promise.resolve();
  }

  private rowsByIds(db: Database.Database, tenant: string, ids: readonly string[]): PointRow[] {
    if (ids.length === 0) return [];
    return db
      .prepare<string[], PointRow>(
        // `+tenant`: look the ids up in their unique index and check the tenant on each row. Left to
        // itself the planner walked the chat's (tenant, person) index instead: 36 ms for one id in a chat
        // of 100k faces (bench/search.ts --find), under 0.1 ms this way.
        `SELECT rowid, id, tenant, payload FROM ${this.points}
         WHERE +tenant = ? AND id IN (SELECT value FROM json_each(?))`,
      )
      .all(tenant, JSON.stringify(ids));
  }

  private deleteRows(db: Database.Database, rows: readonly PointRow[]): void {
    const deleteVec = db.prepare(`DELETE FROM ${this.vec} WHERE rowid = ?`);
    const deleteBin = this.hasBinary ? db.prepare(`DELETE FROM ${this.bin} WHERE rowid = ?`) : null;
    const deletePoint = db.prepare(`DELETE FROM ${this.points} WHERE rowid = ?`);
    db.transaction(() => {
      for (const row of rows) {
        deleteVec.run(BigInt(row.rowid));
        deleteBin?.run(BigInt(row.rowid));
        deletePoint.run(row.rowid);
      }
    })();
  }
}

function vectorBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** A copy of a stored vector (the blob's memory belongs to SQLite's row). */
function vectorOf(blob: Buffer): Float32Array {
  const vector = new Float32Array(blob.byteLength / 4);
  new Uint8Array(vector.buffer).set(blob);
  return vector;
}

/** The WHERE clause of a filter on the points table (`prefix`: its alias in a join, e.g. `p.`). */
function whereOf(filter: FaceFilter, prefix = ''): { sql: string; params: string[] } {
  assertTenant(filter.tenant);
  const clauses = [`${prefix}tenant = ?`];
  const params = [filter.tenant];
  if (filter.person !== undefined) {
    clauses.push(`${prefix}person = ?`);
    params.push(filter.person);
  }
  if (filter.photo !== undefined) {
    clauses.push(`${prefix}photo = ?`);
    params.push(filter.photo);
  }
  return { sql: clauses.join(' AND '), params };
}
