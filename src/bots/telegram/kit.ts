import type { Api } from 'grammy';

import type { AlbumMemory } from './album-memory.js';
import type { BotSettings, TelegramBotDeps } from './deps.js';
import type { Downloader } from './files.js';

/** What every feature composer is built with. */
export interface FeatureKit {
  /** The bot's API, for work that outlives an update (albums are processed after a debounce). */
  readonly api: Api;
  readonly deps: TelegramBotDeps;
  readonly settings: BotSettings;
  readonly download: Downloader;
  /** Aborted when the bot shuts down: long waits (album progress) stop early. */
  readonly signal: AbortSignal;
  /** Which album a message belongs to, for `/blog` as a reply. */
  readonly albums: AlbumMemory;
}
