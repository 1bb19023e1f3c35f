/**
 * The one configuration schema: defaults, empty variables as "not set" for every variable, bad values
 * named with what they should be and never echoed, and `faceblog config`'s masking.
 */
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { CONFIG_VARIABLES, maskConfig, parseConfig } from '../src/config.js';

const ROOT = '/opt/faceblog';
const TOKEN = '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_secret';

function failure(env: Record<string, string>): string {
  try {
    parseConfig(env, ROOT);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

describe('parseConfig', () => {
  it('defaults to the embedded setup with no ops port, bot or writer', () => {
    const config = parseConfig({}, ROOT);
    expect(config).toMatchObject({
      modelPack: null,
      modelsDir: path.join(ROOT, 'models'),
      modelMirror: null,
      offline: false,
      anthropic: null,
      logLevel: 'info',
      serve: { host: '0.0.0.0', port: 8080, maxUploadBytes: 20 * 1024 * 1024, urlSeconds: 3600 },
      ops: { host: '0.0.0.0', port: null },
      telegram: null,
      discord: null,
    });
    expect(config.worker).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'faceblog',
      s3: null,
    });
  });

  it('treats an empty or blank value as not set, for every variable alike', () => {
    const empty = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, '']));
    expect(parseConfig(empty, ROOT)).toEqual(parseConfig({}, ROOT));
    const blank = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, '  ']));
    expect(parseConfig(blank, ROOT)).toEqual(parseConfig({}, ROOT));
    // The case the two old parsers disagreed on.
    expect(parseConfig({ FACEBLOG_MODEL_PACK: '' }, ROOT).modelPack).toBeNull();
  });

  it('reads every slice', () => {
    const config = parseConfig(
      {
        FACEBLOG_MODEL_PACK: 'local',
        FACEBLOG_OFFLINE: 'yes',
        FACEBLOG_LOG_LEVEL: 'debug',
        FACEBLOG_OPS_PORT: '9464',
        FACEBLOG_HTTP_PORT: '0',
        S3_ENDPOINT: 'https://s3.example.org',
        S3_ACCESS_KEY: 'AKIA',
        S3_SECRET_KEY: 'wJalr',
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_THROTTLE: 'OFF',
        DISCORD_TOKEN: 'discord-secret',
        DISCORD_APPLICATION_ID: '42',
        DISCORD_WATCH_CHANNELS: '1, 2',
      },
      ROOT,
    );
    expect(config).toMatchObject({ modelPack: 'local', offline: true, logLevel: 'debug' });
    expect(config.ops.port).toBe(9464);
    expect(config.serve.port).toBe(0);
    expect(config.worker.s3).toMatchObject({ endPoint: 's3.example.org', port: 443, useSSL: true });
    expect(config.telegram).toMatchObject({ token: TOKEN, throttle: false, webhookUrl: null });
    expect(config.discord).toMatchObject({
      applicationId: '42',
      guildId: null,
      watchChannels: new Set(['1', '2']),
    });
  });

  it('names every bad variable with what it should be, and never echoes a value', () => {
    const message = failure({
      TELEGRAM_BOT_TOKEN: 'not-a-token-hunter2',
      DATABASE_URL: 'mysql://root:hunter2@db/faceblog',
      WORKER_CONCURRENCY: 'lots',
      FACEBLOG_OFFLINE: 'maybe',
      FACEBLOG_OPS_PORT: '70000',
    });
    expect(message).toMatch(/^invalid environment variables: /);
    for (const name of [
      'TELEGRAM_BOT_TOKEN',
      'DATABASE_URL',
      'WORKER_CONCURRENCY',
      'FACEBLOG_OFFLINE',
      'FACEBLOG_OPS_PORT',
    ]) {
      expect(message).toContain(name);
    }
    expect(message).toContain('DATABASE_URL (a postgres:// URL)');
    expect(message).not.toMatch(/hunter2|not-a-token|lots|maybe|70000/);
  });

  it('names a variable that is needed with another', () => {
    expect(failure({ S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'k' })).toBe(
      'invalid environment variables: S3_SECRET_KEY (needed with S3_ENDPOINT)',
    );
    const discord = failure({ DISCORD_TOKEN: 'discord-secret' });
    expect(discord).toContain('DISCORD_APPLICATION_ID');
    expect(discord).not.toContain('discord-secret');
  });
});

describe('maskConfig', () => {
  it('prints every value but the secrets', () => {
    const config = parseConfig(
      {
        ANTHROPIC_API_KEY: 'sk-ant-secret',
        REDIS_URL: 'redis://:redispass@redis:6379',
        DATABASE_URL: 'postgres://faceblog:pgpass@postgres:5432/faceblog',
        S3_ENDPOINT: 'http://minio:9000',
        S3_ACCESS_KEY: 'minio-access',
        S3_SECRET_KEY: 'minio-secret',
        QDRANT_URL: 'http://qdrant:6333',
        QDRANT_API_KEY: 'qdrant-secret',
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_WEBHOOK_SECRET: 'hook-secret',
        DISCORD_TOKEN: 'discord-secret',
        DISCORD_APPLICATION_ID: '42',
      },
      ROOT,
    );
    const text = JSON.stringify(maskConfig(config));
    for (const secret of [
      'sk-ant-secret',
      'redispass',
      'pgpass',
      'minio-access',
      'minio-secret',
      'qdrant-secret',
      TOKEN,
      'hook-secret',
      'discord-secret',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('postgres://faceblog:hidden@postgres:5432/faceblog');
    expect(text).toContain('http://qdrant:6333');
    expect(text).toContain('"applicationId":"42"');
  });
});
