/**
 * An album as a BullMQ flow: the album job is the parent of one job per photo, so it runs once every
 * photo has finished. Photos that fail for good do not hold it back (failParentOnFailure false,
 * ignoreDependencyOnFailure true): the album is grouped from the photos that worked, and the failures
 * are listed in its result.
 */
import type { FlowJob, FlowProducer, JobsOptions } from 'bullmq';

import type { AlbumQueue, QueuedPhoto } from '../services/photo-service.js';
import {
  albumJobId,
  JobName,
  photoJobId,
  QueueName,
  type GroupAlbumPayload,
  type IndexPhotoPayload,
} from './names.js';

export interface RetrySettings {
  /**
   * Runs per photo job (default 5). With exponential backoff from `backoffMs` (default 2000) the retries
   * come after 2, 4, 8 and 16 s: a restarting Redis, MinIO or Qdrant has half a minute to come back.
   */
  readonly attempts?: number;
  readonly backoffMs?: number;
}

/**
 * Finished jobs are kept a day (and at most 10,000) so that a resend within that time finds its job ids
 * and adds nothing; the services' metadata catches resends after that. Failed jobs are kept a week for
 * inspection.
 */
const KEEP_COMPLETED = { age: 24 * 3600, count: 10_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600 };

export function albumFlow(
  album: { tenant: string; albumId: string; generation: number; photos: readonly QueuedPhoto[] },
  retry: RetrySettings = {},
): FlowJob {
  const common: JobsOptions = {
    attempts: retry.attempts ?? 5,
    backoff: { type: 'exponential', delay: retry.backoffMs ?? 2000 },
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
  };
  const parent: GroupAlbumPayload = {
    tenant: album.tenant,
    albumId: album.albumId,
    generation: album.generation,
  };
  return {
    name: JobName.groupAlbum,
    queueName: QueueName.albums,
    data: parent,
    opts: { ...common, jobId: albumJobId(album.tenant, album.generation, album.albumId) },
    children: album.photos.map((photo) => {
      const data: IndexPhotoPayload = {
        tenant: album.tenant,
        albumId: album.albumId,
        generation: album.generation,
        sha256: photo.sha256,
        blobKey: photo.blobKey,
        name: photo.name,
        total: album.photos.length,
      };
      return {
        name: JobName.indexPhoto,
        queueName: QueueName.photos,
        data,
        opts: {
          ...common,
          jobId: photoJobId(album.tenant, album.generation, album.albumId, photo.sha256),
          failParentOnFailure: false,
          ignoreDependencyOnFailure: true,
        },
      };
    }),
  };
}

/** The photo service's queue port on a FlowProducer (whose connection and prefix pick the Redis). */
export function createAlbumQueue(producer: FlowProducer, retry: RetrySettings = {}): AlbumQueue {
  return {
    async addAlbum(album) {
      await producer.add(albumFlow(album, retry));
    },
  };
}
