/**
 * Entry point of the Telegram bot: `node dist/main-bot.js` (or `faceblog bot`). Takes the parsed
 * configuration (src/config.ts: `telegram`, the stores and Redis of `worker`, the models and the
 * writer), opens the same stores and queues as the workers, and answers chats by long polling, or by
 * webhook when TELEGRAM_WEBHOOK_URL is set. Albums are queued for the workers (`faceblog worker`); the
 * bot itself analyzes only selfies for /find. With FACEBLOG_OPS_PORT it answers /healthz, /readyz
 * (Redis, the stores, and the connection to Telegram) and /metrics there.
 */
import { createServer, type Server } from 'node:http';

import { run, type RunnerHandle } from '@grammyjs/runner';
import { webhookCallback } from 'grammy';
import type { Logger } from 'pino';

import { createPostWriter } from './app/post-writer.js';
import { openServiceRuntime } from './app/open-runtime.js';
import { runAsMain, runUntilSignal, type StopService } from './app/run-until-signal.js';
import { COMMANDS, DESCRIPTION, SHORT_DESCRIPTION } from './bots/telegram/commands.js';
import { createTelegramBot } from './bots/telegram/create-bot.js';
import type { ChatAlbums } from './bots/telegram/deps.js';
import type { Config } from './config.js';
import { AppError, describeError, ErrorCode } from './core/errors.js';
import { lineLog } from './ops/logger.js';
import { createMetrics, instrumentAnalyzer } from './ops/metrics.js';
import { startProcessOps } from './ops/process-ops.js';
import type { MetadataStore } from './ports/metadata-store.js';

/** Albums in progress get this long to finish at shutdown (Docker's stop grace period is 10 s). */
const SHUTDOWN_GRACE_MS = 5000;

export async function runBot(config: Config, logger: Logger): Promise<() => Promise<void>> {
  const telegram = config.telegram;
  if (!telegram) {
    throw new AppError(ErrorCode.BadConfig, 'TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)');
  }
  const log = lineLog(logger);
  const metrics = createMetrics();
  // The bot analyzes only selfies for /find, one photo at a time per request.
  const runtime = await openServiceRuntime(config, log, {
    wrapAnalyzer: (analyzer) => instrumentAnalyzer(analyzer, metrics, 'telegram-find'),
  });
  const { workerConfig, pack, stores, services } = runtime;
  await services.photoEvents.waitUntilReady();

  const { bot, drain } = createTelegramBot(
    {
      photos: services.photos,
      people: services.people,
      search: services.search,
      privacy: services.privacy,
      albums: chatAlbums(stores.metadata),
      blobs: stores.blobs,
      progress: services.progress,
      writer: createPostWriter(config) ?? null,
      language: config.language,
      log,
      settings: { albumDebounceMs: telegram.albumDebounceMs },
    },
    { token: telegram.token, apiRoot: telegram.apiRoot, throttle: telegram.throttle },
  );

  await bot.init();
  await bot.api.setMyCommands([...COMMANDS]);
  // What a new user sees before pressing Start, and on the bot's profile.
  await bot.api.setMyDescription(DESCRIPTION);
  await bot.api.setMyShortDescription(SHORT_DESCRIPTION);
  const allowed_updates = ['message', 'callback_query', 'my_chat_member'] as const;

  let server: Server | null = null;
  let runner: RunnerHandle | null = null;
  if (telegram.webhookUrl) {
    const secret = telegram.webhookSecret;
    const handle = webhookCallback(bot, 'http', secret ? { secretToken: secret } : {});
    server = createServer((req, res) => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      void handle(req, res);
    });
    await new Promise<void>((resolve) => server?.listen(telegram.webhookPort, resolve));
    await bot.api.setWebhook(telegram.webhookUrl, {
      allowed_updates,
      ...(secret ? { secret_token: secret } : {}),
    });
    log(
      `faceblog bot: @${bot.botInfo.username} on webhook ${new URL(telegram.webhookUrl).host}, port ${telegram.webhookPort}`,
      { webhookPort: telegram.webhookPort },
    );
  } else {
    // The runner fetches while earlier updates are still handled; create-bot.ts keeps each chat's
    // updates in order (sequentialize), so one chat's slow work never holds another chat's.
    runner = run(bot, { runner: { fetch: { allowed_updates } } });
    log(
      `faceblog bot: @${bot.botInfo.username} polling, pack ${pack.name}, prefix ${workerConfig.queuePrefix}`,
    );
  }

  const webhookServer = server;
  const polling = runner;
  const ops =
    config.ops.port === null
      ? null
      : await startProcessOps({
          host: config.ops.host,
          port: config.ops.port,
          redisUrl: workerConfig.redisUrl,
          queuePrefix: workerConfig.queuePrefix,
          stores,
          metrics,
          checks: [
            {
              // Polling: the loop is running (it stops on a 401 or a conflicting webhook). Webhook: the
              // server that receives updates is listening. No Bot API call per probe.
              name: 'telegram',
              check: () =>
                (webhookServer ? webhookServer.listening : (polling?.isRunning() ?? false))
                  ? Promise.resolve()
                  : Promise.reject(new Error('not receiving updates')),
            },
          ],
        });
  if (ops) log(`faceblog bot: health and metrics on port ${ops.port}`, { opsPort: ops.port });

  let stopping = false;
  const stop: StopService = async () => {
    await ops?.close();
    // Stop taking updates, then let collected albums go out and running ones finish briefly.
    stopping = true;
    if (runner?.isRunning()) await runner.stop();
    if (server) {
      const open = server;
      await new Promise<void>((resolve) =>
        open.close(() => {
          resolve();
        }),
      );
    }
    await drain(SHUTDOWN_GRACE_MS);
    await runtime.close();
  };
  // A 409 Conflict (another poller, or a webhook set meanwhile) or a 401 (token revoked) stops the
  // runner for good: the process must end non-zero so that its supervisor restarts it.
  const task = runner?.task();
  if (task) {
    stop.fatal = task.then(
      () =>
        stopping
          ? new Promise<never>(() => undefined)
          : Promise.reject(new AppError(ErrorCode.Io, 'Telegram polling stopped')),
      (error: unknown) => {
        log(`faceblog bot: polling stopped: ${describeError(error).message}`, { level: 'error' });
        throw error;
      },
    );
  }
  return stop;
}

/** The chat's albums from the metadata store (newest first there). */
function chatAlbums(metadata: MetadataStore): ChatAlbums {
  return {
    async latestAlbumId(tenant) {
      return (await metadata.listAlbums(tenant, { limit: 1 }))[0]?.id ?? null;
    },
    async stats(tenant) {
      const albums = await metadata.listAlbums(tenant);
      return { albums: albums.length, photos: albums.reduce((n, a) => n + a.photoCount, 0) };
    },
  };
}

/** Runs the bot until SIGTERM or SIGINT, then stops it; resolves with the exit code. */
export function runBotUntilSignal(config: Config, logger: Logger): Promise<number> {
  return runUntilSignal('faceblog bot', () => runBot(config, logger), lineLog(logger));
}

runAsMain(import.meta.url, 'bot', runBotUntilSignal);
