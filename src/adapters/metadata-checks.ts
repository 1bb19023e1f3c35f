/**
 * What both metadata store adapters check before touching storage, so SQLite and PostgreSQL refuse the
 * same input with the same BAD_ARGUMENTS error, and the rules they share (status transitions, person
 * ids, centroid bytes). Pure: no I/O.
 */
import type { AlbumFailure, AlbumResult } from '../core/album.js';
import { AppError, ErrorCode } from '../core/errors.js';
import { albumPrefix, assertBlobKey, assertTenant, tenantPrefix } from '../core/keys.js';
import type { GpsPoint } from '../core/types.js';
import type { AlbumStatus, MergeUndo, PersonRecord, PhotoRecord } from '../ports/metadata-store.js';

function bad(message: string, context: Record<string, unknown>): AppError {
  return new AppError(ErrorCode.BadArguments, message, context);
}

const STATUSES: ReadonlySet<string> = new Set<AlbumStatus>(['queued', 'processing', 'done', 'failed']);

/**
 * The moves an album may make. Setting the status it already has is always allowed (a retried job).
 * - queued → processing when a worker picks it up, → failed when it is cancelled before that;
 * - processing → done / failed, → queued when the queue hands a stalled job to another worker;
 * - done → queued / processing to group again (after a merge or a new model pack); its result stays
 *   until the new one replaces it;
 * - failed → queued / processing to retry.
 * Refused: queued → done (nothing was grouped) and done ↔ failed (a finished album keeps its outcome
 * until it runs again).
 */
const TRANSITIONS: Readonly<Record<AlbumStatus, readonly AlbumStatus[]>> = {
  queued: ['processing', 'failed'],
  processing: ['done', 'failed', 'queued'],
  done: ['queued', 'processing'],
  failed: ['queued', 'processing'],
};

export function checkStatus(status: string): AlbumStatus {
  if (!STATUSES.has(status)) throw bad('unknown album status', { status });
  return status as AlbumStatus;
}

export function checkTransition(albumId: string, from: AlbumStatus, to: AlbumStatus): void {
  if (from !== to && !TRANSITIONS[from].includes(to)) {
    throw bad('album cannot move to this status', { albumId, from, to });
  }
}

/** An album id is also a blob key segment (`<tenant>/albums/<id>/`), so it must pass that check. */
export function checkAlbumRef(tenant: string, albumId: string): void {
  albumPrefix(tenant, albumId);
}

export function checkTenant(tenant: string): void {
  assertTenant(tenant);
}

/**
 * Person and face ids come from our own code (UUIDs, ULIDs or `person-<n>`); any short run of these
 * characters is accepted, which keeps them safe in logs, callback data and SQL values alike.
 */
const ID_RE = /^[A-Za-z0-9_.:-]{1,128}$/;

export function checkId(kind: string, id: string): void {
  if (typeof id !== 'string' || !ID_RE.test(id)) throw bad(`invalid ${kind} id`, { [kind]: id });
}

const SHA256_RE = /^[0-9a-f]{64}$/;

export function checkSha256(sha256: string): void {
  if (typeof sha256 !== 'string' || !SHA256_RE.test(sha256)) {
    throw bad('invalid sha256 (64 lower-case hex digits)', { sha256 });
  }
}

function checkCount(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw bad(`invalid ${field}`, { [field]: value });
}

/**
 * File names and messages are user-visible text, not keys; the cap only keeps one row from growing
 * without bound (4096 is Telegram's longest message, the longest text a user can send us).
 */
const MAX_TEXT = 4096;

function checkText(field: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT) {
    throw bad(`invalid ${field}`, { [field]: typeof value === 'string' ? value.slice(0, 100) : value });
  }
}

export function checkAlbumInput(album: { id: string; tenant: string; photoCount: number }): void {
  checkAlbumRef(album.tenant, album.id);
  checkCount('photoCount', album.photoCount);
}

export function checkResult(result: AlbumResult | undefined): void {
  if (result === undefined) return;
  if (typeof result !== 'object' || (result as unknown) === null || !Array.isArray(result.photos)) {
    throw bad('invalid album result', {});
  }
}

function checkGps(gps: GpsPoint | null): void {
  if (gps === null) return;
  const ok =
    typeof gps === 'object' &&
    Number.isFinite(gps.lat) &&
    Number.isFinite(gps.lon) &&
    Math.abs(gps.lat) <= 90 &&
    Math.abs(gps.lon) <= 180 &&
    (gps.alt === undefined || Number.isFinite(gps.alt));
  if (!ok) throw bad('invalid GPS point', { gps });
}

export function checkPhoto(photo: PhotoRecord): void {
  checkAlbumRef(photo.tenant, photo.albumId);
  checkSha256(photo.sha256);
  checkText('name', photo.name);
  assertBlobKey(photo.blobKey);
  // A photo row may only point at its own chat's blobs.
  if (!photo.blobKey.startsWith(tenantPrefix(photo.tenant))) {
    throw bad('blob key belongs to another tenant', { tenant: photo.tenant, blobKey: photo.blobKey });
  }
  checkCount('width', photo.width);
  checkCount('height', photo.height);
  checkCount('faceCount', photo.faceCount);
  if (photo.takenAt !== null && (typeof photo.takenAt !== 'string' || photo.takenAt.length > 64)) {
    throw bad('invalid takenAt', { takenAt: photo.takenAt });
  }
  checkGps(photo.gps);
}

export function checkFailure(failure: AlbumFailure): void {
  checkText('path', failure.path);
  checkText('code', failure.code);
  if (typeof failure.message !== 'string' || failure.message.length > MAX_TEXT) {
    throw bad('invalid failure message', {});
  }
}

/**
 * A person's name is what the user typed; 256 characters is far above any real name and keeps a
 * people list within one Telegram message. An empty name is refused: null means "no name".
 */
const MAX_NAME = 256;

export function checkName(name: string | null): void {
  if (name === null) return;
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > MAX_NAME) {
    throw bad('invalid person name (1 to 256 characters, or null)', { name });
  }
}

/** Normalises an ISO 8601 time to `toISOString()` form, so both engines return the same text. */
export function checkTime(field: string, value: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw bad(`invalid ${field}`, { [field]: value });
  return new Date(ms).toISOString();
}

export function checkPerson(person: PersonRecord): string {
  checkTenant(person.tenant);
  checkId('person', person.id);
  checkName(person.name);
  if (person.centroid !== null && !(person.centroid instanceof Float32Array)) {
    throw bad('centroid must be a Float32Array or null', { person: person.id });
  }
  checkCount('faceCount', person.faceCount);
  if (person.coverFace !== null) checkId('face', person.coverFace);
  return checkTime('createdAt', person.createdAt);
}

export function checkLimit(limit: number | undefined): number | undefined {
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    throw bad('invalid limit', { limit });
  }
  return limit;
}

/** The bytes of a centroid, copied, in the machine's (little-endian) float order. */
export function centroidBytes(centroid: Float32Array | null): Buffer | null {
  if (centroid === null) return null;
  return Buffer.from(new Uint8Array(centroid.buffer, centroid.byteOffset, centroid.byteLength));
}

export function centroidOf(bytes: Uint8Array | null): Float32Array | null {
  if (bytes === null) return null;
  if (bytes.byteLength % 4 !== 0) {
    throw new AppError(ErrorCode.Internal, 'stored centroid is not a whole number of floats', {
      bytes: bytes.byteLength,
    });
  }
  // A fresh, aligned buffer: the driver's Buffer may sit at any offset of a shared pool.
  const vector = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(vector.buffer).set(bytes);
  return vector;
}

/**
 * Longest merge chain followed before giving up. Each merge removes a live person, so a chain is at most
 * as long as the people a chat ever had; 10 000 is far beyond any chat and only guards against a
 * cycle written by hand into the database.
 */
export const MAX_MERGE_HOPS = 10_000;

export function gpsOf(lat: number | null, lon: number | null, alt: number | null): GpsPoint | null {
  if (lat === null || lon === null) return null;
  return alt === null ? { lat, lon } : { lat, lon, alt };
}

export function checkHandle(handle: number): void {
  if (!Number.isSafeInteger(handle) || handle < 1) throw bad('invalid person handle', { handle });
}

/**
 * A merge's undo record: face ids and a name. 100 000 faces is far above any chat's person and keeps one
 * row bounded.
 */
export function checkMergeUndo(undo: MergeUndo | undefined): void {
  if (undo === undefined) return;
  const faces: unknown = undo.faces;
  if (!Array.isArray(faces) || faces.length > 100_000) throw bad('invalid merge undo', {});
  for (const face of faces as unknown[]) checkId('face', face as string);
  checkName(undo.intoName);
  checkName(undo.fromName);
}

/** Reads a stored undo record back; anything unexpected reads as "no undo". */
export function mergeUndoOf(value: unknown): MergeUndo | null {
  const raw: unknown = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (typeof raw !== 'object' || raw === null) return null;
  const { faces, intoName, fromName } = raw as { faces?: unknown; intoName?: unknown; fromName?: unknown };
  if (!Array.isArray(faces) || !faces.every((f) => typeof f === 'string')) return null;
  return {
    faces,
    intoName: typeof intoName === 'string' ? intoName : null,
    fromName: typeof fromName === 'string' ? fromName : null,
  };
}
