/**
 * The Telegram bot: a grammY Bot with auto-retry and throttling on its API, one Composer per feature
 * behind an error boundary. Does no I/O; the caller runs it (long polling or a webhook, see
 * src/main-bot.ts) and calls `drain()` after stopping it.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { sequentialize } from '@grammyjs/runner';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import { Bot, type Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';

import { AlbumMemory } from './album-memory.js';
import { DEFAULT_SETTINGS, type TelegramBotDeps } from './deps.js';
import { albumFeature } from './features/album.js';
import { blogFeature } from './features/blog.js';
import { errorHandler } from './features/errors.js';
import { findFeature } from './features/find.js';
import { forgetFeature } from './features/forget.js';
import { otherMessagesFeature } from './features/other-messages.js';
import { peopleFeature } from './features/people.js';
import { statsFeature } from './features/stats.js';
import { suggestFeature } from './features/suggest.js';
import { welcomeFeature } from './features/welcome.js';
import { createDownloader, type Downloader } from './files.js';
import type { FeatureKit } from './kit.js';

export interface CreateBotOptions {
  readonly token: string;
  /** Bot API server root, e.g. https://api.telegram.org (default) or a local server. */
  readonly apiRoot: string;
  /** Rate-limit outgoing calls per chat and overall (default true). */
  readonly throttle?: boolean;
  /** Known bot identity: skips getMe (tests with handleUpdate). */
  readonly botInfo?: UserFromGetMe;
  /** Replaces the Bot API file download (tests with handleUpdate). */
  readonly download?: Downloader;
}

export interface TelegramBot {
  readonly bot: Bot;
  /**
   * Processes the albums still being collected, waits for albums in progress and stops watching
   * them after `graceMs` (their status message then says how to get the result later).
   */
  readonly drain: (graceMs?: number) => Promise<void>;
}

/** Retries after "429 Too Many Requests" waits at most this long (seconds); longer ones fail the call. */
const MAX_RETRY_AFTER_S = 60;

/**
 * Pace of messages to one private chat: a burst of a few (an answer with its photos and a notice) goes
 * out at once, then one a second, which is Telegram's guidance for a chat. The throttler's default spaces
 * every message by a second, so a three-part answer took three seconds. Groups keep the default
 * (one a second, 20 a minute).
 */
const PRIVATE_CHAT_PACE = {
  maxConcurrent: 1,
  reservoir: 5,
  reservoirIncreaseAmount: 1,
  reservoirIncreaseInterval: 1000,
  reservoirIncreaseMaximum: 5,
};

export function createTelegramBot(deps: TelegramBotDeps, options: CreateBotOptions): TelegramBot {
  const bot = new Bot<Context>(options.token, {
    client: { apiRoot: options.apiRoot },
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  });
  // Order matters: the throttler spaces calls out; auto-retry, closer to the wire, repeats a call the
  // server refused with 429 or a 5xx after the wait it asks for.
  if (options.throttle ?? true) bot.api.config.use(apiThrottler({ out: PRIVATE_CHAT_PACE }));
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: MAX_RETRY_AFTER_S }));

  const shutdown = new AbortController();
  const kit: FeatureKit = {
    api: bot.api,
    deps,
    settings: { ...DEFAULT_SETTINGS, ...deps.settings },
    download: options.download ?? createDownloader(bot.api, options.apiRoot, options.token),
    signal: shutdown.signal,
    albums: new AlbumMemory(),
  };
  const albums = albumFeature(kit);

  bot.catch(errorHandler(deps.log));
  // Updates of one chat in order, chats side by side (with @grammyjs/runner, see main-bot.ts): a slow
  // /find in one chat never holds another chat's /people. Handlers that wait long (albums) return early
  // and finish in the background, so the chat itself is not held either.
  bot.use(sequentialize((ctx: Context) => ctx.chat?.id.toString()));
  const features = bot.errorBoundary(errorHandler(deps.log));
  features.use(welcomeFeature());
  // /find before albums: a selfie captioned /find, or sent after /find, is not an album photo.
  features.use(findFeature(kit));
  features.use(peopleFeature(kit));
  features.use(suggestFeature(kit));
  features.use(forgetFeature(kit));
  features.use(blogFeature(kit));
  features.use(statsFeature(kit));
  features.use(albums.composer);
  features.use(otherMessagesFeature());

  return {
    bot,
    drain: async (graceMs = 5000) => {
      const timer = setTimeout(() => {
        shutdown.abort();
      }, graceMs);
      try {
        await albums.drain();
      } finally {
        clearTimeout(timer);
        shutdown.abort();
      }
    },
  };
}
