/**
 * Tenant ids, blob keys and face point ids. Every chat is a tenant, and every key or id that reaches
 * storage is built here, so that one chat's data can never be addressed through another's name.
 * Pure: no I/O.
 */
import { createHash } from 'node:crypto';

import { AppError, ErrorCode } from './errors.js';

/**
 * Lower-case letters, digits and `-`, starting with a letter. No `.`, `/`, `\` or `%` can ever appear, so
 * a tenant id is safe as a path segment, an S3 prefix and a SQL value. 64 characters leave room for a
 * Discord guild and channel snowflake (up to 20 digits each) with their prefix.
 */
const TENANT_RE = /^[a-z][a-z0-9-]{0,63}$/;
const SHA256_RE = /^[0-9a-f]{64}$/;
/** Photo extensions we store: short, lower case, alphanumeric (jpg, png, webp, heic, ...). */
const EXT_RE = /^[a-z0-9]{1,8}$/;
/** Album ids come from our own code (e.g. a Telegram media_group_id or a ULID). */
const ALBUM_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;
/** One path segment of a blob key: no leading dot (no `.`, `..`, hidden or temp files), no slashes. */
const SEGMENT_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;
/** S3 limits keys to 1024 bytes; our keys are ASCII. */
const MAX_KEY_LENGTH = 1024;

function bad(message: string, context: Record<string, unknown>): AppError {
  return new AppError(ErrorCode.BadArguments, message, context);
}

/**
 * A tenant is a chat, e.g. `tg-123456789`, `tg--1001234567890` (a Telegram group) or
 * `dc-<guild>-<channel>`.
 */
export function isTenantId(value: string): boolean {
  return TENANT_RE.test(value);
}

/** The tenant id itself, after checking that it is one. */
export function tenantId(value: string): string {
  if (!isTenantId(value)) throw bad('invalid tenant id', { tenant: value });
  return value;
}

export function assertTenant(value: string): void {
  tenantId(value);
}

/** A Telegram chat: private chats are positive, groups and channels negative (`-100...`). */
export function telegramTenant(chatId: number | bigint | string): string {
  const id = String(chatId);
  if (!/^-?\d{1,20}$/.test(id)) throw bad('invalid Telegram chat id', { chatId: id });
  return tenantId(`tg-${id}`);
}

/** A Discord channel inside a guild: both are snowflakes. */
export function discordTenant(guildId: string, channelId: string): string {
  if (!/^\d{1,20}$/.test(guildId) || !/^\d{1,20}$/.test(channelId)) {
    throw bad('invalid Discord ids', { guildId, channelId });
  }
  return tenantId(`dc-${guildId}-${channelId}`);
}

function assertSha256(sha256: string): void {
  if (!SHA256_RE.test(sha256)) throw bad('invalid sha256 (64 lower-case hex digits)', { sha256 });
}

function assertFaceIndex(faceIndex: number): void {
  if (!Number.isSafeInteger(faceIndex) || faceIndex < 0) throw bad('invalid face index', { faceIndex });
}

function assertAlbumId(albumId: string): void {
  if (!ALBUM_ID_RE.test(albumId)) throw bad('invalid album id', { albumId });
}

// ---------------------------------------------------------------------------------------------------
// Blob keys: `<tenant>/photos/<sha256>.<ext>`, `<tenant>/faces/<sha256>_<i>.jpg`,
// `<tenant>/thumbs/<sha256>.jpg`, `<tenant>/albums/<albumId>/<name>`.

/** Everything a tenant owns in the blob store; `deletePrefix(tenantPrefix(t))` forgets the chat. */
export function tenantPrefix(tenant: string): string {
  return `${tenantId(tenant)}/`;
}

export function photoKey(tenant: string, sha256: string, ext: string): string {
  assertSha256(sha256);
  const lower = ext.toLowerCase().replace(/^\./, '');
  if (!EXT_RE.test(lower)) throw bad('invalid photo extension', { ext });
  return `${tenantPrefix(tenant)}photos/${sha256}.${lower}`;
}

/** The aligned crop of face `faceIndex` in a photo. */
export function faceKey(tenant: string, sha256: string, faceIndex: number): string {
  assertSha256(sha256);
  assertFaceIndex(faceIndex);
  return `${tenantPrefix(tenant)}faces/${sha256}_${faceIndex}.jpg`;
}

/** Prefix of all face crops of one photo (for forgetting a photo). */
export function photoFacesPrefix(tenant: string, sha256: string): string {
  assertSha256(sha256);
  // Face keys are `<sha256>_<i>.jpg`; the `_` ends the hash, so no other photo shares this prefix.
  return `${tenantPrefix(tenant)}faces/${sha256}_`;
}

export function thumbKey(tenant: string, sha256: string): string {
  assertSha256(sha256);
  return `${tenantPrefix(tenant)}thumbs/${sha256}.jpg`;
}

export function albumPrefix(tenant: string, albumId: string): string {
  assertAlbumId(albumId);
  return `${tenantPrefix(tenant)}albums/${albumId}/`;
}

/** A file of an album, e.g. `album.json` or `blog/index.html`. */
export function albumKey(tenant: string, albumId: string, name: string): string {
  const key = `${albumPrefix(tenant, albumId)}${name}`;
  assertBlobKey(key);
  return key;
}

/**
 * A key is `<tenant>/<segment>/.../<segment>`: every segment is a plain name, so a key can never climb
 * out of a directory (`..`), start at the root (`/`), hide (`.x`) or collide with a temp file.
 */
export function assertBlobKey(key: string): void {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw bad('invalid blob key length', { key });
  const segments = key.split('/');
  if (segments.length < 2 || !isTenantId(segments[0] ?? '')) {
    throw bad('blob key must start with a tenant id', { key });
  }
  for (const segment of segments.slice(1)) {
    if (!SEGMENT_RE.test(segment)) throw bad('invalid blob key segment', { key, segment });
  }
}

/**
 * A prefix is a key's leading part. It must name a whole tenant (`tg-1/`, never `tg-1`, which would
 * also match `tg-12/...`), and each complete segment before the last `/` must be valid; the tail after
 * the last `/` may be a partial segment (`tg-1/faces/<sha>_`).
 */
export function assertBlobPrefix(prefix: string): void {
  if (prefix.length === 0 || prefix.length > MAX_KEY_LENGTH) {
    throw bad('invalid blob prefix length', { prefix });
  }
  const segments = prefix.split('/');
  const tail = segments.pop() ?? '';
  if (segments.length === 0 || !isTenantId(segments[0] ?? '')) {
    throw bad('blob prefix must start with a tenant id and a slash', { prefix });
  }
  for (const segment of segments.slice(1)) {
    if (!SEGMENT_RE.test(segment)) throw bad('invalid blob prefix segment', { prefix, segment });
  }
  if (tail !== '' && !SEGMENT_RE.test(tail)) throw bad('invalid blob prefix tail', { prefix, tail });
}

// ---------------------------------------------------------------------------------------------------
// Face point ids.

/**
 * Namespace of our face point ids (a random v4 UUID fixed once). Changing it would change every id, so
 * re-indexed photos would duplicate their faces: never change it.
 */
const FACE_POINT_NAMESPACE = 'b7c3e0f4-5a8e-4d0f-9a61-3f1d2c7e8a90';

/**
 * RFC 4122 version-5 UUID (SHA-1 of namespace + name) of the triple (tenant, photo sha256, face index).
 * The same face of the same photo in the same chat always gets the same id, so re-running a photo
 * overwrites its points instead of adding new ones; the tenant in the name keeps chats apart even when
 * two chats share a photo.
 */
export function facePointId(tenant: string, photoSha256: string, faceIndex: number): string {
  tenantId(tenant);
  assertSha256(photoSha256);
  assertFaceIndex(faceIndex);
  const ns = Buffer.from(FACE_POINT_NAMESPACE.replaceAll('-', ''), 'hex');
  const digest = createHash('sha1')
    .update(ns)
    .update(`${tenant}\u0000${photoSha256}\u0000${faceIndex}`, 'utf8')
    .digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50; // version 5
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isPointId(value: string): boolean {
  return UUID_RE.test(value);
}
