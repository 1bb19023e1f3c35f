/**
 * `runServe` as `faceblog serve` runs it: configuration from the environment, the embedded stores under
 * FACEBLOG_DATA_DIR, a key made with the api-key helper, then a clean stop.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { runApiKeyCommand } from '../../src/http/api-keys.js';
import { parseConfig } from '../../src/config.js';
import { runServe } from '../../src/main-serve.js';
import { createLogger } from '../../src/ops/logger.js';
import { obliterate, REDIS_URL } from '../jobs/support/harness.js';
import { mirrorDir, repoRoot } from '../support/fixtures.js';
import { testModelsDir } from '../support/models.js';

describe('runServe', () => {
  it('serves from the environment and stops cleanly', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'faceblog-serve-'));
    const prefix = `s${randomBytes(6).toString('hex')}`;
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const config = parseConfig(
      {
        REDIS_URL,
        FACEBLOG_DATA_DIR: dataDir,
        FACEBLOG_QUEUE_PREFIX: prefix,
        FACEBLOG_MODEL_PACK: 'local',
        FACEBLOG_MODELS_DIR: testModelsDir(),
        FACEBLOG_MODEL_MIRROR: mirrorDir,
        FACEBLOG_HTTP_HOST: '127.0.0.1',
        FACEBLOG_HTTP_PORT: '0',
        // Empty values mean "not set", as compose files leave them.
        FACEBLOG_OPS_PORT: '',
        FACEBLOG_LOG_LEVEL: 'info',
      },
      repoRoot,
    );
    const stop = await runServe(config, createLogger({ destination }));
    try {
      const base = `http://127.0.0.1:${stop.port}`;
      // Structured logs: JSON lines with the service's fields.
      const started = lines.map((l) => JSON.parse(l) as { msg: string; port?: number }).find((l) => l.port);
      expect(started?.msg).toContain(`http://127.0.0.1:${stop.port}`);
      const out: string[] = [];
      await runApiKeyCommand(['create', 'tg-42'], dataDir, (l) => out.push(l));
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      const people = await fetch(`${base}/api/v1/people`, { headers: { 'x-api-key': out[0]! } });
      expect(await people.json()).toEqual({ people: [] });
    } finally {
      await stop();
      await obliterate(prefix);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
