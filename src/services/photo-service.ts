/**
 * Albums as a chat sends them: store the photos, queue the work, answer "how far along" and "what came
 * out". The queue is a port (AlbumQueue), implemented with a BullMQ flow in src/jobs/flows.ts.
 */
import { createHash } from 'node:crypto';

import type { AlbumResult, PhotoMessage } from '../core/album.js';
import { AppError, ErrorCode } from '../core/errors.js';
import { albumKey, photoKey, tenantId } from '../core/keys.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { AlbumStatus, MetadataStore } from '../ports/metadata-store.js';

export interface QueuedPhoto {
  readonly sha256: string;
  readonly blobKey: string;
  readonly name: string;
}

/** Runs an album: one job per photo, then one job that groups the album (src/jobs/flows.ts). */
export interface AlbumQueue {
  /** Idempotent: adding an album that is already queued adds nothing. */
  addAlbum(album: { tenant: string; albumId: string; photos: readonly QueuedPhoto[] }): Promise<void>;
}

export interface PhotoUpload {
  /** The name the user sent it under (file name or message id); shown in the failure list. */
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The chat message that carried it (send time, sender, caption, language), for the post. */
  readonly message?: PhotoMessage;
}

/** Where an album's chat messages wait for the post: beside its analyses, inside the tenant's folder. */
export function messagesKey(tenant: string, albumId: string): string {
  return albumKey(tenant, albumId, 'messages.json');
}

export interface SubmitOptions {
  /**
   * The album's id, e.g. a Telegram media_group_id; default: derived from the photos' hashes, so the
   * same photos sent again are the same album.
   */
  readonly albumId?: string;
}

export interface SubmittedAlbum {
  readonly albumId: string;
  /** Distinct photos in the album (byte-identical copies count once). */
  readonly photoCount: number;
  /** True when this album was submitted before: nothing new was queued. */
  readonly alreadyKnown: boolean;
}

export interface AlbumProgressView {
  readonly albumId: string;
  readonly status: AlbumStatus;
  /** "7 of 12 photos": processed counts photos finished, failed ones included. */
  readonly processed: number;
  readonly total: number;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/**
 * Photos per album. Telegram and Discord send at most 10 per message group; 500 leaves room for albums
 * shared as files while bounding one flow (one Redis transaction adds all of its jobs).
 */
export const MAX_ALBUM_PHOTOS = 500;

export interface PhotoServiceDeps {
  readonly blobs: BlobStore;
  readonly metadata: MetadataStore;
  readonly queue: AlbumQueue;
}

export function createPhotoService(deps: PhotoServiceDeps) {
  return {
    /** Stores the photos under `<tenant>/photos/<sha256>.<ext>`, records the album, then queues it. */
    async submitAlbum(
      tenant: string,
      uploads: readonly PhotoUpload[],
      opts: SubmitOptions = {},
    ): Promise<SubmittedAlbum> {
      tenantId(tenant);
      if (uploads.length === 0 || uploads.length > MAX_ALBUM_PHOTOS) {
        throw new AppError(ErrorCode.BadArguments, `an album holds 1..${MAX_ALBUM_PHOTOS} photos`, {
          count: uploads.length,
        });
      }
      const bySha = new Map<string, QueuedPhoto & { bytes: Uint8Array; contentType: string }>();
      for (const upload of uploads) {
        if (upload.bytes.length === 0) {
          throw new AppError(ErrorCode.EmptyFile, 'an empty photo', { name: upload.name });
        }
        const sha256 = createHash('sha256').update(upload.bytes).digest('hex');
        if (bySha.has(sha256)) continue;
        const { ext, contentType } = sniffType(upload.bytes, upload.name);
        bySha.set(sha256, {
          sha256,
          blobKey: photoKey(tenant, sha256, ext),
          name: upload.name,
          bytes: upload.bytes,
          contentType,
        });
      }
      const photos = [...bySha.values()];
      const albumId = opts.albumId ?? defaultAlbumId(photos.map((p) => p.sha256));

      const known = await deps.metadata.getAlbum(tenant, albumId);
      if (known && (known.status === 'done' || known.status === 'failed')) {
        return { albumId, photoCount: known.photoCount, alreadyKnown: true };
      }
      // Photos first: a job must never run before its bytes are stored.
      for (const p of photos) await deps.blobs.put(p.blobKey, p.bytes, { contentType: p.contentType });
      const messages: Record<string, PhotoMessage> = {};
      for (const u of uploads) if (u.message && !(u.name in messages)) messages[u.name] = u.message;
      if (Object.keys(messages).length > 0) {
        await deps.blobs.put(
          messagesKey(tenant, albumId),
          new TextEncoder().encode(JSON.stringify(messages)),
          {
            contentType: 'application/json',
          },
        );
      }
      await deps.metadata.createAlbum({ id: albumId, tenant, photoCount: photos.length });
      // Queued or processing albums are added again: the job ids are deterministic, so a flow that
      // exists is left alone, and one lost between createAlbum and here is added now.
      await deps.queue.addAlbum({
        tenant,
        albumId,
        photos: photos.map(({ sha256, blobKey, name }) => ({ sha256, blobKey, name })),
      });
      return { albumId, photoCount: photos.length, alreadyKnown: known !== null };
    },

    async albumStatus(tenant: string, albumId: string): Promise<AlbumProgressView | null> {
      const album = await deps.metadata.getAlbum(tenant, albumId);
      if (!album) return null;
      return {
        albumId,
        status: album.status,
        processed: album.processedCount,
        total: album.photoCount,
        createdAt: album.createdAt,
        finishedAt: album.finishedAt,
      };
    },

    /**
     * People, who appears in which photo and the failures with reasons; null until the album is done.
     * Names are the current ones and merged people show under the id they were merged into.
     */
    async albumResult(tenant: string, albumId: string): Promise<AlbumResult | null> {
      const album = await deps.metadata.getAlbum(tenant, albumId);
      if (!album?.result) return null;
      const result = album.result;
      const current = new Map<string, string | null>();
      for (const person of result.people) {
        current.set(person.id, await deps.metadata.resolvePerson(tenant, person.id));
      }
      const names = new Map((await deps.metadata.listPeople(tenant)).map((p) => [p.id, p.name]));
      const messages = await readMessages(deps.blobs, tenant, albumId);
      const photos = result.photos.map((photo) => ({
        ...photo,
        ...(messages[photo.path] ? { message: messages[photo.path] } : {}),
        faces: photo.faces.map((f) => ({
          ...f,
          personId: f.personId === null ? null : (current.get(f.personId) ?? null),
        })),
      }));
      const people = new Map<string, (typeof result.people)[number]>();
      for (const person of result.people) {
        const id = current.get(person.id);
        if (!id) continue;
        const seen = people.get(id);
        if (!seen) {
          people.set(id, { ...person, id, name: names.get(id) ?? null });
          continue;
        }
        people.set(id, {
          ...seen,
          photos: [...new Set([...seen.photos, ...person.photos])],
          faceCount: seen.faceCount + person.faceCount,
        });
      }
      return { ...result, photos, people: [...people.values()] };
    },
  };
}

export type PhotoService = ReturnType<typeof createPhotoService>;

/** The album's chat messages by photo name; none for albums that came without (the CLI, the HTTP API). */
async function readMessages(
  blobs: BlobStore,
  tenant: string,
  albumId: string,
): Promise<Readonly<Record<string, PhotoMessage>>> {
  const bytes = await blobs.get(messagesKey(tenant, albumId));
  if (!bytes) return {};
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, PhotoMessage>;
  } catch {
    // A damaged side file costs the post its captions, never the album.
    return {};
  }
}

/** `a` + 24 hex digits of the sha256 of the sorted photo hashes: same photos, same album. */
export function defaultAlbumId(shas: readonly string[]): string {
  return `a${createHash('sha256')
    .update([...shas].sort().join('\n'))
    .digest('hex')
    .slice(0, 24)}`;
}

/**
 * The stored extension and type, from the first bytes (chat apps rename files freely), else from the
 * name. Signatures: JPEG FF D8 FF, PNG 89 50 4E 47, WebP "RIFF....WEBP", BMP "BM", HEIF "....ftyp" + brand.
 */
export function sniffType(bytes: Uint8Array, name: string): { ext: string; contentType: string } {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return { ext: 'jpg', contentType: 'image/jpeg' };
  if (bytes[0] === 0x89 && ascii(1, 4) === 'PNG') return { ext: 'png', contentType: 'image/png' };
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return { ext: 'webp', contentType: 'image/webp' };
  if (ascii(0, 2) === 'BM') return { ext: 'bmp', contentType: 'image/bmp' };
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand === 'avif') return { ext: 'avif', contentType: 'image/avif' };
    return { ext: 'heic', contentType: 'image/heic' };
  }
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(name)?.[1]?.toLowerCase() ?? 'bin';
  return { ext, contentType: 'application/octet-stream' };
}
