/**
 * A whole Telegram deployment for a test: the Bot API emulator, then the real worker and bot processes
 * configured for it by environment (real Redis under a queue prefix of their own, a temp data dir, the
 * `local` pack from the mirror, the offline writer), started as users start them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { mirrorDir } from '../../../support/fixtures.js';
import { obliterate, REDIS_URL } from '../../../jobs/support/harness.js';
import { BotApiEmulator } from '../bot-api-emulator.js';
import { type Proc, startProcess } from './processes.js';

export interface BotStack {
  readonly emu: BotApiEmulator;
  readonly bot: Proc;
  readonly worker: Proc;
  /** Stops both processes, the emulator, the queues and the data; resolves with the exit codes. */
  stop(): Promise<(number | null)[]>;
}

/** `prepare` sets the emulator up (members, admins) before the bot's first call. */
export async function startBotStack(
  prepare: (emu: BotApiEmulator) => void = () => undefined,
): Promise<BotStack> {
  const emu = await BotApiEmulator.start();
  prepare(emu);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'faceblog-tg-'));
  const prefix = `tg${randomBytes(5).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TELEGRAM_BOT_TOKEN: emu.token,
    TELEGRAM_API_ROOT: emu.apiRoot,
    // The emulator does not rate-limit; Telegram's 20 messages a minute per group would make a test
    // wait for minutes.
    TELEGRAM_THROTTLE: 'off',
    TELEGRAM_ALBUM_DEBOUNCE_MS: '800',
    REDIS_URL,
    FACEBLOG_QUEUE_PREFIX: prefix,
    FACEBLOG_DATA_DIR: dataDir,
    FACEBLOG_MODEL_MIRROR: mirrorDir,
    FACEBLOG_MODEL_PACK: 'local',
    FACEBLOG_OFFLINE: '1',
  };
  const worker = startProcess('worker', 'src/main-worker.ts', env);
  const bot = startProcess('bot', 'src/main-bot.ts', env);
  await emu
    .waitForCall((c) => c.method === 'setMyCommands', { timeoutMs: 90_000 })
    .catch((error: unknown) => {
      throw new Error(`the bot did not start: ${String(error)}\n${bot.output()}`);
    });
  return {
    emu,
    bot,
    worker,
    async stop() {
      const codes = await Promise.all([bot.stop(), worker.stop()]);
      await emu.close();
      await obliterate(prefix);
      await rm(dataDir, { recursive: true, force: true });
      return codes;
    },
  };
}
