/**
 * What the Telegram bot needs from the rest of faceblog: the photo services, read access to the chat's
 * face crops and thumbnails, album progress, and optionally a language model for posts. Entry points
 * (src/main-bot.ts) and tests build it; the bot never builds an adapter itself.
 */
import type { Log } from '../../core/log.js';
import type { AlbumProgress } from '../../ports/album-progress.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { TextWriter } from '../../ports/text-writer.js';
import type { PeopleService } from '../../services/people-service.js';
import type { PhotoService } from '../../services/photo-service.js';
import type { PrivacyService } from '../../services/privacy-service.js';
import type { SearchService } from '../../services/search-service.js';

export interface ChatStats {
  readonly albums: number;
  readonly photos: number;
}

/** The chat's albums beyond one album's status: the latest (for /blog) and totals (for /stats). */
export interface ChatAlbums {
  latestAlbumId(tenant: string): Promise<string | null>;
  stats(tenant: string): Promise<ChatStats>;
}

export interface BotSettings {
  /** Quiet time after the last photo of an album (or of a burst of single photos) before processing. */
  readonly albumDebounceMs: number;
  /** How often the album's status is read while it runs (progress events also update the message). */
  readonly pollMs: number;
  /**
   * Edits of the status message at most this often: Telegram allows about one message per second in
   * a chat and 20 a minute in a group (core.telegram.org/bots/faq#broadcasting-to-users).
   */
  readonly editEveryMs: number;
  /** After this long the bot stops watching an album and says how to get the post later. */
  readonly albumTimeoutMs: number;
  /** How long a `/find` waits for the selfie sent after it. */
  readonly findWaitMs: number;
}

export const DEFAULT_SETTINGS: BotSettings = {
  albumDebounceMs: 1500,
  pollMs: 1000,
  editEveryMs: 1500,
  // An album of 500 photos (MAX_ALBUM_PHOTOS) at about a second a photo on one worker.
  albumTimeoutMs: 10 * 60_000,
  findWaitMs: 5 * 60_000,
};

export interface TelegramBotDeps {
  readonly photos: Pick<PhotoService, 'submitAlbum' | 'albumStatus' | 'albumResult'>;
  readonly people: Pick<
    PeopleService,
    | 'listPeople'
    | 'findPerson'
    | 'namePerson'
    | 'mergePeople'
    | 'undoMerge'
    | 'hidePerson'
    | 'splitFace'
    | 'personFaces'
    | 'photosOf'
    | 'faceCropKey'
    | 'chooseCover'
    | 'suggestions'
    | 'answerSuggestion'
  >;
  readonly search: Pick<SearchService, 'findBySelfie' | 'answer' | 'photosOf'>;
  readonly privacy: Pick<PrivacyService, 'forgetPerson' | 'forgetTenant'>;
  readonly albums: ChatAlbums;
  /** Face crops and thumbnails (keys from the services' answers). */
  readonly blobs: Pick<BlobStore, 'get'>;
  /** Album progress while photos are analysed (src/ports/album-progress.ts). */
  readonly progress: AlbumProgress;
  /** Writes posts with a model when set; the offline writer otherwise (and as its fallback). */
  readonly writer: TextWriter | null;
  /** FACEBLOG_LANGUAGE: posts in this language; unset = the senders' Telegram language_code. */
  readonly language?: string | null;
  /** Structured where it helps: `log(line, { tenant, updateId, level })`. */
  readonly log: Log;
  readonly settings?: Partial<BotSettings>;
}
