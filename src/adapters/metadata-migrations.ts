/**
 * Versioned schema of the metadata store, one entry per change, for both engines. A migration is
 * applied once, in order, inside one transaction together with its row in `schema_migrations`, so a
 * crash never leaves half a version behind. Never edit a released migration: add the next version.
 *
 * Both dialects hold the same tables and keys; every primary key starts with `tenant`, so no row can
 * be addressed without naming its chat. PostgreSQL text uses `{{schema}}`, replaced by the quoted
 * schema name. Engine differences: SQLite keeps times as ISO 8601 text and orders by its implicit
 * rowid; PostgreSQL uses timestamptz, JSONB, bytea and an identity column `seq` for insertion order.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sqlite: string;
  readonly postgres: string;
}

export const METADATA_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'albums, photos, progress and failures',
    sqlite: `
      CREATE TABLE albums (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'done', 'failed')),
        photo_count INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        finished_at TEXT,
        result TEXT,
        PRIMARY KEY (tenant, id)
      );
      CREATE INDEX albums_tenant_created ON albums (tenant, created_at);
      -- One row per photo of an album that finished (ok or failed): the count of rows is the progress,
      -- and the key makes a retried job count once.
      CREATE TABLE album_progress (
        tenant TEXT NOT NULL,
        album_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        PRIMARY KEY (tenant, album_id, sha256)
      );
      CREATE TABLE photos (
        tenant TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        album_id TEXT NOT NULL,
        name TEXT NOT NULL,
        blob_key TEXT NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        taken_at TEXT,
        gps_lat REAL,
        gps_lon REAL,
        gps_alt REAL,
        face_count INTEGER NOT NULL,
        PRIMARY KEY (tenant, sha256, album_id)
      );
      CREATE INDEX photos_tenant_album ON photos (tenant, album_id);
      CREATE TABLE failures (
        tenant TEXT NOT NULL,
        album_id TEXT NOT NULL,
        name TEXT NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        PRIMARY KEY (tenant, album_id, name)
      );
    `,
    postgres: `
      CREATE TABLE {{schema}}.albums (
        tenant text NOT NULL,
        id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        status text NOT NULL CHECK (status IN ('queued', 'processing', 'done', 'failed')),
        photo_count integer NOT NULL,
        created_at timestamptz NOT NULL,
        finished_at timestamptz,
        result jsonb,
        PRIMARY KEY (tenant, id)
      );
      CREATE INDEX albums_tenant_created ON {{schema}}.albums (tenant, created_at);
      CREATE TABLE {{schema}}.album_progress (
        tenant text NOT NULL,
        album_id text NOT NULL,
        sha256 text NOT NULL,
        PRIMARY KEY (tenant, album_id, sha256)
      );
      CREATE TABLE {{schema}}.photos (
        tenant text NOT NULL,
        sha256 text NOT NULL,
        album_id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        name text NOT NULL,
        blob_key text NOT NULL,
        width integer NOT NULL,
        height integer NOT NULL,
        taken_at text,
        gps_lat double precision,
        gps_lon double precision,
        gps_alt double precision,
        face_count integer NOT NULL,
        PRIMARY KEY (tenant, sha256, album_id)
      );
      CREATE INDEX photos_tenant_album ON {{schema}}.photos (tenant, album_id);
      CREATE TABLE {{schema}}.failures (
        tenant text NOT NULL,
        album_id text NOT NULL,
        name text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        code text NOT NULL,
        message text NOT NULL,
        PRIMARY KEY (tenant, album_id, name)
      );
    `,
  },
  {
    version: 2,
    name: 'people, merges and cannot-links',
    sqlite: `
      CREATE TABLE people (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        name TEXT,
        centroid BLOB,
        face_count INTEGER NOT NULL,
        cover_face TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      -- A merged person's old id and the id it was merged into, so old ids in chat history resolve.
      CREATE TABLE person_merges (
        tenant TEXT NOT NULL,
        from_id TEXT NOT NULL,
        into_id TEXT NOT NULL,
        PRIMARY KEY (tenant, from_id)
      );
      CREATE TABLE cannot_links (
        tenant TEXT NOT NULL,
        face_id TEXT NOT NULL,
        person_id TEXT NOT NULL,
        PRIMARY KEY (tenant, face_id, person_id)
      );
      CREATE INDEX cannot_links_person ON cannot_links (tenant, person_id);
    `,
    postgres: `
      CREATE TABLE {{schema}}.people (
        tenant text NOT NULL,
        id text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        name text,
        centroid bytea,
        face_count integer NOT NULL,
        cover_face text,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE TABLE {{schema}}.person_merges (
        tenant text NOT NULL,
        from_id text NOT NULL,
        into_id text NOT NULL,
        PRIMARY KEY (tenant, from_id)
      );
      CREATE TABLE {{schema}}.cannot_links (
        tenant text NOT NULL,
        face_id text NOT NULL,
        person_id text NOT NULL,
        PRIMARY KEY (tenant, face_id, person_id)
      );
      CREATE INDEX cannot_links_person ON {{schema}}.cannot_links (tenant, person_id);
    `,
  },
  {
    version: 3,
    name: 'stable person handles, hidden people, chosen covers, merge undo',
    // Handles are numbered per chat in the order people were created; a row is never deleted while the
    // chat exists, so max(handle) + 1 never hands out a number twice.
    sqlite: `
      CREATE TABLE person_handles (
        tenant TEXT NOT NULL,
        handle INTEGER NOT NULL,
        person_id TEXT NOT NULL,
        PRIMARY KEY (tenant, handle)
      );
      CREATE UNIQUE INDEX person_handles_person ON person_handles (tenant, person_id);
      INSERT INTO person_handles (tenant, handle, person_id)
        SELECT tenant, row_number() OVER (PARTITION BY tenant ORDER BY created_at, id), id FROM people;
      ALTER TABLE people ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE people ADD COLUMN cover_chosen INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE person_merges ADD COLUMN undo TEXT;
    `,
    postgres: `
      CREATE TABLE {{schema}}.person_handles (
        tenant text NOT NULL,
        handle integer NOT NULL,
        person_id text NOT NULL,
        PRIMARY KEY (tenant, handle)
      );
      CREATE UNIQUE INDEX person_handles_person ON {{schema}}.person_handles (tenant, person_id);
      INSERT INTO {{schema}}.person_handles (tenant, handle, person_id)
        SELECT tenant, row_number() OVER (PARTITION BY tenant ORDER BY created_at, id COLLATE "C"), id
        FROM {{schema}}.people;
      ALTER TABLE {{schema}}.people ADD COLUMN hidden boolean NOT NULL DEFAULT false;
      ALTER TABLE {{schema}}.people ADD COLUMN cover_chosen boolean NOT NULL DEFAULT false;
      ALTER TABLE {{schema}}.person_merges ADD COLUMN undo jsonb;
    `,
  },
  {
    version: 4,
    name: 'answers to "is this them?" after an unsure selfie search',
    sqlite: `
      CREATE TABLE search_answers (
        tenant TEXT NOT NULL,
        selfie TEXT NOT NULL,
        person_id TEXT NOT NULL,
        yes INTEGER NOT NULL CHECK (yes IN (0, 1)),
        answered_by TEXT,
        answered_at TEXT NOT NULL,
        PRIMARY KEY (tenant, selfie, person_id)
      );
    `,
    postgres: `
      CREATE TABLE {{schema}}.search_answers (
        tenant text NOT NULL,
        selfie text NOT NULL,
        person_id text NOT NULL,
        yes boolean NOT NULL,
        answered_by text,
        answered_at timestamptz NOT NULL,
        PRIMARY KEY (tenant, selfie, person_id)
      );
    `,
  },
];

/** The tables a tenant owns rows in, for forgetting a chat. */
export const TENANT_TABLES = [
  'albums',
  'album_progress',
  'photos',
  'failures',
  'people',
  'person_merges',
  'cannot_links',
  'person_handles',
  'search_answers',
] as const;
