/**
 * Albums as a chat sends them: store the photos, queue the work, answer "how far along" and "what came
 * out". The queue is a port (AlbumQueue), implemented with a BullMQ flow in src/jobs/flows.ts.
 */
import { createHash } from 'node:crypto';

import type { AlbumResult, PhotoMessage } from '../core/album.js';
import { AppError, ErrorCode } from '../core/errors.js';
import { albumKey, photoKey, tenantId } from '../core/keys.js';
import { DEFAULT_MAX_PIXELS } from '../pipeline/decode.js';
import {
  describeUnsupported,
  headerDimensions,
  type PhotoFormat,
  sniffFormat,
  SUPPORTED_FORMATS_TEXT,
} from '../pipeline/decode-format.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { AlbumStatus, MetadataStore } from '../ports/metadata-store.js';
import type { TenantGuard } from '../ports/tenant-guard.js';

export interface QueuedPhoto {
  readonly sha256: string;
  readonly blobKey: string;
  readonly name: string;
}

/** Runs an album: one job per photo, then one job that groups the album (src/jobs/flows.ts). */
export interface AlbumQueue {
  /** Idempotent: adding an album that is already queued adds nothing. */
  addAlbum(album: {
    tenant: string;
    albumId: string;
    /** The chat's generation now: part of every job id, checked by every write of the jobs. */
    generation: number;
    photos: readonly QueuedPhoto[];
  }): Promise<void>;
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
  readonly guard: Pick<TenantGuard, 'generation'>;
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
      // Files that are not photos we can read are never stored: listed as failures of the album, or
      // the whole submission refused when no file is left.
      const refused: Array<{ name: string; error: AppError }> = [];
      for (const upload of uploads) {
        const sha256 = createHash('sha256').update(upload.bytes).digest('hex');
        if (bySha.has(sha256)) continue;
        let type: { ext: string; contentType: string };
        try {
          if (upload.bytes.length === 0) {
            throw new AppError(ErrorCode.EmptyFile, 'an empty photo', { name: upload.name });
          }
          type = sniffType(upload.bytes, upload.name);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          refused.push({ name: upload.name, error });
          continue;
        }
        const { ext, contentType } = type;
        bySha.set(sha256, {
          sha256,
          blobKey: photoKey(tenant, sha256, ext),
          name: upload.name,
          bytes: upload.bytes,
          contentType,
        });
      }
      const photos = [...bySha.values()];
      if (photos.length === 0) throw refused[0]?.error ?? new AppError(ErrorCode.EmptyFile, 'no photo');
      // Read before anything is stored: a forget from here on makes every job of this album stale.
      const generation = await deps.guard.generation(tenant);
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
      for (const { name, error } of refused) {
        await deps.metadata.recordFailure(tenant, albumId, {
          path: name,
          code: error.code,
          message: error.message,
        });
      }
      // Queued or processing albums are added again: the job ids are deterministic, so a flow that
      // exists is left alone, and one lost between createAlbum and here is added now.
      await deps.queue.addAlbum({
        tenant,
        albumId,
        generation,
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
      const messages = await readAlbumMessages(deps.blobs, tenant, albumId);
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
export async function readAlbumMessages(
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

/** Extension and MIME type we store each readable format under; nothing else is ever stored. */
const STORED_TYPES: Readonly<Record<PhotoFormat, { ext: string; contentType: string }>> = {
  jpeg: { ext: 'jpg', contentType: 'image/jpeg' },
  png: { ext: 'png', contentType: 'image/png' },
  webp: { ext: 'webp', contentType: 'image/webp' },
  tiff: { ext: 'tiff', contentType: 'image/tiff' },
  gif: { ext: 'gif', contentType: 'image/gif' },
  bmp: { ext: 'bmp', contentType: 'image/bmp' },
  avif: { ext: 'avif', contentType: 'image/avif' },
  heif: { ext: 'heic', contentType: 'image/heic' },
};

/**
 * The stored extension and type, from the first bytes only (chat apps rename files freely, and a
 * client's extension must never reach storage). Bytes of no format we read, and rasters whose header
 * already says they exceed the decoder's pixel limit, are refused before anything is stored.
 */
export function sniffType(bytes: Uint8Array, name: string): { ext: string; contentType: string } {
  const format = sniffFormat(bytes);
  if (format === null) {
    const seen = describeUnsupported(bytes);
    throw new AppError(
      ErrorCode.UnsupportedFormat,
      `${seen === null ? 'not an image' : seen}: send ${SUPPORTED_FORMATS_TEXT}`,
      { name },
    );
  }
  const size = format === 'jpeg' ? jpegDimensions(bytes) : headerDimensions(bytes, format);
  if (size && size.width * size.height > DEFAULT_MAX_PIXELS) {
    throw new AppError(ErrorCode.TooManyPixels, `${size.width}×${size.height} is over the pixel limit`, {
      name,
      maxPixels: DEFAULT_MAX_PIXELS,
    });
  }
  return STORED_TYPES[format];
}

/**
 * Width and height from a JPEG's frame header (SOFn), walking the marker segments; null when no frame
 * header comes before the scan data. A few dozen bytes are read, never a pixel.
 */
function jpegDimensions(bytes: Uint8Array): { width: number; height: number } | null {
  const u16 = (at: number) => ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1] ?? 0;
    // Fill bytes, and markers without a length (TEM, RSTn).
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2;
      continue;
    }
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision, then height, then width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: u16(i + 5), width: u16(i + 7) };
    }
    if (marker === 0xda) return null;
    i += 2 + u16(i + 2);
  }
  return null;
}
