/**
 * Keeps one status message up to date while an album runs ("Processing 7/12 photos…"): progress
 * events from the workers move it along, a slower poll of the album's status notices the end (the
 * grouping job reports no photo progress). Edits are spaced out and skipped when the text would not
 * change (Telegram answers "message is not modified" to those).
 */
import type { Api } from 'grammy';

import type { AlbumProgressView } from '../../services/photo-service.js';
import type { BotSettings, TelegramBotDeps } from './deps.js';
import { progressText } from './format.js';

export interface TrackOptions {
  readonly api: Api;
  readonly chatId: number;
  readonly messageId: number;
  readonly tenant: string;
  readonly albumId: string;
  readonly total: number;
  readonly deps: Pick<TelegramBotDeps, 'photos' | 'progress' | 'log'>;
  readonly settings: BotSettings;
  /** Aborted when the bot shuts down. */
  readonly signal: AbortSignal;
}

/** The album's final status, or null when the wait timed out or the bot is shutting down. */
export async function trackAlbum(o: TrackOptions): Promise<AlbumProgressView | null> {
  let shown = '';
  let lastEdit = 0;
  let processed = 0;
  let editing: Promise<void> = Promise.resolve();

  const edit = (text: string, force = false) => {
    const now = Date.now();
    if (text === shown || (!force && now - lastEdit < o.settings.editEveryMs)) return;
    shown = text;
    lastEdit = now;
    editing = editing.then(async () => {
      try {
        await o.api.editMessageText(o.chatId, o.messageId, text);
      } catch (error) {
        o.deps.log(`telegram: editing the status message failed: ${String(error)}`);
      }
    });
  };

  const stop = o.deps.progress.watch(o.tenant, o.albumId, (p) => {
    processed = Math.max(processed, p.done);
    edit(progressText(processed, o.total));
  });
  edit(progressText(0, o.total), true);
  const until = Date.now() + o.settings.albumTimeoutMs;
  try {
    while (!o.signal.aborted && Date.now() < until) {
      const status = await o.deps.photos.albumStatus(o.tenant, o.albumId);
      if (status && (status.status === 'done' || status.status === 'failed')) return status;
      if (status) {
        processed = Math.max(processed, status.processed);
        edit(progressText(processed, o.total));
      }
      await sleep(o.settings.pollMs, o.signal);
    }
    return null;
  } finally {
    stop();
    await editing;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
