/**
 * Every command of the real CLI (node + tsx on src/cli.ts): `--help` prints its help and exits 0 without
 * side effects (no config read, no folder created, no server started), `--version` prints the package
 * version, and an unknown option is one line on stderr with exit 2. Also: bare `faceblog`, an unknown
 * command, `faceblog config` with secrets masked and a bad environment named without values.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { COMMANDS } from '../../src/cli/commands.js';
import { repoRoot } from '../support/fixtures.js';
import { runCli, type CliRun } from '../support/run-cli.js';

/** Runs `make` over `items`, `width` at a time: each run is a node process, and the machine is shared. */
async function inBatches<T, R>(
  items: readonly T[],
  width: number,
  make: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width)
    out.push(...(await Promise.all(items.slice(i, i + width).map(make))));
  return out;
}

describe('faceblog arguments', () => {
  let version: string;
  let dir: string;
  /** An environment that would fail any command that read it, and a data dir that must stay absent. */
  let env: Record<string, string>;
  beforeAll(async () => {
    version = (JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string })
      .version;
    dir = await mkdtemp(path.join(os.tmpdir(), 'faceblog-cli-args-'));
    env = { FACEBLOG_DATA_DIR: path.join(dir, 'data'), WORKER_CONCURRENCY: 'many', FACEBLOG_HTTP_PORT: '1' };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const names = COMMANDS.map((c) => c.name);

  it('lists every command', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'album',
        'faces',
        'worker',
        'bot',
        'discord',
        'serve',
        'api-key',
        'config',
        'healthcheck',
      ]),
    );
  });

  it('--help: the command help on stdout, exit 0, nothing read or started', async () => {
    const runs = await inBatches(names, 4, (name) => runCli([name, '--help'], env));
    for (const [i, run] of runs.entries()) {
      const name = names[i]!;
      expect(run.code, `${name}: ${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: faceblog ${name}\\b`));
      expect(run.stdout).toContain('--help');
      expect(run.stderr).toBe('');
    }
    expect(existsSync(env.FACEBLOG_DATA_DIR!)).toBe(false);
  }, 120_000);

  it('--help wins over a mistake on the same line; `help <command>` is the same help', async () => {
    const [mixed, help, direct, short] = await Promise.all([
      runCli(['album', '--bogus', '--help'], env),
      runCli(['help', 'faces'], env),
      runCli(['faces', '--help'], env),
      runCli(['serve', '-h'], env),
    ]);
    expect(short.code).toBe(0);
    expect(short.stdout).toMatch(/^Usage: faceblog serve/);
    expect(mixed.code).toBe(0);
    expect(mixed.stdout).toMatch(/^Usage: faceblog album/);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(direct.stdout);
    expect(help.stdout).toContain('--json');
  }, 60_000);

  it('--version (and -V): the package version, exit 0', async () => {
    const runs = await inBatches(
      [['--version'], ['-V'], ['worker', '-V'], ...names.map((n) => [n, '--version'])],
      4,
      (args) => runCli(args, env),
    );
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe(`${version}\n`);
    }
  }, 120_000);

  it('an unknown option: one line naming it, exit 2', async () => {
    const runs = await inBatches(names, 4, (name) => runCli([name, '--bogus'], env));
    for (const [i, run] of runs.entries()) {
      const name = names[i]!;
      expect(run.code, `${name}: ${run.stderr}`).toBe(2);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(`${name}: unknown option --bogus`);
      expect(run.stderr).not.toMatch(/TypeError|ERR_PARSE_ARGS|\n\s+at /);
      expect(run.stdout).toBe('');
    }
  }, 120_000);

  it('bad arguments: exit 2 with one line', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['album'], /album needs more arguments/],
      [['album', 'a', 'b'], /album was given too many arguments/],
      [['faces'], /faces needs more arguments/],
      [['serve', 'now'], /serve takes no arguments/],
      [['album', 'dir', '--out'], /album: .*--out/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['--frobnicate'], /unknown option --frobnicate/],
    ];
    const runs = await inBatches(cases, 4, ([args]) => runCli(args, env));
    for (const [i, run] of runs.entries()) {
      const [args, message] = cases[i]!;
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  }, 120_000);

  it('bare faceblog: the overview on stderr, exit 2; --help: on stdout, exit 0', async () => {
    const [bare, help]: [CliRun, CliRun] = await Promise.all([runCli([], env), runCli(['--help'], env)]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe('');
    expect(help.code).toBe(0);
    expect(bare.stderr).toBe(help.stdout);
    for (const name of names) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  }, 60_000);

  it('config: the effective configuration with secrets masked; a bad environment named, not echoed', async () => {
    const [good, bad] = await Promise.all([
      runCli(['config'], {
        TELEGRAM_BOT_TOKEN: '123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ_secret',
        DATABASE_URL: 'postgres://faceblog:pgpass@db:5432/faceblog',
        FACEBLOG_MODEL_PACK: '',
      }),
      runCli(['config'], env),
    ]);
    expect(good.code, good.stderr).toBe(0);
    const shown = JSON.parse(good.stdout) as { modelPack: unknown; telegram: { token: string } };
    expect(shown.modelPack).toBeNull();
    expect(shown.telegram.token).not.toContain('secret');
    expect(good.stdout).not.toContain('pgpass');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('WORKER_CONCURRENCY');
    expect(bad.stderr).not.toContain('many');
  }, 60_000);
});
