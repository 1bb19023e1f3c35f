/**
 * The real processes of a deployment, started as users start them: `node --import tsx src/main-bot.ts`
 * and `node --import tsx src/main-worker.ts`, configured only by environment variables. Their stderr
 * is kept for the failure message of a test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

import { repoRoot } from '../../../support/fixtures.js';

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stderr and stdout so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null when killed). */
  stop(graceMs?: number): Promise<number | null>;
}

export function startProcess(name: string, entry: string, env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return {
    name,
    child,
    output: () => out,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      return child.exitCode;
    },
  };
}
