/**
 * Reading configuration from the environment: empty variables mean "not set", and a bad one is named
 * with what it should be, never with its value (which may be a secret).
 */
import type { z } from 'zod';

import { AppError, ErrorCode } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The variables of `env` that are set. Empty or blank values (compose files leave `VAR:` or `VAR=""`
 * when the shell variable is unset) count as not set, for every variable alike.
 */
export function presentVariables(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') out[key] = value;
  }
  return out;
}

/**
 * Parses the variables of `env` that are set with `schema`. A failure is a BadConfig AppError that names
 * each bad variable and what it should be (`expected`), and never echoes a value.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Env,
  expected: Readonly<Record<string, string>> = {},
): z.output<S> {
  const parsed = schema.safeParse(presentVariables(env));
  if (parsed.success) return parsed.data;
  const names = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || i.message))];
  const detail = names.map((name) => (expected[name] ? `${name} (${expected[name]})` : name)).join(', ');
  throw new AppError(ErrorCode.BadConfig, `invalid environment variables: ${detail}`, { variables: names });
}
