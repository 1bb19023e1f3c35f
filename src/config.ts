/**
 * The one configuration schema: every variable any faceblog process reads, parsed once by the entry
 * point (src/cli.ts, src/main-*.ts, src/models/fetch-cli.ts) and handed down in slices (`config.worker`
 * to the stores and queues, `config.telegram` to the Telegram bot, ...). Empty variables mean "not set"
 * everywhere; a bad variable is named with what it should be, never echoed (it may be a secret).
 * `faceblog config` prints the result with the secrets masked (`maskConfig`).
 */
import path from 'node:path';

import { z } from 'zod';

import type { S3Settings, WorkerConfig } from './app/worker-config.js';
import type { DiscordConfig } from './bots/discord/config.js';
import { DEFAULT_ALBUM_DEBOUNCE_MS, DEFAULT_API_ROOT, type TelegramConfig } from './bots/telegram/config.js';
import { parseEnv, type Env } from './core/env.js';
import { AppError, ErrorCode } from './core/errors.js';
import type { ServeConfig } from './http/serve-config.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where /healthz, /readyz and /metrics listen in a process without the HTTP API (or besides it). */
export interface OpsConfig {
  /** FACEBLOG_OPS_HOST, default 0.0.0.0 (the orchestrator probes from outside the container). */
  readonly host: string;
  /** FACEBLOG_OPS_PORT; null = no ops server (the image sets 9464). 0 picks a free port (tests). */
  readonly port: number | null;
}

export interface Config {
  /** FACEBLOG_MODEL_PACK: a pack name from models/manifest.json; unset = choose automatically. */
  readonly modelPack: string | null;
  /** FACEBLOG_MODELS_DIR: where model files live (default `<package>/models`). */
  readonly modelsDir: string;
  /** FACEBLOG_MODEL_MIRROR: a folder holding model files to copy instead of downloading. */
  readonly modelMirror: string | null;
  /** FACEBLOG_DATA_DIR: blobs, index and metadata of the embedded setup (default ./data). */
  readonly dataDir: string;
  /** FACEBLOG_OFFLINE=1: never download. */
  readonly offline: boolean;
  /** FACEBLOG_LANGUAGE: the language of posts; null = the chat's (senders' language_code, guild locale). */
  readonly language: string | null;
  /** ANTHROPIC_API_KEY (+ ANTHROPIC_MODEL, ANTHROPIC_BASE_URL): write posts with Claude; null = offline writer. */
  readonly anthropic: {
    readonly apiKey: string;
    readonly model: string;
    readonly baseURL: string | null;
  } | null;
  /** FACEBLOG_LOG_LEVEL: pino level of every process, default info. */
  readonly logLevel: LogLevel;
  /** Redis, queues and stores: every process that touches albums. */
  readonly worker: WorkerConfig;
  /** The HTTP API (`faceblog serve`). */
  readonly serve: ServeConfig;
  readonly ops: OpsConfig;
  /** TELEGRAM_*; null when TELEGRAM_BOT_TOKEN is not set (only `faceblog bot` needs it). */
  readonly telegram: TelegramConfig | null;
  /** DISCORD_*; null when DISCORD_TOKEN is not set (only `faceblog discord` needs it). */
  readonly discord: DiscordConfig | null;
}

/** A current, fast model that reads images; override with ANTHROPIC_MODEL. */
const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-4-5';

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^[0-9]{1,9}$/)
    .transform(Number)
    .refine((n) => n >= min && n <= max);
const flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off']))
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const snowflake = z.string().regex(/^\d{1,20}$/);

const schema = z
  .object({
    FACEBLOG_MODEL_PACK: z.string().trim().min(1).optional(),
    FACEBLOG_MODELS_DIR: z.string().min(1).optional(),
    FACEBLOG_MODEL_MIRROR: z.string().min(1).optional(),
    FACEBLOG_DATA_DIR: z.string().min(1).optional(),
    FACEBLOG_OFFLINE: flag.optional(),
    /** A BCP 47 tag such as de, pt-BR. */
    FACEBLOG_LANGUAGE: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/)
      .optional(),
    FACEBLOG_LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
    ANTHROPIC_API_KEY: z.string().trim().min(1).optional(),
    ANTHROPIC_MODEL: z.string().trim().min(1).optional(),
    ANTHROPIC_BASE_URL: z.url().optional(),
    // Stores and queues.
    REDIS_URL: z.url().optional(),
    FACEBLOG_QUEUE_PREFIX: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/)
      .optional(),
    S3_ENDPOINT: z.url().optional(),
    S3_ACCESS_KEY: z.string().min(1).optional(),
    S3_SECRET_KEY: z.string().min(1).optional(),
    S3_BUCKET: z.string().min(3).optional(),
    S3_REGION: z.string().min(1).optional(),
    QDRANT_URL: z.url().optional(),
    QDRANT_API_KEY: z.string().min(1).optional(),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//)
      .optional(),
    WORKER_CONCURRENCY: int(1, 9_999_999).optional(),
    WORKER_LOCK_MS: int(1, 9_999_999).optional(),
    WORKER_STALLED_MS: int(1, 9_999_999).optional(),
    // HTTP API and ops endpoints.
    FACEBLOG_HTTP_HOST: z.string().trim().min(1).optional(),
    FACEBLOG_HTTP_PORT: int(0, 65535).optional(),
    FACEBLOG_MAX_UPLOAD_MB: int(1, 200).optional(),
    FACEBLOG_URL_SECONDS: int(1, 7 * 24 * 3600).optional(),
    FACEBLOG_METRICS_TOKEN: z.string().trim().min(16).max(256).optional(),
    FACEBLOG_OPS_HOST: z.string().trim().min(1).optional(),
    FACEBLOG_OPS_PORT: int(0, 65535).optional(),
    // Telegram.
    TELEGRAM_BOT_TOKEN: z
      .string()
      .trim()
      .regex(/^\d{1,20}:[A-Za-z0-9_-]{10,100}$/)
      .optional(),
    TELEGRAM_API_ROOT: z.url().optional(),
    TELEGRAM_WEBHOOK_URL: z.url().startsWith('https://').optional(),
    TELEGRAM_WEBHOOK_PORT: int(1, 65535).optional(),
    // Telegram allows 1-256 characters A-Z, a-z, 0-9, _ and - in a secret token.
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,256}$/)
      .optional(),
    TELEGRAM_THROTTLE: flag.optional(),
    TELEGRAM_ALBUM_DEBOUNCE_MS: int(0, 999_999).optional(),
    // Discord.
    DISCORD_TOKEN: z.string().trim().min(1).optional(),
    DISCORD_APPLICATION_ID: snowflake.optional(),
    DISCORD_GUILD_ID: snowflake.optional(),
    DISCORD_WATCH_CHANNELS: z
      .string()
      .regex(/^\s*\d{1,20}(\s*,\s*\d{1,20})*\s*$/)
      .optional(),
    DISCORD_API_BASE: z.url().optional(),
  })
  .superRefine((e, ctx) => {
    // Variables that only make sense together: name the missing one.
    const needs = (when: keyof typeof e, what: keyof typeof e) => {
      if (e[when] !== undefined && e[what] === undefined) {
        ctx.addIssue({ code: 'custom', path: [what], message: `needed with ${when}` });
      }
    };
    needs('S3_ENDPOINT', 'S3_ACCESS_KEY');
    needs('S3_ENDPOINT', 'S3_SECRET_KEY');
    needs('DISCORD_TOKEN', 'DISCORD_APPLICATION_ID');
  });

type Parsed = z.output<typeof schema>;

/** What each variable must be, for the error message (values are never shown). */
const EXPECTED: Readonly<Record<string, string>> = {
  FACEBLOG_OFFLINE: '1/0, true/false, yes/no or on/off',
  TELEGRAM_THROTTLE: '1/0, true/false, yes/no or on/off',
  FACEBLOG_LOG_LEVEL: LOG_LEVELS.join('|'),
  FACEBLOG_QUEUE_PREFIX: 'lowercase letters, digits and -, starting with a letter, at most 32',
  DATABASE_URL: 'a postgres:// URL',
  WORKER_CONCURRENCY: 'a whole number ≥ 1',
  WORKER_LOCK_MS: 'milliseconds, a whole number ≥ 1',
  WORKER_STALLED_MS: 'milliseconds, a whole number ≥ 1',
  FACEBLOG_HTTP_PORT: 'a port, 0-65535',
  FACEBLOG_OPS_PORT: 'a port, 0-65535',
  FACEBLOG_MAX_UPLOAD_MB: 'megabytes, 1-200',
  FACEBLOG_URL_SECONDS: 'seconds, 1-604800',
  TELEGRAM_BOT_TOKEN: '<digits>:<secret> from @BotFather',
  TELEGRAM_WEBHOOK_URL: 'an https:// URL',
  TELEGRAM_WEBHOOK_PORT: 'a port, 1-65535',
  TELEGRAM_WEBHOOK_SECRET: '1-256 of A-Z a-z 0-9 _ -',
  FACEBLOG_LANGUAGE: 'a language tag such as en, de or pt-BR',
  FACEBLOG_METRICS_TOKEN: '16-256 characters',
  TELEGRAM_ALBUM_DEBOUNCE_MS: 'milliseconds, 0-999999',
  DISCORD_APPLICATION_ID: 'a numeric id; needed with DISCORD_TOKEN',
  DISCORD_GUILD_ID: 'a numeric id',
  DISCORD_WATCH_CHANNELS: 'comma-separated numeric channel ids',
  S3_ACCESS_KEY: 'needed with S3_ENDPOINT',
  S3_SECRET_KEY: 'needed with S3_ENDPOINT',
  S3_BUCKET: 'at least 3 characters',
  REDIS_URL: 'a URL',
  S3_ENDPOINT: 'a URL',
  QDRANT_URL: 'a URL',
  ANTHROPIC_BASE_URL: 'a URL',
  TELEGRAM_API_ROOT: 'a URL',
  DISCORD_API_BASE: 'a URL',
};

/** Every variable the schema reads (for `faceblog config` and the usage text). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

/**
 * Parses the whole environment once. `packageRoot` anchors the default models folder; relative paths
 * resolve against the working directory.
 */
export function parseConfig(env: Env, packageRoot: string): Config {
  const e = parseEnv(schema, env, EXPECTED);
  // Without the secret anyone who learns the webhook URL can post forged updates (and press an
  // admin's buttons): webhook mode does not start without one.
  if (e.TELEGRAM_WEBHOOK_URL && !e.TELEGRAM_WEBHOOK_SECRET) {
    throw new AppError(
      ErrorCode.BadConfig,
      'TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET (1-256 of A-Z, a-z, 0-9, _ and -)',
    );
  }
  return {
    modelPack: e.FACEBLOG_MODEL_PACK ?? null,
    modelsDir: path.resolve(e.FACEBLOG_MODELS_DIR ?? path.join(packageRoot, 'models')),
    modelMirror: e.FACEBLOG_MODEL_MIRROR ? path.resolve(e.FACEBLOG_MODEL_MIRROR) : null,
    dataDir: path.resolve(e.FACEBLOG_DATA_DIR ?? 'data'),
    offline: e.FACEBLOG_OFFLINE ?? false,
    language: e.FACEBLOG_LANGUAGE ?? null,
    anthropic: e.ANTHROPIC_API_KEY
      ? {
          apiKey: e.ANTHROPIC_API_KEY,
          model: e.ANTHROPIC_MODEL ?? DEFAULT_ANTHROPIC_MODEL,
          baseURL: e.ANTHROPIC_BASE_URL ?? null,
        }
      : null,
    logLevel: e.FACEBLOG_LOG_LEVEL ?? 'info',
    worker: workerSlice(e),
    serve: {
      // Every interface: the API authenticates every call.
      host: e.FACEBLOG_HTTP_HOST ?? '0.0.0.0',
      port: e.FACEBLOG_HTTP_PORT ?? 8080,
      maxUploadBytes: (e.FACEBLOG_MAX_UPLOAD_MB ?? 20) * 1024 * 1024,
      urlSeconds: e.FACEBLOG_URL_SECONDS ?? 3600,
      metricsToken: e.FACEBLOG_METRICS_TOKEN ?? null,
    },
    ops: { host: e.FACEBLOG_OPS_HOST ?? '0.0.0.0', port: e.FACEBLOG_OPS_PORT ?? null },
    telegram: e.TELEGRAM_BOT_TOKEN
      ? {
          token: e.TELEGRAM_BOT_TOKEN,
          apiRoot: (e.TELEGRAM_API_ROOT ?? DEFAULT_API_ROOT).replace(/\/+$/, ''),
          webhookUrl: e.TELEGRAM_WEBHOOK_URL ?? null,
          webhookPort: e.TELEGRAM_WEBHOOK_PORT ?? 8080,
          webhookSecret: e.TELEGRAM_WEBHOOK_SECRET ?? null,
          throttle: e.TELEGRAM_THROTTLE ?? true,
          albumDebounceMs: e.TELEGRAM_ALBUM_DEBOUNCE_MS ?? DEFAULT_ALBUM_DEBOUNCE_MS,
        }
      : null,
    discord:
      e.DISCORD_TOKEN && e.DISCORD_APPLICATION_ID
        ? {
            token: e.DISCORD_TOKEN,
            applicationId: e.DISCORD_APPLICATION_ID,
            guildId: e.DISCORD_GUILD_ID ?? null,
            watchChannels: new Set(
              (e.DISCORD_WATCH_CHANNELS ?? '')
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            ),
            apiBase: e.DISCORD_API_BASE ?? null,
          }
        : null,
  };
}

function workerSlice(e: Parsed): WorkerConfig {
  let s3: S3Settings | null = null;
  if (e.S3_ENDPOINT && e.S3_ACCESS_KEY && e.S3_SECRET_KEY) {
    const url = new URL(e.S3_ENDPOINT);
    const useSSL = url.protocol === 'https:';
    s3 = {
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : useSSL ? 443 : 80,
      useSSL,
      accessKey: e.S3_ACCESS_KEY,
      secretKey: e.S3_SECRET_KEY,
      bucket: e.S3_BUCKET ?? 'faceblog',
      // MinIO ignores the region; us-east-1 is S3's default and what MinIO reports.
      region: e.S3_REGION ?? 'us-east-1',
    };
  }
  return {
    redisUrl: e.REDIS_URL ?? 'redis://127.0.0.1:6379',
    queuePrefix: e.FACEBLOG_QUEUE_PREFIX ?? 'faceblog',
    s3,
    qdrant: e.QDRANT_URL ? { url: e.QDRANT_URL, apiKey: e.QDRANT_API_KEY ?? null } : null,
    databaseUrl: e.DATABASE_URL ?? null,
    concurrency: e.WORKER_CONCURRENCY ?? 1,
    lockDurationMs: e.WORKER_LOCK_MS ?? null,
    stalledIntervalMs: e.WORKER_STALLED_MS ?? null,
  };
}

const MASK = '[set, hidden]';

/**
 * The configuration as `faceblog config` prints it: every value as parsed, secrets replaced by a mask
 * (keys, tokens, passwords, and the password inside DATABASE_URL or REDIS_URL).
 */
export function maskConfig(config: Config): unknown {
  const url = (value: string): string => {
    try {
      const u = new URL(value);
      if (u.password) u.password = 'hidden';
      return u.toString();
    } catch {
      return MASK;
    }
  };
  const { worker, telegram, discord, anthropic, serve } = config;
  return {
    ...config,
    anthropic: anthropic && { ...anthropic, apiKey: MASK },
    serve: { ...serve, metricsToken: serve.metricsToken && MASK },
    worker: {
      ...worker,
      redisUrl: url(worker.redisUrl),
      databaseUrl: worker.databaseUrl && url(worker.databaseUrl),
      s3: worker.s3 && { ...worker.s3, accessKey: MASK, secretKey: MASK },
      qdrant: worker.qdrant && { ...worker.qdrant, apiKey: worker.qdrant.apiKey && MASK },
    },
    telegram: telegram && {
      ...telegram,
      token: MASK,
      webhookSecret: telegram.webhookSecret && MASK,
    },
    discord: discord && { ...discord, token: MASK, watchChannels: [...discord.watchChannels] },
  };
}
