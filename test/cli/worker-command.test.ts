/**
 * `faceblog worker`: the CLI runs the queues until SIGTERM, indexes what is submitted meanwhile, and
 * stops cleanly with exit code 0.
 */
import type { ChildProcess } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { exited, FR, spawnWorker, startHarness, uploads, type Harness } from '../jobs/support/harness.js';
import { runCli } from '../support/run-cli.js';

const TENANT = 'tg-3003';

describe('faceblog worker', () => {
  let h: Harness;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    h = await startHarness({ worker: false });
  }, 60_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    await h.close();
  });

  it('is in the usage text', async () => {
    const { code, stdout } = await runCli(['help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}worker\s/m);
  });

  it('indexes an album until SIGTERM, then stops with code 0', async () => {
    const worker = spawnWorker(h, ['src/cli.ts', 'worker']);
    child = worker;
    let stderr = '';
    worker.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });

    const submitted = await h.services.photos.submitAlbum(
      TENANT,
      await uploads(`${FR}/biden.jpg`, `${FR}/obama.jpg`),
    );
    const status = await h.waitForAlbum(TENANT, submitted.albumId, 90_000);
    expect(status).toMatchObject({ status: 'done', processed: 2, total: 2 });
    expect(await h.stores.index.count({ tenant: TENANT })).toBe(2);
    expect(stderr).toContain('faceblog worker: pack local');

    worker.kill('SIGTERM');
    expect(await exited(worker)).toBe(0);
    expect(stderr).toContain('faceblog worker: SIGTERM, stopping');
  }, 120_000);
});
