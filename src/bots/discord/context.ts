/**
 * What a Discord command sees: the services (never a store or an SDK of ours), read access to the blobs
 * the services name (face crops, thumbnails), the chat's latest album, an optional post writer and a log.
 * Built by the entry point (src/main-discord.ts) or a test.
 */
import type { Log } from '../../core/log.js';
import type { AlbumProgress } from '../../ports/album-progress.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { TextWriter } from '../../ports/text-writer.js';
import type { PeopleService } from '../../services/people-service.js';
import type { PhotoService } from '../../services/photo-service.js';
import type { PrivacyService } from '../../services/privacy-service.js';
import type { SearchService } from '../../services/search-service.js';

export interface DiscordServices {
  readonly photos: PhotoService;
  readonly people: PeopleService;
  readonly search: SearchService;
  readonly privacy: PrivacyService;
  /** Album progress while photos are analysed (src/ports/album-progress.ts). */
  readonly progress: AlbumProgress;
}

export interface DiscordDeps {
  readonly services: DiscordServices;
  /** Face crops and thumbnails by the keys the services return. */
  readonly blobs: Pick<BlobStore, 'get'>;
  /** The id of the tenant's most recent album, or null. */
  latestAlbum(tenant: string): Promise<string | null>;
  /** The tenant's album and photo counts, for `/stats`. */
  albumStats(tenant: string): Promise<{ readonly albums: number; readonly photos: number }>;
  /** A language model for posts; without one the offline writer writes them. */
  readonly writer?: TextWriter;
  /** FACEBLOG_LANGUAGE: posts in this language; unset = the guild's or user's locale. */
  readonly language?: string | null;
  /** Structured where it helps: `log(line, { tenant, level })`. */
  readonly log: Log;
  /** Timings, overridable by tests. */
  readonly timing?: Partial<DiscordTiming>;
}

export interface DiscordTiming {
  /** Least time between two progress edits of one status message. */
  readonly progressEditMs: number;
  /** How often the album status is read while waiting. */
  readonly pollMs: number;
  /** How long an album is waited for before the bot stops watching it. */
  readonly albumWaitMs: number;
}

export const DEFAULT_TIMING: DiscordTiming = {
  // Discord's per-message edit bucket allows about 5 edits per 5 s (X-RateLimit-* headers on PATCH); one
  // edit every 1.5 s stays inside it with room for the final edit.
  progressEditMs: 1500,
  // A status read is one indexed metadata row: twice a second costs nothing and keeps the reply prompt.
  pollMs: 500,
  // Interaction tokens expire after 15 minutes; stop a minute before so the last edit still lands.
  albumWaitMs: 14 * 60_000,
};

export function timingOf(deps: DiscordDeps): DiscordTiming {
  return { ...DEFAULT_TIMING, ...deps.timing };
}
