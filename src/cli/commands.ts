/**
 * The commands of `faceblog`, in the order the usage lists them. Each imports what it needs inside `run`,
 * so `--help` and light commands never load the models, the queues or a bot SDK. To add a command,
 * declare a `CliCommand` (src/cli/command.ts) and list it in COMMANDS.
 */
import path from 'node:path';

import type { Logger } from 'pino';

import type { Config } from '../config.js';
import type { PhotoAnalyzer } from '../ports/photo-analyzer.js';
import { type CliCommand, usageError } from './command.js';

const ENVIRONMENT_NOTE =
  'Configuration comes from the environment: `faceblog config` shows what is in effect.';

/** A long-running process: parses the configuration, logs JSON, runs until SIGTERM/SIGINT. */
function service(
  name: string,
  summary: string,
  details: string,
  serviceName: string,
  load: () => Promise<(config: Config, logger: Logger) => Promise<number>>,
): CliCommand {
  return {
    name,
    summary,
    usage: '',
    details: `${details}\n${ENVIRONMENT_NOTE}`,
    async run(_args, context) {
      const config = context.config();
      const { processLogger } = await import('../app/run-until-signal.js');
      const runUntilSignal = await load();
      // Exit explicitly once stopped, as src/main-*.ts do: nothing left open may keep the process alive.
      return process.exit(await runUntilSignal(config, processLogger(config, serviceName)));
    },
  };
}

const album: CliCommand = {
  name: 'album',
  summary: 'Faces, people and a blog post for a folder of photos.',
  usage: '<dir> [--out <dir>] [--threads N]',
  details:
    'Writes album.json, the post and the crops to --out. Exit codes: 0 done, 1 error, 2 bad arguments.',
  options: {
    out: {
      type: 'string',
      short: 'o',
      value: 'dir',
      description: 'output folder (default <dir>/faceblog-out)',
    },
    threads: {
      type: 'string',
      value: 'N',
      description: 'analyzer threads, one core each (default: one thread whose models use every core)',
    },
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, context) {
    const albumDir = positionals[0] ?? '';
    const outDir = typeof values.out === 'string' ? values.out : path.join(albumDir, 'faceblog-out');
    const threads = typeof values.threads === 'string' ? Number(values.threads) : undefined;
    if (threads !== undefined && (!Number.isInteger(threads) || threads < 1))
      throw usageError('album: --threads takes a whole number ≥ 1');
    const config = context.config();
    // Only what reads the folder is loaded before it is read: the models' modules (sharp, onnxruntime)
    // load once there are photos, and the site's while the models load (album-command.ts).
    const { runAlbumCommand } = await import('./album-command.js');
    let analyzer: PhotoAnalyzer | undefined;
    const open = async () => {
      const { openAnalyzer } = await import('./load-models.js');
      return (analyzer = await openAnalyzer(config, context.packageRoot, context.log, threads));
    };
    // The Anthropic SDK (about 0.2 s to load) only when a key asks for Claude.
    const writer = config.anthropic
      ? (await import('../app/post-writer.js')).createPostWriter(config)
      : undefined;
    try {
      return await runAlbumCommand(open, {
        albumDir: path.resolve(albumDir),
        outDir: path.resolve(outDir),
        // Two photos per thread: libvips decodes the next while the models work on the current one.
        concurrency: (threads ?? 1) * 2,
        writer,
        language: config.language,
        log: context.log,
      });
    } finally {
      await analyzer?.close();
    }
  },
};

const faces: CliCommand = {
  name: 'faces',
  summary: 'The faces in some photos: boxes, landmarks, quality, and with --json the embeddings.',
  usage: '<image...> [--json]',
  options: {
    json: {
      type: 'boolean',
      description: 'one JSON document with every face and its embedding (default: a line per face)',
    },
  },
  positionals: { min: 1, max: Number.MAX_SAFE_INTEGER },
  async run({ values, positionals }, context) {
    const config = context.config();
    const { openAnalyzer } = await import('./load-models.js');
    const { facesAsText, runFacesCommand } = await import('./faces-command.js');
    const analyzer = await openAnalyzer(config, context.packageRoot, context.log, 1);
    try {
      const result = await runFacesCommand(analyzer, positionals);
      if (values.json) context.out(JSON.stringify(result));
      else for (const line of facesAsText(result)) context.out(line);
      // Unreadable photos are reported in the output, per photo; the command itself succeeded.
      return 0;
    } finally {
      await analyzer.close();
    }
  },
};

const find: CliCommand = {
  name: 'find',
  summary: 'Who of an album a selfie shows, and their photos: found, unsure or no match.',
  usage: '<selfie> --in <album out dir> [--face N] [--json]',
  details:
    'Answers from the faces.json that `faceblog album` wrote, with the same decision as the chat bots: ' +
    'a person is named with their photos only when the match is sure. A selfie with several faces and ' +
    'none clearly the main one lists them for --face.',
  options: {
    in: { type: 'string', value: 'dir', description: 'an output folder of faceblog album' },
    face: { type: 'string', value: 'N', description: 'which face of the selfie to search with' },
    json: { type: 'boolean', description: 'one JSON document instead of sentences' },
  },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals }, context) {
    if (typeof values.in !== 'string') throw usageError('find: --in <album out dir> is required');
    const face = typeof values.face === 'string' ? Number(values.face) : undefined;
    if (face !== undefined && (!Number.isInteger(face) || face < 0))
      throw usageError('find: --face takes a face number from the list find prints');
    const config = context.config();
    const { openAnalyzer } = await import('./load-models.js');
    const { findText, runFindCommand } = await import('./find-command.js');
    const analyzer = await openAnalyzer(config, context.packageRoot, context.log, 1);
    try {
      const answer = await runFindCommand(analyzer, {
        selfie: positionals[0] ?? '',
        albumOut: path.resolve(values.in),
        face,
      });
      context.out(values.json ? JSON.stringify(answer) : findText(answer));
      return 0;
    } finally {
      await analyzer.close();
    }
  },
};

const worker = service(
  'worker',
  'Run the photo and album queues until SIGTERM/SIGINT.',
  'Health on FACEBLOG_OPS_PORT (/healthz, /readyz, /metrics); scale out by running more workers.',
  'worker',
  async () => (await import('../main-worker.js')).runWorkerUntilSignal,
);
const bot = service(
  'bot',
  'Run the Telegram bot until SIGTERM/SIGINT (docs/telegram.md).',
  'Needs TELEGRAM_BOT_TOKEN. Health on FACEBLOG_OPS_PORT (/healthz, /readyz, /metrics).',
  'bot',
  async () => (await import('../main-bot.js')).runBotUntilSignal,
);
const discord = service(
  'discord',
  'Run the Discord bot until SIGTERM/SIGINT (docs/discord.md).',
  'Needs DISCORD_TOKEN and DISCORD_APPLICATION_ID. Health on FACEBLOG_OPS_PORT (/healthz, /readyz, /metrics).',
  'discord',
  async () => (await import('../main-discord.js')).runDiscordBotUntilSignal,
);
const serve = service(
  'serve',
  'Run the HTTP API until SIGTERM/SIGINT (docs/http-api.md).',
  'Listens on FACEBLOG_HTTP_HOST:FACEBLOG_HTTP_PORT (default 0.0.0.0:8080); the reference is at /docs,\n' +
    'the OpenAPI document at /openapi.json, health at /healthz, /readyz and /metrics.',
  'api',
  async () => (await import('../main-serve.js')).runServeUntilSignal,
);

const apiKey: CliCommand = {
  name: 'api-key',
  summary: 'Create, list or revoke the API keys of the HTTP API.',
  usage: 'create <tenant> [label] | list [tenant] | revoke <id>',
  details: 'Keys are stored hashed in FACEBLOG_DATA_DIR/api-keys.json; a new key is printed once.',
  positionals: { min: 1, max: 3 },
  async run({ positionals }, context) {
    const { runApiKeyCommand } = await import('../http/api-keys.js');
    return runApiKeyCommand(positionals, context.config().dataDir, (line) => {
      context.out(line);
    });
  },
};

const config: CliCommand = {
  name: 'config',
  summary: 'Print the configuration in effect, as JSON, with secrets masked.',
  usage: '',
  details: 'Exits 1 and names the bad variables (never their values) when the environment is invalid.',
  async run(_args, context) {
    const { maskConfig } = await import('../config.js');
    context.out(JSON.stringify(maskConfig(context.config()), null, 2));
    return 0;
  },
};

const healthcheck: CliCommand = {
  name: 'healthcheck',
  summary: "Ask this machine's faceblog process whether it is alive (or, with --ready, ready).",
  usage: '[--ready]',
  details:
    'GETs /healthz (or /readyz) on 127.0.0.1:FACEBLOG_OPS_PORT, or FACEBLOG_HTTP_PORT when no ops port is\n' +
    "set; exit 0 when it answers 200, 1 otherwise. The image's HEALTHCHECK runs it.",
  options: { ready: { type: 'boolean', description: 'check /readyz instead of /healthz' } },
  async run({ values }, context) {
    const c = context.config();
    const port = c.ops.port ?? c.serve.port;
    const url = `http://127.0.0.1:${port}/${values.ready ? 'readyz' : 'healthz'}`;
    try {
      // Docker's default health check timeout is 30 s; an answer slower than 5 s is not healthy.
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      context.out(`${url}: ${response.status}`);
      return response.ok ? 0 : 1;
    } catch (error) {
      context.out(`${url}: ${error instanceof Error ? error.message : String(error)}`);
      return 1;
    }
  },
};

export const COMMANDS: readonly CliCommand[] = [
  album,
  faces,
  find,
  worker,
  bot,
  discord,
  serve,
  apiKey,
  config,
  healthcheck,
];
