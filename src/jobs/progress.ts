/**
 * Album progress for a bot ("7 of 12 photos"): every photo job reports `{ tenant, albumId, done, total }`
 * as its progress, and QueueEvents on the photos queue relay it from any worker. `queueProgress` is the
 * AlbumProgress port over them (src/ports/album-progress.ts).
 */
import type { QueueEvents } from 'bullmq';

import type { AlbumProgress as AlbumProgressPort } from '../ports/album-progress.js';
import { type AlbumProgress, isAlbumProgress } from './names.js';

/** Calls `onProgress` for the album's progress events until the returned function is called. */
export function watchAlbumProgress(
  photoEvents: QueueEvents,
  tenant: string,
  albumId: string,
  onProgress: (progress: AlbumProgress) => void,
): () => void {
  const listener = ({ data }: { jobId: string; data: unknown }) => {
    if (isAlbumProgress(data) && data.tenant === tenant && data.albumId === albumId) onProgress(data);
  };
  photoEvents.on('progress', listener);
  return () => {
    photoEvents.off('progress', listener);
  };
}

/** The AlbumProgress port over the photos queue's events. */
export function queueProgress(photoEvents: QueueEvents): AlbumProgressPort {
  return {
    watch: (tenant, albumId, onProgress) => watchAlbumProgress(photoEvents, tenant, albumId, onProgress),
  };
}
