/**
 * How a CLI command is declared and how its arguments are read. Every command gets the same behaviour
 * for free: `--help`/`-h` prints its help and exits 0 before anything else happens (no configuration
 * read, no model loaded, no server started), `--version`/`-V` prints the version, and an unknown option,
 * a missing value or a wrong number of arguments is one line on stderr and exit 2.
 *
 * Adding a command: write a `CliCommand` (name, summary, usage, options with descriptions, positional
 * bounds, `run`) and list it in src/cli/commands.ts. Import heavy modules inside `run` so that `--help`
 * and the other commands stay fast.
 */
import { parseArgs } from 'node:util';

import type { Config } from '../config.js';
import { AppError, ErrorCode } from '../core/errors.js';
import type { Log } from '../core/log.js';

export interface CliOption {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Shown in the help: `--out <dir>`. */
  readonly value?: string;
  readonly description: string;
}

export interface CliContext {
  /** The configuration from the environment, parsed on first use (once per process). */
  config(): Config;
  readonly packageRoot: string;
  readonly version: string;
  /** Progress and diagnostics: stderr. */
  readonly log: Log;
  /** The command's output: stdout, one line per call. */
  out(line: string): void;
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

export interface CliCommand {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** What follows the command name in the usage line, e.g. `<dir> [--out <dir>]`. */
  readonly usage: string;
  /** More help, shown under the usage (environment, examples). */
  readonly details?: string;
  readonly options?: Readonly<Record<string, CliOption>>;
  /** How many positional arguments the command takes (default none). */
  readonly positionals?: { readonly min: number; readonly max: number };
  /** Runs with checked arguments; resolves with the exit code. */
  run(args: ParsedArgs, context: CliContext): Promise<number>;
}

/** Every command understands these; they win over everything else on the line. */
const COMMON_OPTIONS: Readonly<Record<string, CliOption>> = {
  help: { type: 'boolean', short: 'h', description: 'show this help and exit' },
  version: { type: 'boolean', short: 'V', description: 'print the version and exit' },
};

export function usageError(message: string): AppError {
  return new AppError(ErrorCode.BadArguments, message);
}

export type ReadArgs =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'run'; readonly args: ParsedArgs };

/** Reads a command's arguments; throws a BadArguments AppError (exit 2) naming what is wrong. */
export function readArgs(command: CliCommand, argv: readonly string[]): ReadArgs {
  const options = { ...command.options, ...COMMON_OPTIONS };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [
          name,
          { type: o.type, ...(o.short ? { short: o.short } : {}) },
        ]),
      ),
    });
  } catch (error) {
    // Asking for help beats any mistake on the same line.
    if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
    throw usageError(`${command.name}: ${argumentProblem(error)} (see faceblog ${command.name} --help)`);
  }
  if (parsed.values.help) return { kind: 'help' };
  if (parsed.values.version) return { kind: 'version' };
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  const n = parsed.positionals.length;
  if (n < min || n > max) {
    const wanted =
      max === 0 ? 'takes no arguments' : n < min ? 'needs more arguments' : 'was given too many arguments';
    throw usageError(
      `${command.name} ${wanted}: faceblog ${command.name} ${command.usage} (see --help)`.replace(/ +/g, ' '),
    );
  }
  // No option is declared `multiple`, so every value is a string or a boolean.
  const values = parsed.values as Record<string, string | boolean | undefined>;
  return { kind: 'run', args: { values, positionals: parsed.positionals } };
}

/** Node's parseArgs messages are long and suggest `--`; keep the part a person needs. */
function argumentProblem(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(e.message ?? '')?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return (e.message ?? 'invalid option value').split('.')[0] ?? 'invalid option value';
    default:
      return e.message ?? String(error);
  }
}

/** The help of one command: usage, what it does, its options. */
export function commandHelp(command: CliCommand): string {
  const options = { ...command.options, ...COMMON_OPTIONS };
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` <${o.value}>` : ''}`;
    return `  ${flag.padEnd(26)} ${o.description}`;
  });
  return [
    `Usage: faceblog ${command.name} ${command.usage}`.trimEnd(),
    '',
    command.summary,
    ...(command.details ? ['', command.details.trimEnd()] : []),
    '',
    'Options:',
    ...rows,
    '',
  ].join('\n');
}
