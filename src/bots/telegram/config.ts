/**
 * The Telegram bot's slice of the environment. Parsed once by src/main-bot.ts; the stores, Redis and
 * model settings are the worker's (src/app/worker-config.ts, src/config.ts).
 */
import { z } from 'zod';

import { AppError, ErrorCode } from '../../core/errors.js';

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

const envSchema = z.object({
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d{1,20}:[A-Za-z0-9_-]{10,100}$/),
  TELEGRAM_API_ROOT: z.url().optional(),
  TELEGRAM_WEBHOOK_URL: z.url().startsWith('https://').optional(),
  TELEGRAM_WEBHOOK_PORT: z
    .string()
    .regex(/^[1-9][0-9]{0,4}$/)
    .transform(Number)
    .optional(),
  // Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and - in a secret token.
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/)
    .optional(),
  TELEGRAM_THROTTLE: z.enum(['on', 'off', '1', '0', 'true', 'false']).optional(),
  TELEGRAM_ALBUM_DEBOUNCE_MS: z
    .string()
    .regex(/^[0-9]{1,6}$/)
    .transform(Number)
    .optional(),
});

export function parseTelegramConfig(env: Readonly<Record<string, string | undefined>>): TelegramConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  if (!present.TELEGRAM_BOT_TOKEN) {
    throw new AppError(ErrorCode.BadConfig, 'TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)');
  }
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    // Name the variables, never echo their values: the token is a secret.
    const names = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ');
    throw new AppError(ErrorCode.BadConfig, `invalid environment variables: ${names}`);
  }
  const e = parsed.data;
  // Without the secret anyone who learns the webhook URL can post forged updates (and press an
  // admin's buttons): webhook mode does not start without one.
  if (e.TELEGRAM_WEBHOOK_URL && !e.TELEGRAM_WEBHOOK_SECRET) {
    throw new AppError(
      ErrorCode.BadConfig,
      'TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET (1-256 of A-Z, a-z, 0-9, _ and -)',
    );
  }
  return {
    token: e.TELEGRAM_BOT_TOKEN,
    apiRoot: (e.TELEGRAM_API_ROOT ?? DEFAULT_API_ROOT).replace(/\/+$/, ''),
    webhookUrl: e.TELEGRAM_WEBHOOK_URL ?? null,
    webhookPort: e.TELEGRAM_WEBHOOK_PORT ?? 8080,
    webhookSecret: e.TELEGRAM_WEBHOOK_SECRET ?? null,
    throttle: !['off', '0', 'false'].includes(e.TELEGRAM_THROTTLE ?? 'on'),
    albumDebounceMs: e.TELEGRAM_ALBUM_DEBOUNCE_MS ?? DEFAULT_ALBUM_DEBOUNCE_MS,
  };
}
