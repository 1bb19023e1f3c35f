/**
 * Reading configuration from the environment: the part every config parser (worker, HTTP API, bots)
 * shares, so they treat empty variables and report bad ones alike.
 */
import type { z } from 'zod';

import { AppError, ErrorCode } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the variables of `env` that are set with `schema`. Empty variables (as compose files often
 * leave them) mean "not set". A failure is a BadConfig AppError that names the variables and never
 * echoes their values, which may hold secrets; `problem` words it ("invalid" unless given).
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Env, problem = 'invalid'): z.output<S> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const names = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))].join(', ');
    throw new AppError(ErrorCode.BadConfig, `${problem} environment variables: ${names}`);
  }
  return parsed.data;
}
