/**
 * Progress of an album while its photos are analysed ("7 of 12 photos"), for a chat's status message.
 * Implemented over BullMQ's QueueEvents (src/jobs/progress.ts); a bot never sees the queue. Events can
 * be missed: a bot also reads the album's stored counts.
 */
export interface AlbumProgressUpdate {
  /** Photos of the album done so far. */
  readonly done: number;
  readonly total: number;
}

export interface AlbumProgress {
  /** Calls `onProgress` for the album's progress until the returned function is called. */
  watch(tenant: string, albumId: string, onProgress: (progress: AlbumProgressUpdate) => void): () => void;
}
