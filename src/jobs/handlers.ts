/**
 * The job handlers: thin wrappers that call the services and turn their errors into BullMQ's language.
 * A photo that cannot be read (AppError.permanent) is recorded as a failure and thrown as
 * UnrecoverableError, so BullMQ stops retrying; anything else is retried with backoff, and recorded
 * once the last attempt fails. Either way the album job still runs (see flows.ts).
 */
import { UnrecoverableError } from 'bullmq';

import type { AlbumFailure } from '../core/album.js';
import { isAppError } from '../core/errors.js';
import type { AnalyzingDeps } from '../services/deps.js';
import { groupAlbum } from '../services/group-album.js';
import { indexPhoto, recordPhotoFailure } from '../services/index-photo.js';
import { JobName, type HandlerMap } from './names.js';

export function createHandlers(deps: AnalyzingDeps) {
  return {
    [JobName.indexPhoto]: async (job) => {
      const { tenant, albumId, total } = job.data;
      try {
        const outcome = await indexPhoto(deps, job.data, job.id);
        if (outcome.status === 'skipped') return outcome;
        await job.progress({ tenant, albumId, done: outcome.processed, total });
        return { status: 'indexed', faces: outcome.faces };
      } catch (error) {
        const permanent = isAppError(error) && error.permanent;
        if (!permanent && !job.lastAttempt) throw error;
        const { failure, processed } = await recordPhotoFailure(deps, job.data, error);
        await job.progress({ tenant, albumId, done: processed, total });
        if (permanent) throw new UnrecoverableError(`${failure.code}: ${failure.message}`);
        throw error;
      }
    },

    [JobName.groupAlbum]: async (job) => {
      const { tenant, albumId, generation } = job.data;
      // Photo jobs that failed without recording it (a worker killed more often than maxStalledCount).
      const extra: AlbumFailure[] = Object.entries(await job.failedChildren()).map(([name, message]) => ({
        path: name,
        code: 'JOB_FAILED',
        message,
      }));
      // Under the chat's one lock, the same one merges, splits and forgets take.
      const result = await deps.guard.exclusive(tenant, async (fence) => {
        if ((await deps.guard.generation(tenant)) !== generation) return null;
        return groupAlbum(deps, tenant, albumId, extra, fence);
      });
      if (result === null) return { status: 'skipped', reason: 'album-forgotten' };
      return {
        status: 'done',
        photos: result.photos.length,
        people: result.people.length,
        failures: result.failures.length,
      };
    },
  } satisfies HandlerMap;
}
