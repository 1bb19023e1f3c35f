#!/usr/bin/env node
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { createPostWriter } from './app/post-writer.js';
import { runAlbumCommand } from './cli/album-command.js';
import { runFacesCommand } from './cli/faces-command.js';
import { findText, runFindCommand } from './cli/find-command.js';
import { openAnalyzer } from './cli/load-models.js';
import { parseConfig } from './config.js';
import { AppError, ErrorCode, isAppError } from './core/errors.js';

const USAGE = `faceblog: photo albums in, blog posts and people out

Usage:
  faceblog album <dir> --out <dir> [--threads N]       faces, people and a blog for a folder of photos
  faceblog faces <image...> --json                      faces with boxes, landmarks, quality, embeddings
  faceblog find <selfie> --in <album out> [--face N] [--json]   who of that album the selfie is, and their photos
  faceblog worker                                       run the photo and album queues until SIGTERM/SIGINT
  faceblog bot                                          run the Telegram bot until SIGTERM/SIGINT (docs/telegram.md)
  faceblog discord                                      run the Discord bot until SIGTERM/SIGINT (docs/discord.md)
  faceblog serve                                        HTTP API (docs/http-api.md) until SIGTERM/SIGINT
  faceblog api-key create <tenant> [label] | list [tenant] | revoke <id>
  faceblog help

Environment: FACEBLOG_MODEL_PACK, FACEBLOG_MODEL_MIRROR, FACEBLOG_MODELS_DIR, FACEBLOG_DATA_DIR, FACEBLOG_OFFLINE,
ANTHROPIC_API_KEY, ANTHROPIC_MODEL, ANTHROPIC_BASE_URL.
worker also: REDIS_URL, FACEBLOG_QUEUE_PREFIX, WORKER_CONCURRENCY, WORKER_LOCK_MS, WORKER_STALLED_MS, and
S3_ENDPOINT (+ S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET, S3_REGION), QDRANT_URL (+ QDRANT_API_KEY), DATABASE_URL;
the stores not named live under FACEBLOG_DATA_DIR.
`;

/** The package root: dist/cli.js and src/cli.ts both sit one level below it. */
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string) =>
  process.stderr.write(/^faceblog( \w+)?: /.test(line) ? `${line}\n` : `faceblog: ${line}\n`);

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  const config = parseConfig(process.env, packageRoot);
  switch (command) {
    case 'album': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { out: { type: 'string', short: 'o' }, threads: { type: 'string' } },
      });
      const albumDir = positionals[0];
      if (!albumDir || positionals.length > 1)
        throw usage('album needs one folder: faceblog album <dir> --out <dir>');
      const outDir = values.out ?? path.join(albumDir, 'faceblog-out');
      const threads = Number(values.threads ?? availableParallelism());
      if (!Number.isInteger(threads) || threads < 1) throw usage('--threads takes a whole number ≥ 1');
      const analyzer = await openAnalyzer(config, packageRoot, log, threads);
      try {
        return await runAlbumCommand(analyzer, {
          albumDir: path.resolve(albumDir),
          outDir: path.resolve(outDir),
          // Two photos per thread: libvips decodes the next while the models work on the current one.
          concurrency: threads * 2,
          writer: createPostWriter(config),
          log,
        });
      } finally {
        await analyzer.close();
      }
    }
    case 'faces': {
      const { positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { json: { type: 'boolean' } },
      });
      if (positionals.length === 0)
        throw usage('faces needs at least one image: faceblog faces <image...> --json');
      const analyzer = await openAnalyzer(config, packageRoot, log, 1);
      try {
        process.stdout.write(JSON.stringify(await runFacesCommand(analyzer, positionals)) + '\n');
      } finally {
        await analyzer.close();
      }
      return 0;
    }
    case 'find': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { in: { type: 'string' }, face: { type: 'string' }, json: { type: 'boolean' } },
      });
      const selfie = positionals[0];
      if (!selfie || positionals.length > 1 || !values.in)
        throw usage('find needs a selfie and an album folder: faceblog find <selfie> --in <album out dir>');
      const face = values.face === undefined ? undefined : Number(values.face);
      if (face !== undefined && (!Number.isInteger(face) || face < 0))
        throw usage('--face takes a face number from the list find prints');
      const analyzer = await openAnalyzer(config, packageRoot, log, 1);
      try {
        const answer = await runFindCommand(analyzer, { selfie, albumOut: path.resolve(values.in), face });
        process.stdout.write(`${values.json ? JSON.stringify(answer) : findText(answer)}\n`);
      } finally {
        await analyzer.close();
      }
      return 0;
    }
    case 'worker': {
      if (rest.length > 0) throw usage('worker takes no arguments; it reads the environment');
      // Loaded here: the queue clients and store adapters are not needed by the other commands.
      const { runWorkerUntilSignal } = await import('./main-worker.js');
      // Exit explicitly once stopped, as src/main-worker.ts does: nothing left open may keep it alive.
      return process.exit(await runWorkerUntilSignal(process.env, log));
    }
    case 'bot': {
      if (rest.length > 0) throw usage('bot takes no arguments; it reads the environment');
      const { runBotUntilSignal } = await import('./main-bot.js');
      return process.exit(await runBotUntilSignal(process.env, log));
    }
    case 'discord': {
      if (rest.length > 0) throw usage('discord takes no arguments; it reads the environment');
      // Loaded here: keeps discord.js out of the other commands.
      const { runDiscordBotUntilSignal } = await import('./main-discord.js');
      return process.exit(await runDiscordBotUntilSignal(process.env, log));
    }
    case 'serve': {
      // Loaded here: keeps Fastify out of the other commands.
      const { runServeUntilSignal } = await import('./main-serve.js');
      return process.exit(await runServeUntilSignal(process.env, log));
    }
    case 'api-key': {
      const { runApiKeyCommand } = await import('./http/api-keys.js');
      return runApiKeyCommand(rest, config.dataDir, (line) => process.stdout.write(`${line}\n`));
    }
    default:
      throw usage(`unknown command "${command}"\n\n${USAGE}`);
  }
}

function usage(message: string): AppError {
  return new AppError(ErrorCode.BadArguments, message);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (isAppError(error)) log(`${error.message} (${error.code})`);
    else log(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = isAppError(error) && error.code === ErrorCode.BadArguments ? 2 : 1;
  },
);
