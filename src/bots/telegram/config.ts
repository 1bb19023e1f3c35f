/**
 * The Telegram bot's slice of the configuration, parsed with everything else by src/config.ts; the
 * stores, Redis and model settings are the worker's (src/app/worker-config.ts).
 */

export interface TelegramConfig {
  /** TELEGRAM_BOT_TOKEN, from BotFather. Never logged. */
  readonly token: string;
  /** TELEGRAM_API_ROOT: another Bot API server (a local one, or the tests' emulator); default Telegram's. */
  readonly apiRoot: string;
  /** TELEGRAM_WEBHOOK_URL: the public HTTPS URL Telegram posts updates to; null = long polling. */
  readonly webhookUrl: string | null;
  /** TELEGRAM_WEBHOOK_PORT: where the webhook server listens (default 8080). */
  readonly webhookPort: number;
  /** TELEGRAM_WEBHOOK_SECRET: checked on every webhook request (X-Telegram-Bot-Api-Secret-Token). */
  readonly webhookSecret: string | null;
  /**
   * TELEGRAM_THROTTLE=off turns the outgoing rate limiter off: only against a Bot API server that does
   * not rate-limit (the tests' emulator). Default on.
   */
  readonly throttle: boolean;
  /** TELEGRAM_ALBUM_DEBOUNCE_MS: quiet time after the last photo of an album before it is processed. */
  readonly albumDebounceMs: number;
}

/** Telegram's public Bot API server. */
export const DEFAULT_API_ROOT = 'https://api.telegram.org';

/**
 * Telegram delivers the updates of one album within about a second of each other; 1.5 s of quiet
 * catches a 10-photo album on a slow phone connection without making a single photo wait long.
 */
export const DEFAULT_ALBUM_DEBOUNCE_MS = 1500;
