/**
 * The entry point as a deployment runs it: runDiscordBot(env) registers the commands over REST, logs
 * in through a local gateway (GET /gateway/bot, WebSocket, IDENTIFY, READY), answers interactions that
 * arrive over that socket, and stops cleanly. Real Redis (own prefix), real `local` models.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import { Writable } from 'node:stream';
import path from 'node:path';

import { GatewayIntentBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseConfig } from '../../../src/config.js';
import { runDiscordBot } from '../../../src/main-discord.js';
import { createLogger } from '../../../src/ops/logger.js';
import { FR, obliterate, REDIS_URL } from '../../jobs/support/harness.js';
import { fixture } from '../../support/fixtures.js';
import { testModelsDir } from '../../support/models.js';
import { commandInteraction, type TestUser } from './gateway.js';
import { attachGateway, type GatewayEmulator } from './gateway-emulator.js';
import { APP_ID, startRestEmulator, type RecordedCall, type RestEmulator } from './rest-emulator.js';

const GUILD = '810000000000000001';
const CHANNEL = '810000000000000002';
const USER: TestUser = { id: '710000000000000001', username: 'someone', permissions: '0' };

describe('runDiscordBot', () => {
  let rest: RestEmulator;
  let gateway: GatewayEmulator;
  let dir: string;
  const prefix = `d${randomBytes(6).toString('hex')}`;
  const logs: string[] = [];
  let stop: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    rest = await startRestEmulator();
    gateway = attachGateway(rest.server, { id: GUILD, channels: [CHANNEL] });
    dir = await mkdtemp(path.join(os.tmpdir(), 'faceblog-discord-'));
  });

  afterAll(async () => {
    await stop?.();
    gateway.close();
    await rest.close();
    await obliterate(prefix);
    await rm(dir, { recursive: true, force: true });
  });

  const env = () => ({
    DISCORD_TOKEN: 'test-bot-token',
    DISCORD_APPLICATION_ID: APP_ID,
    DISCORD_GUILD_ID: GUILD,
    DISCORD_API_BASE: rest.api,
    REDIS_URL,
    FACEBLOG_QUEUE_PREFIX: prefix,
    FACEBLOG_DATA_DIR: dir,
    FACEBLOG_MODEL_PACK: 'local',
    FACEBLOG_MODELS_DIR: testModelsDir(),
    FACEBLOG_OFFLINE: '1',
    FACEBLOG_OPS_HOST: '127.0.0.1',
    FACEBLOG_OPS_PORT: '0',
  });

  const parseDiscordConfig = (e: Record<string, string>) => parseConfig(e, '/app').discord;

  it('names the missing variables and never echoes a value', () => {
    expect(() =>
      parseDiscordConfig({ DISCORD_TOKEN: 'secret-token', DISCORD_WATCH_CHANNELS: 'general' }),
    ).toThrow(/DISCORD_WATCH_CHANNELS .*DISCORD_APPLICATION_ID/);
    try {
      parseDiscordConfig({ DISCORD_TOKEN: 'secret-token' });
    } catch (error) {
      expect(String(error)).not.toContain('secret-token');
    }
    expect(
      parseDiscordConfig({ ...env(), DISCORD_WATCH_CHANNELS: '1, 2', DISCORD_GUILD_ID: '' }),
    ).toMatchObject({ guildId: null, watchChannels: new Set(['1', '2']) });
  });

  it('registers, logs in through the gateway, answers a command, and stops', async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString('utf8'));
        done();
      },
    });
    stop = await runDiscordBot(parseConfig(env(), '/app'), createLogger({ destination }));

    const put = rest.calls.find((c) => c.method === 'PUT');
    expect(put?.path).toBe(`/applications/${APP_ID}/guilds/${GUILD}/commands`);
    const identify = await gateway.identified;
    expect(identify.token).toBe('test-bot-token');
    // No watched channels: only the Guilds intent, nothing privileged.
    expect(identify.intents).toBe(GatewayIntentBits.Guilds);

    // /find in a channel with no photos yet: the selfie is analyzed in the bot's own thread.
    const bytes = new Uint8Array(await readFile(fixture(`${FR}/obama-720p.jpg`)));
    const selfie = rest.attachment('me.jpg', bytes);
    const inv = commandInteraction(
      rest,
      { guild: GUILD, channel: CHANNEL },
      USER,
      'find',
      [{ type: 11, name: 'selfie', value: selfie.id }],
      [selfie],
    );
    gateway.dispatch('INTERACTION_CREATE', inv.payload);
    const isReply = (c: RecordedCall) =>
      c.method === 'PATCH' && c.path === `/webhooks/${APP_ID}/${inv.token}/messages/@original`;
    const reply = await rest.waitFor(isReply, 30_000);
    expect((reply.body as { content: string }).content).toMatch(/^No match/);
    const callback = rest.calls.findIndex((c) => c.path === `/interactions/${inv.id}/${inv.token}/callback`);
    expect(callback).toBeGreaterThanOrEqual(0);
    expect(callback).toBeLessThan(rest.calls.indexOf(reply));

    // Structured logs, and the ops endpoints with the gateway among the readiness checks.
    const lines = logs.map((l) => JSON.parse(l) as { service?: string; opsPort?: number; msg: string });
    const opsPort = lines.find((l) => l.opsPort !== undefined)?.opsPort;
    const ready = await fetch(`http://127.0.0.1:${opsPort}/readyz`);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(ready.status, JSON.stringify(body)).toBe(200);
    expect(body.checks.discord).toMatchObject({ ok: true });
    expect(logs.join('\n')).not.toContain('test-bot-token');

    const stopping = stop;
    stop = null;
    await stopping();
    expect(await gateway.closed).toBe(1000);
  }, 60_000);
});
