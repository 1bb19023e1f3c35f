#!/usr/bin/env node
/**
 * `faceblog <command>`: the commands are declared in src/cli/commands.ts. Exit codes: 0 done, 1 error,
 * 2 bad arguments (an unknown command or option, a missing argument), named in one line on stderr.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { type CliCommand, type CliContext, commandHelp, readArgs, usageError } from './cli/command.js';
import { COMMANDS } from './cli/commands.js';
import { parseConfig, type Config } from './config.js';
import { ErrorCode, isAppError } from './core/errors.js';
import type { Log } from './core/log.js';

/** The package root: dist/cli.js and src/cli.ts both sit one level below it. */
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

const log: Log = (line) => {
  process.stderr.write(/^faceblog( \w+)?: /.test(line) ? `${line}\n` : `faceblog: ${line}\n`);
};

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'faceblog: photo albums in, blog posts and people out',
    '',
    'Usage: faceblog <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    `  ${'help'.padEnd(width)}This text, or a command's help: faceblog help <command>`,
    '',
    'Every command takes --help and --version. Configuration comes from the environment (README.md,',
    '"Environment"); `faceblog config` prints what is in effect. Exit codes: 0 done, 1 error, 2 bad arguments.',
    '',
  ].join('\n');
}

function find(name: string): CliCommand {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw usageError(`unknown command "${name}" (see faceblog --help)`);
  return command;
}

async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  const out = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  if (first === undefined) {
    // No command is a usage mistake: the overview goes where errors go.
    process.stderr.write(overview());
    return 2;
  }
  if (first === '--help' || first === '-h') {
    out(overview());
    return 0;
  }
  if (first === '--version' || first === '-V') {
    out(packageVersion());
    return 0;
  }
  if (first === 'help') {
    if (rest.length > 1) throw usageError('help takes at most one command: faceblog help <command>');
    out(rest[0] === undefined ? overview() : commandHelp(find(rest[0])));
    return 0;
  }
  if (first.startsWith('-')) throw usageError(`unknown option ${first} (see faceblog --help)`);
  const command = find(first);
  const read = readArgs(command, rest);
  if (read.kind === 'help') {
    out(commandHelp(command));
    return 0;
  }
  if (read.kind === 'version') {
    out(packageVersion());
    return 0;
  }
  let config: Config | null = null;
  const context: CliContext = {
    config: () => (config ??= parseConfig(process.env, packageRoot)),
    packageRoot,
    get version() {
      return packageVersion();
    },
    log,
    out: (line) => {
      out(line);
    },
  };
  return command.run(read.args, context);
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
