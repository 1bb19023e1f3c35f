/**
 * The life of a long-running process (worker, bots, HTTP API): start, run until SIGTERM or SIGINT, stop
 * gracefully. Shared by the entry points and the CLI commands that run them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Logger } from 'pino';

import { parseConfig, type Config } from '../config.js';
import { describeError } from '../core/errors.js';
import type { Log } from '../core/log.js';
import { createLogger, lineLog } from '../ops/logger.js';

/**
 * Starts a service; resolves with the function that stops it. A service that can die on its own (a bot
 * whose token was revoked, or a second poller taking its updates) sets `fatal` on that function: a
 * promise that rejects when it happens, so the process ends non-zero and its supervisor restarts it.
 */
export type StopService = (() => Promise<void>) & { fatal?: Promise<never> };
export type StartService = () => Promise<StopService>;

/**
 * Starts, waits for SIGTERM or SIGINT (or the service's fatal error), then stops; resolves with the exit
 * code (0 after a clean stop on a signal, 2 after a fatal error, 1 when stopping failed). Repeated signals during the stop are ignored: the service's own grace period
 * bounds it, and Docker follows up with SIGKILL anyway. `name` prefixes the log lines.
 */
export async function runUntilSignal(name: string, start: StartService, log: Log): Promise<number> {
  const stop = await start();
  const ignore = () => undefined;
  let onSignal: (received: NodeJS.Signals) => void = ignore;
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (received: NodeJS.Signals) => {
      resolve(received);
    };
    process.on('SIGTERM', onSignal).on('SIGINT', onSignal);
  });
  const ended = await Promise.race([
    signalled.then((signal) => ({ signal, error: null })),
    (stop.fatal ?? new Promise<never>(() => undefined)).catch((error: unknown) => ({
      signal: null,
      error,
    })),
  ]);
  process.off('SIGTERM', onSignal).off('SIGINT', onSignal);
  process.on('SIGTERM', ignore).on('SIGINT', ignore);
  if (ended.signal) log(`${name}: ${ended.signal}, stopping (work in progress finishes first)`);
  else log(`${name}: cannot go on: ${describeError(ended.error).message}; stopping`);
  try {
    await stop();
    return ended.signal ? 0 : 2;
  } catch (error) {
    log(`${name}: shutdown failed: ${describeError(error).message}`);
    return 1;
  } finally {
    process.off('SIGTERM', ignore).off('SIGINT', ignore);
  }
}

/** The JSON logger of a long-running process: level from the config, `service` on every line. */
export function processLogger(config: Config, service: string): Logger {
  return createLogger({ level: config.logLevel, base: { service } });
}

/**
 * When the module at `moduleUrl` is the script node was started with, parses the configuration once,
 * makes the process's logger, runs `run` and exits with its code. Exits explicitly: a timer or a client a
 * dependency forgot to close must not keep a stopped process alive. `service` names the process in
 * every log line (`worker`, `bot`, `discord`, `api`).
 */
export function runAsMain(
  moduleUrl: string,
  service: string,
  run: (config: Config, logger: Logger) => Promise<number>,
): void {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  // src/main-*.ts and dist/main-*.js sit one level below the package root.
  const packageRoot = path.resolve(path.dirname(fileURLToPath(moduleUrl)), '..');
  let config: Config;
  try {
    config = parseConfig(process.env, packageRoot);
  } catch (error) {
    const { code, message } = describeError(error);
    process.stderr.write(`faceblog ${service}: ${code}: ${message}\n`);
    process.exit(1);
  }
  const logger = processLogger(config, service);
  run(config, logger).then(
    (code) => process.exit(code),
    (error: unknown) => {
      const { code, message } = describeError(error);
      lineLog(logger)(`faceblog ${service}: ${message}`, { level: 'error', code });
      process.exit(1);
    },
  );
}
