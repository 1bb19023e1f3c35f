/**
 * Entry point of the Discord bot: `node dist/main-discord.js` (or `faceblog discord`). Reads the
 * environment, opens the stores and the services (albums run on the queue workers of `faceblog worker`),
 * registers the slash commands, logs in and answers until SIGTERM or SIGINT.
 *
 * Configuration (src/config.ts): `discord` (DISCORD_TOKEN and DISCORD_APPLICATION_ID required; see
 * src/bots/discord/config.ts), the stores and Redis of `worker`, the models and the writer. With
 * FACEBLOG_OPS_PORT it answers /healthz, /readyz (Redis, the stores, the gateway) and /metrics there.
 */
import type { Logger } from 'pino';

import { createPostWriter } from './app/post-writer.js';
import { openServiceRuntime } from './app/open-runtime.js';
import { runAsMain, runUntilSignal } from './app/run-until-signal.js';
import { createDiscordBot } from './bots/discord/create-client.js';
import type { Config } from './config.js';
import { AppError, ErrorCode } from './core/errors.js';
import { lineLog } from './ops/logger.js';
import { createMetrics, instrumentAnalyzer } from './ops/metrics.js';
import { startProcessOps } from './ops/process-ops.js';

/** Replies in progress get this long to finish on shutdown (Docker's stop grace period is 10 s). */
const SHUTDOWN_GRACE_MS = 8000;

/** Starts the bot; resolves with a function that stops it (replies in progress finish first). */
export async function runDiscordBot(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const discord = config.discord;
  if (!discord) {
    throw new AppError(ErrorCode.BadConfig, 'DISCORD_TOKEN and DISCORD_APPLICATION_ID are not set');
  }
  const log = lineLog(logger);
  const metrics = createMetrics();
  // Selfies for /find are analyzed here, in one thread off the event loop; albums go to the workers.
  const runtime = await openServiceRuntime(config, log, {
    wrapAnalyzer: (analyzer) => instrumentAnalyzer(analyzer, metrics, 'discord-find'),
  });
  const { workerConfig, pack, stores, services } = runtime;
  const bot = createDiscordBot(
    {
      services,
      blobs: stores.blobs,
      async latestAlbum(tenant) {
        const [latest] = await stores.metadata.listAlbums(tenant, { limit: 1 });
        return latest?.id ?? null;
      },
      async albumStats(tenant) {
        const albums = await stores.metadata.listAlbums(tenant);
        return { albums: albums.length, photos: albums.reduce((n, a) => n + a.photoCount, 0) };
      },
      writer: createPostWriter(config),
      language: config.language,
      log,
    },
    { ...(discord.apiBase ? { api: discord.apiBase } : {}), watchChannels: discord.watchChannels },
  );
  let ops: { port: number; close(): Promise<void> } | null = null;
  const closeAll = async () => {
    await ops?.close();
    await bot.client.destroy();
    await runtime.close();
  };
  try {
    bot.client.rest.setToken(discord.token);
    await bot.registerCommands(discord.applicationId, discord.guildId ?? undefined);
    await bot.client.login(discord.token);
    if (config.ops.port !== null) {
      ops = await startProcessOps({
        host: config.ops.host,
        port: config.ops.port,
        redisUrl: workerConfig.redisUrl,
        queuePrefix: workerConfig.queuePrefix,
        stores,
        metrics,
        checks: [
          {
            // The gateway session is up (discord.js reconnects by itself; not ready while it does).
            name: 'discord',
            check: () =>
              bot.client.isReady() ? Promise.resolve() : Promise.reject(new Error('gateway not ready')),
          },
        ],
      });
      log(`faceblog discord: health and metrics on port ${ops.port}`, { opsPort: ops.port });
    }
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
export function runDiscordBotUntilSignal(config: Config, logger: Logger): Promise<number> {
  return runUntilSignal('faceblog discord', () => runDiscordBot(config, logger), lineLog(logger));
}

runAsMain(import.meta.url, 'discord', runDiscordBotUntilSignal);
