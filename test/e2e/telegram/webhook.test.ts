/**
 * Webhook mode: with TELEGRAM_WEBHOOK_URL set, the real bot process registers the webhook (with its
 * secret) instead of polling, and answers updates POSTed to its port; a wrong secret is refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { mirrorDir } from '../../support/fixtures.js';
import { obliterate, REDIS_URL } from '../../jobs/support/harness.js';
import { BotApiEmulator, commandEntities } from './bot-api-emulator.js';
import { type Proc, startProcess } from './support/processes.js';

const SECRET = 'hook-secret_123';
const WEBHOOK_URL = 'https://bot.example.test/telegram';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

describe('the Telegram bot on a webhook', () => {
  let emu: BotApiEmulator;
  let bot: Proc;
  let dataDir: string;
  let port: number;
  const prefix = `tw${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    emu = await BotApiEmulator.start();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'faceblog-tgw-'));
    port = await freePort();
    bot = startProcess('bot', 'src/main-bot.ts', {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TELEGRAM_BOT_TOKEN: emu.token,
      TELEGRAM_API_ROOT: emu.apiRoot,
      TELEGRAM_WEBHOOK_URL: WEBHOOK_URL,
      TELEGRAM_WEBHOOK_PORT: String(port),
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      REDIS_URL,
      FACEBLOG_QUEUE_PREFIX: prefix,
      FACEBLOG_DATA_DIR: dataDir,
      FACEBLOG_MODEL_MIRROR: mirrorDir,
      FACEBLOG_MODEL_PACK: 'local',
      FACEBLOG_OFFLINE: '1',
      FACEBLOG_OPS_HOST: '127.0.0.1',
      FACEBLOG_OPS_PORT: '0',
    });
    await emu
      .waitForCall((c) => c.method === 'setWebhook', { timeoutMs: 90_000 })
      .catch((error: unknown) => {
        throw new Error(`the bot did not start: ${String(error)}\n${bot.output()}`);
      });
  }, 120_000);

  afterAll(async () => {
    const code = await bot.stop();
    await emu.close();
    await obliterate(prefix);
    await rm(dataDir, { recursive: true, force: true });
    expect(code, bot.output()).toBe(0);
  }, 60_000);

  it('logs JSON lines and answers /healthz, /readyz and /metrics on its ops port', async () => {
    // The ops server starts right after the webhook is registered: wait for its log line.
    const opsLine = () =>
      bot
        .output()
        .split('\n')
        .map((line) => {
          try {
            return JSON.parse(line) as { opsPort?: number; service?: string };
          } catch {
            return {};
          }
        })
        .find((l) => l.opsPort !== undefined);
    const until = Date.now() + 30_000;
    while (!opsLine() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    const opsPort = opsLine();
    expect(opsPort?.service).toBe('bot');
    const base = `http://127.0.0.1:${opsPort?.opsPort}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(ready.status, JSON.stringify(body)).toBe(200);
    expect(Object.keys(body.checks).sort()).toEqual(['index', 'metadata', 'redis', 'storage', 'telegram']);
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^# HELP faceblog_/m);
    expect(bot.output()).not.toContain(emu.token);
  });

  it('registers the webhook with its secret and never polls', () => {
    const call = emu.callsOf('setWebhook')[0];
    expect(call?.params).toMatchObject({
      url: WEBHOOK_URL,
      secret_token: SECRET,
      allowed_updates: ['message', 'callback_query', 'my_chat_member'],
    });
    expect(emu.callsOf('deleteWebhook')).toEqual([]);
  });

  it('answers a POSTed update and refuses a wrong secret', async () => {
    const text = '/help';
    const update = {
      update_id: 1,
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 77, type: 'private', first_name: 'Ann' },
        from: { id: 77, is_bot: false, first_name: 'Ann' },
        text,
        entities: commandEntities(text),
      },
    };
    const post = (secret: string) =>
      fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: JSON.stringify(update),
      });
    expect((await post('wrong')).status).toBe(401);
    const start = emu.lastSeq;
    expect((await post(SECRET)).status).toBe(200);
    const answer = await emu.waitForCall((c) => c.method === 'sendMessage', { after: start });
    expect(answer.params).toMatchObject({ chat_id: 77 });
    expect(String(answer.params.text)).toMatch(/^What I do with an album/);
  });
});
