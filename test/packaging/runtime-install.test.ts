/**
 * The image's runtime install (scripts/install-runtime-deps.sh, the file the Dockerfile runs) in a
 * scratch folder: it completes with no download outside the npm registry (onnxruntime-node's NuGet
 * fetch is skipped; a proxy that refuses every connection is set for it, so an attempt would fail the
 * install), leaves only this platform's onnxruntime binaries and no test-only package, and the native
 * modules load. It compiles better-sqlite3, so it runs in CI (CI=true) or with FACEBLOG_TEST_PACKAGING=1.
 * Prints the node_modules size (a figure, not an assertion).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { repoRoot } from '../support/fixtures.js';

const run = promisify(execFile);
const enabled = process.env.CI === 'true' || process.env.FACEBLOG_TEST_PACKAGING === '1';

describe.runIf(enabled)('the runtime install of the image', () => {
  let dir: string;
  let output: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'faceblog-runtime-install-'));
    await mkdir(path.join(dir, 'scripts'));
    for (const file of ['package.json', 'package-lock.json', '.npmrc', 'scripts/install-runtime-deps.sh']) {
      await copyFile(path.join(repoRoot, file), path.join(dir, file));
    }
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // onnxruntime-node's installer goes through global-agent: any attempt hits a closed port.
      GLOBAL_AGENT_HTTP_PROXY: 'http://127.0.0.1:9',
      GLOBAL_AGENT_HTTPS_PROXY: 'http://127.0.0.1:9',
      // Compile better-sqlite3 as an offline build does, instead of trying GitHub for a prebuilt binary.
      npm_config_build_from_source: 'true',
    };
    delete env.ONNXRUNTIME_NODE_INSTALL;
    // The npm cache first, the registry only for what it lacks (as the image build reaches it).
    const { stdout, stderr } = await run('sh', ['scripts/install-runtime-deps.sh', '--prefer-offline'], {
      cwd: dir,
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    output = `${stdout}\n${stderr}`;
    console.log(output.split('\n').find((l) => l.startsWith('runtime node_modules:')));
  }, 900_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps only this platform onnxruntime binaries, without the CUDA/TensorRT providers', async () => {
    const bin = path.join(dir, 'node_modules/onnxruntime-node/bin/napi-v6');
    const kept: string[] = [];
    for (const platform of await readdir(bin)) {
      for (const arch of await readdir(path.join(bin, platform))) kept.push(`${platform}/${arch}`);
    }
    expect(kept).toEqual([`${process.platform}/${process.arch}`]);
    const files = await readdir(path.join(bin, process.platform, process.arch));
    expect(files.filter((f) => /providers_(cuda|tensorrt)/.test(f))).toEqual([]);
    expect(output).not.toMatch(/nuget|Downloading/i);
  });

  it('leaves out the development and test-only packages', () => {
    for (const name of [
      'playwright-core',
      'heic-decode',
      'typescript',
      'vitest',
      'eslint',
      'tsx',
      's3rver',
    ]) {
      expect(existsSync(path.join(dir, 'node_modules', name)), name).toBe(false);
    }
  });

  it('loads the native modules and the server plugins', async () => {
    const script = `
      const ort = await import('onnxruntime-node');
      const Database = (await import('better-sqlite3')).default;
      const sharp = (await import('sharp')).default;
      await import('@fastify/swagger-ui');
      const db = new Database(':memory:');
      const one = db.prepare('select 1 as one').get().one;
      const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } }).png().toBuffer();
      console.log(JSON.stringify({ ort: typeof ort.InferenceSession.create, one, png: png.length > 0 }));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
    expect(JSON.parse(stdout)).toEqual({ ort: 'function', one: 1, png: true });
  });
});
