/**
 * Which album a message belongs to (its photos and the bot's post), so that `/blog` sent as a reply to
 * an album rewrites that album. Kept in memory and bounded: after a restart, or for very old albums, a
 * media group's own id still finds the album (its id is derived from it); otherwise `/blog` falls back
 * to the latest album.
 */
export class AlbumMemory {
  private readonly byMessage = new Map<string, string>();

  /** 10 000 messages: days of albums in a busy group, under a megabyte of memory. */
  constructor(private readonly capacity = 10_000) {}

  remember(chatId: number, messageIds: readonly number[], albumId: string): void {
    for (const id of messageIds) {
      const key = `${chatId}/${id}`;
      this.byMessage.delete(key);
      this.byMessage.set(key, albumId);
    }
    // Maps iterate in insertion order: the first keys are the oldest.
    for (const key of this.byMessage.keys()) {
      if (this.byMessage.size <= this.capacity) break;
      this.byMessage.delete(key);
    }
  }

  albumOf(chatId: number, messageId: number): string | null {
    return this.byMessage.get(`${chatId}/${messageId}`) ?? null;
  }
}

/** The album id the bot gives a Telegram media group (see features/album.ts). */
export function mediaGroupAlbumId(mediaGroupId: string): string {
  return `mg${mediaGroupId.replace(/[^A-Za-z0-9_-]/g, '')}`;
}
