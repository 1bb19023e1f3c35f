/**
 * The life of a long-running process (worker, bots, HTTP API): start, run until SIGTERM or SIGINT, stop
 * gracefully. Shared by the entry points and the CLI commands that run them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describeError } from '../core/errors.js';

/** Starts a service; resolves with the function that stops it. */
export type StartService = () => Promise<() => Promise<void>>;

/**
 * Starts, waits for SIGTERM or SIGINT, then stops; resolves with the exit code (0 after a clean stop,
 * 1 when stopping failed). Repeated signals during the stop are ignored: the service's own grace period
 * bounds it, and Docker follows up with SIGKILL anyway. `name` prefixes the log lines.
 */
export async function runUntilSignal(
  name: string,
  start: StartService,
  log: (line: string) => void,
): Promise<number> {
  const stop = await start();
  const ignore = () => undefined;
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (received: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
      process.on('SIGTERM', ignore).on('SIGINT', ignore);
      resolve(received);
    };
    process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  });
  log(`${name}: ${signal}, stopping (work in progress finishes first)`);
  try {
    await stop();
    return 0;
  } catch (error) {
    log(`${name}: shutdown failed: ${describeError(error).message}`);
    return 1;
  } finally {
    process.off('SIGTERM', ignore).off('SIGINT', ignore);
  }
}

/**
 * When the module at `moduleUrl` is the script node was started with, runs `run` and exits with its code.
 * Exits explicitly: a timer or a client a dependency forgot to close must not keep a stopped process alive.
 */
export function runAsMain(
  moduleUrl: string,
  name: string,
  run: (log: (line: string) => void) => Promise<number>,
): void {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  const log = (line: string) => {
    process.stderr.write(`${line}\n`);
  };
  run(log).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const { code, message } = describeError(error);
      log(`${name}: ${code}: ${message}`);
      process.exit(1);
    },
  );
}
