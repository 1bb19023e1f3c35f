/**
 * Entry point of the Telegram bot: `node dist/main-bot.js` (or `faceblog bot`). Reads the environment
 * (TELEGRAM_* in src/bots/telegram/config.ts, the stores and Redis of src/app/worker-config.ts, the
 * models and the writer of src/config.ts), opens the same stores and queues as the workers, and
 * answers chats by long polling, or by webhook when TELEGRAM_WEBHOOK_URL is set. Albums are queued for
 * the workers (`faceblog worker`); the bot itself analyzes only selfies for /find.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { webhookCallback } from 'grammy';

import { AnthropicWriter } from './adapters/anthropic-writer.js';
import { createServices, createStores } from './app/create-app.js';
import { parseWorkerConfig } from './app/worker-config.js';
import { COMMANDS } from './bots/telegram/commands.js';
import { parseTelegramConfig } from './bots/telegram/config.js';
import { createTelegramBot } from './bots/telegram/create-bot.js';
import type { ChatAlbums } from './bots/telegram/deps.js';
import { defaultMirror } from './cli/load-models.js';
import { parseConfig } from './config.js';
import { describeError } from './core/errors.js';
import { parseManifest } from './core/manifest.js';
import { watchAlbumProgress } from './jobs/progress.js';
import { resolveRuntimePack } from './models/select-pack.js';
import type { MetadataStore } from './ports/metadata-store.js';
import { createAnalyzerPool } from './runtime/analyzer-pool.js';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Albums in progress get this long to finish at shutdown (Docker's stop grace period is 10 s). */
const SHUTDOWN_GRACE_MS = 5000;

export async function runBot(
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): Promise<() => Promise<void>> {
  const telegram = parseTelegramConfig(env);
  const config = parseConfig(env, packageRoot);
  const workerConfig = parseWorkerConfig(env);
  const manifest = parseManifest(
    JSON.parse(await readFile(path.join(packageRoot, 'models', 'manifest.json'), 'utf8')) as unknown,
  );
  const { pack, modelsDir } = await resolveRuntimePack({
    manifest,
    modelsDir: config.modelsDir,
    mirrorDir: config.modelMirror ?? defaultMirror(packageRoot),
    packEnv: config.modelPack,
    log,
  });
  const stores = createStores(workerConfig, config.dataDir, pack.dim);
  await stores.metadata.migrate();
  // One analyzer thread for selfies: /find analyzes one photo at a time per request.
  const analyzer = await createAnalyzerPool({ threads: 1, pack, modelsDir });
  const services = createServices({
    redisUrl: workerConfig.redisUrl,
    prefix: workerConfig.queuePrefix,
    stores,
    pack,
    analyzer,
  });
  await services.photoEvents.waitUntilReady();

  const { bot, drain } = createTelegramBot(
    {
      photos: services.photos,
      people: services.people,
      search: services.search,
      privacy: services.privacy,
      albums: chatAlbums(stores.metadata),
      blobs: stores.blobs,
      watchProgress: (tenant, albumId, onProgress) =>
        watchAlbumProgress(services.photoEvents, tenant, albumId, onProgress),
      writer: config.anthropic
        ? new AnthropicWriter({ ...config.anthropic, baseURL: config.anthropic.baseURL ?? undefined })
        : null,
      log,
      settings: { albumDebounceMs: telegram.albumDebounceMs },
    },
    { token: telegram.token, apiRoot: telegram.apiRoot, throttle: telegram.throttle },
  );

  await bot.init();
  await bot.api.setMyCommands([...COMMANDS]);
  const allowed_updates = ['message', 'callback_query', 'my_chat_member'] as const;

  let server: Server | null = null;
  let polling: Promise<void> | null = null;
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
    );
  } else {
    polling = bot.start({ allowed_updates, onStart: () => undefined });
    polling.catch((error: unknown) => {
      log(`faceblog bot: polling stopped: ${describeError(error).message}`);
    });
    log(
      `faceblog bot: @${bot.botInfo.username} polling, pack ${pack.name}, prefix ${workerConfig.queuePrefix}`,
    );
  }

  return async () => {
    // Stop taking updates, then let collected albums go out and running ones finish briefly.
    if (polling) {
      await bot.stop();
      await polling.catch(() => undefined);
    }
    if (server) {
      const open = server;
      await new Promise<void>((resolve) =>
        open.close(() => {
          resolve();
        }),
      );
    }
    await drain(SHUTDOWN_GRACE_MS);
    await services.close();
    await analyzer.close();
    await stores.close();
  };
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

/** Runs the bot until SIGTERM or SIGINT; resolves with the exit code. */
export async function runBotUntilSignal(
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): Promise<number> {
  const stop = await runBot(env, log);
  const ignore = () => undefined;
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (received: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
      process.on('SIGTERM', ignore).on('SIGINT', ignore);
      resolve(received);
    };
    process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  });
  log(`faceblog bot: ${signal}, stopping`);
  try {
    await stop();
    return 0;
  } catch (error) {
    log(`faceblog bot: shutdown failed: ${describeError(error).message}`);
    return 1;
  } finally {
    process.off('SIGTERM', ignore).off('SIGINT', ignore);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const log = (line: string) => {
    process.stderr.write(`${line}\n`);
  };
  // Exit explicitly: the throttler's timers or a client a dependency forgot must not keep it alive.
  runBotUntilSignal(process.env, log).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const { code, message } = describeError(error);
      log(`faceblog bot: ${code}: ${message}`);
      process.exit(1);
    },
  );
}
