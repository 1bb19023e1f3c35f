/**
 * Entry point of the Discord bot: `node dist/main-discord.js` (or `faceblog discord`). Reads the
 * environment, opens the stores and the services (albums run on the queue workers of `faceblog worker`),
 * registers the slash commands, logs in and answers until SIGTERM or SIGINT.
 *
 * Environment: DISCORD_TOKEN, DISCORD_APPLICATION_ID (required); DISCORD_GUILD_ID (register the commands
 * in one server, where they appear at once), DISCORD_WATCH_CHANNELS (comma-separated channel ids whose
 * image messages are albums), DISCORD_API_BASE (REST base URL, for tests); REDIS_URL,
 * FACEBLOG_QUEUE_PREFIX and the stores of src/app/worker-config.ts; FACEBLOG_DATA_DIR and the model and
 * Anthropic settings of src/config.ts.
 */
import { z } from 'zod';

import { createPostWriter } from './app/post-writer.js';
import { openServiceRuntime } from './app/open-runtime.js';
import { runAsMain, runUntilSignal } from './app/run-until-signal.js';
import { createDiscordBot } from './bots/discord/create-client.js';
import { parseEnv } from './core/env.js';

/** Replies in progress get this long to finish on shutdown (Docker's stop grace period is 10 s). */
const SHUTDOWN_GRACE_MS = 8000;

const snowflake = z.string().regex(/^\d{1,20}$/);
const envSchema = z.object({
  DISCORD_TOKEN: z.string().min(1),
  DISCORD_APPLICATION_ID: snowflake,
  DISCORD_GUILD_ID: snowflake.optional(),
  DISCORD_WATCH_CHANNELS: z
    .string()
    .regex(/^\d{1,20}(\s*,\s*\d{1,20})*$/)
    .optional(),
  DISCORD_API_BASE: z.url().optional(),
});

export interface DiscordConfig {
  readonly token: string;
  readonly applicationId: string;
  readonly guildId: string | null;
  readonly watchChannels: ReadonlySet<string>;
  readonly apiBase: string | null;
}

export function parseDiscordConfig(env: Readonly<Record<string, string | undefined>>): DiscordConfig {
  const e = parseEnv(envSchema, env, 'missing or invalid');
  return {
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
  };
}

/** Starts the bot; resolves with a function that stops it (replies in progress finish first). */
export async function runDiscordBot(
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): Promise<() => Promise<void>> {
  const discord = parseDiscordConfig(env);
  // Selfies for /find are analyzed here, in one thread off the event loop; albums go to the workers.
  const runtime = await openServiceRuntime(env, log);
  const { config, workerConfig, pack, stores, services } = runtime;
  const bot = createDiscordBot(
    {
      services,
      blobs: stores.blobs,
      async latestAlbum(tenant) {
        const [latest] = await stores.metadata.listAlbums(tenant, { limit: 1 });
        return latest?.id ?? null;
      },
      writer: createPostWriter(config),
      language: config.language,
      log,
    },
    { ...(discord.apiBase ? { api: discord.apiBase } : {}), watchChannels: discord.watchChannels },
  );
  const closeAll = async () => {
    await bot.client.destroy();
    await runtime.close();
  };
  try {
    bot.client.rest.setToken(discord.token);
    await bot.registerCommands(discord.applicationId, discord.guildId ?? undefined);
    await bot.client.login(discord.token);
  } catch (error) {
    await closeAll();
    throw error;
  }
  log(
    `faceblog discord: ${bot.commands.length} commands${discord.guildId ? ` in guild ${discord.guildId}` : ''}, ` +
      `${discord.watchChannels.size} watched channel(s), pack ${pack.name}, prefix ${workerConfig.queuePrefix}`,
  );
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      bot.idle(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    await closeAll();
  };
}

/** Runs the bot until SIGTERM or SIGINT, then stops it; resolves with the exit code. */
export function runDiscordBotUntilSignal(
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): Promise<number> {
  return runUntilSignal('faceblog discord', () => runDiscordBot(env, log), log);
}

runAsMain(import.meta.url, 'faceblog discord', (log) => runDiscordBotUntilSignal(process.env, log));
