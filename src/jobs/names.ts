/**
 * The one registry of queues and jobs: names as `as const` objects, payloads and results as map types.
 * Handlers are checked against `HandlerMap` with `satisfies`, so a renamed job or a changed payload
 * fails to compile instead of failing in Redis.
 *
 * Job ids are deterministic, so a retry or a resend of the same album is harmless: BullMQ ignores an add
 * whose id already exists. BullMQ refuses ids containing `:` (its key separator) or looking like
 * integers; tenant ids, album ids and hashes contain neither `:` nor only digits once prefixed.
 */
import { createHash } from 'node:crypto';

import { AppError, ErrorCode } from '../core/errors.js';
import { tenantId } from '../core/keys.js';

export const QueueName = {
  /** One job per photo: decode, detect, embed, store crops, index faces. */
  photos: 'photos',
  /** One job per album, the parent of its photo jobs: group faces into people, store the result. */
  albums: 'albums',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = {
  indexPhoto: 'index-photo',
  groupAlbum: 'group-album',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

/** Which queue each job runs on. */
export const queueOf = {
  [JobName.indexPhoto]: QueueName.photos,
  [JobName.groupAlbum]: QueueName.albums,
} as const satisfies Record<JobName, QueueName>;

export interface IndexPhotoPayload {
  readonly tenant: string;
  readonly albumId: string;
  /** The chat's generation when the album was queued; a forget since makes the job write nothing. */
  readonly generation: number;
  readonly sha256: string;
  /** Blob key of the stored original (`<tenant>/photos/<sha256>.<ext>`). */
  readonly blobKey: string;
  /** The name the user sent it under, for the failure list. */
  readonly name: string;
  /** Photos in the album, for "7 of 12" progress. */
  readonly total: number;
}

export interface GroupAlbumPayload {
  readonly tenant: string;
  readonly albumId: string;
  readonly generation: number;
}

export interface JobPayloads {
  [JobName.indexPhoto]: IndexPhotoPayload;
  [JobName.groupAlbum]: GroupAlbumPayload;
}

/** A handler returns an outcome; it throws only for the unexpected or the retryable. */
export type IndexPhotoResult =
  | { readonly status: 'indexed'; readonly faces: number }
  /** The album was forgotten while the job waited: nothing is written. */
  | { readonly status: 'skipped'; readonly reason: 'album-forgotten' };

export type GroupAlbumResult =
  | {
      readonly status: 'done';
      readonly photos: number;
      readonly people: number;
      readonly failures: number;
    }
  | { readonly status: 'skipped'; readonly reason: 'album-forgotten' };

export interface JobResults {
  [JobName.indexPhoto]: IndexPhotoResult;
  [JobName.groupAlbum]: GroupAlbumResult;
}

/** What a handler sees of its job: the payload plus the hooks it reports through. */
export interface JobContext<N extends JobName> {
  readonly data: JobPayloads[N];
  /** 1 on the first run. */
  readonly attempt: number;
  /** True when a transient failure now would not be retried. */
  readonly lastAttempt: boolean;
  progress(value: AlbumProgress): Promise<void>;
  /** Failures of child jobs that ran out of attempts (parent jobs only): job id → error message. */
  failedChildren(): Promise<Record<string, string>>;
  /** The job's id (deterministic, see photoJobId), for the chat's register of running jobs. */
  readonly id: string;
}

export type Handler<N extends JobName> = (job: JobContext<N>) => Promise<JobResults[N]>;
export type HandlerMap = { readonly [N in JobName]: Handler<N> };

/** Progress a bot can show: "7 of 12 photos". Reported by every photo job of the album. */
export interface AlbumProgress {
  readonly tenant: string;
  readonly albumId: string;
  readonly done: number;
  readonly total: number;
}

export function isAlbumProgress(value: unknown): value is AlbumProgress {
  const v = value as Partial<AlbumProgress> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.tenant === 'string' &&
    typeof v.albumId === 'string' &&
    typeof v.done === 'number' &&
    typeof v.total === 'number'
  );
}

/** BullMQ ids: no `:` and never all digits; ours start with a letter and use `_` as separator. */
const JOB_ID_RE = /^[a-z][A-Za-z0-9_-]*$/;

function checkedId(id: string): string {
  if (!JOB_ID_RE.test(id) || id.includes(':')) {
    throw new AppError(ErrorCode.BadArguments, 'invalid job id', { id });
  }
  return id;
}

/**
 * `photo_<tenant>_g<generation>_<albumId>_<sha256>`. The album is part of the id because a flow child
 * belongs to one parent: the same photo sent again in a new album must run again under that album (its
 * faces keep their point ids, so the index still holds it once). The generation is part of it because
 * after "forget all" the same photo sent again must run again, not find the finished job of before.
 * Album ids longer than fit are hashed.
 */
export function photoJobId(tenant: string, generation: number, albumId: string, sha256: string): string {
  return checkedId(
    `photo_${tenantId(tenant)}_g${checkedGeneration(generation)}_${shortAlbum(albumId)}_${sha256}`,
  );
}

/** `album_<tenant>_g<generation>_<albumId>`. */
export function albumJobId(tenant: string, generation: number, albumId: string): string {
  return checkedId(`album_${tenantId(tenant)}_g${checkedGeneration(generation)}_${shortAlbum(albumId)}`);
}

function checkedGeneration(generation: number): number {
  if (!Number.isSafeInteger(generation) || generation < 0) {
    throw new AppError(ErrorCode.BadArguments, 'invalid generation', { generation });
  }
  return generation;
}

/** Keeps ids bounded: an album id over 64 characters is replaced by 32 hex digits of its sha256. */
function shortAlbum(albumId: string): string {
  return albumId.length <= 64 ? albumId : createHash('sha256').update(albumId).digest('hex').slice(0, 32);
}
