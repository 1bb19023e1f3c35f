import path from 'node:path';

import { z } from 'zod';

import { AppError, ErrorCode } from './core/errors.js';

/** Everything the entry points read from the environment, parsed once and passed down in slices. */
export interface Config {
  /** FACEBLOG_MODEL_PACK: a pack name from models/manifest.json; unset = choose automatically. */
  readonly modelPack: string | null;
  /** FACEBLOG_MODELS_DIR: where model files live (default `<package>/models`). */
  readonly modelsDir: string;
  /** FACEBLOG_MODEL_MIRROR: a folder holding model files to copy instead of downloading. */
  readonly modelMirror: string | null;
  /** FACEBLOG_DATA_DIR: blobs, index and metadata of the embedded setup (default ./data). */
  readonly dataDir: string;
  /** FACEBLOG_OFFLINE=1: never download. */
  readonly offline: boolean;
  /** FACEBLOG_LANGUAGE: the language posts are written in (e.g. de); null = the senders' language, else en. */
  readonly language: string | null;
  /** ANTHROPIC_API_KEY (+ ANTHROPIC_MODEL, ANTHROPIC_BASE_URL): write posts with Claude; null = offline writer. */
  readonly anthropic: {
    readonly apiKey: string;
    readonly model: string;
    readonly baseURL: string | null;
  } | null;
}

/** A current, fast model that reads images; override with ANTHROPIC_MODEL. */
const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-4-5';

const envSchema = z.object({
  FACEBLOG_MODEL_PACK: z.string().min(1).optional(),
  FACEBLOG_MODELS_DIR: z.string().min(1).optional(),
  FACEBLOG_MODEL_MIRROR: z.string().min(1).optional(),
  FACEBLOG_DATA_DIR: z.string().min(1).optional(),
  FACEBLOG_OFFLINE: z.enum(['0', '1', 'true', 'false', '']).optional(),
  /** A BCP 47 tag such as de, pt-BR; empty means unset. */
  FACEBLOG_LANGUAGE: z
    .string()
    .regex(/^([A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*)?$/)
    .optional(),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_MODEL: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url().optional(),
});

export function parseConfig(env: Readonly<Record<string, string | undefined>>, packageRoot: string): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Name the variables, never echo their values.
    const names = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new AppError(ErrorCode.BadConfig, `invalid environment variables: ${names}`);
  }
  const e = parsed.data;
  return {
    modelPack: e.FACEBLOG_MODEL_PACK ?? null,
    modelsDir: path.resolve(e.FACEBLOG_MODELS_DIR ?? path.join(packageRoot, 'models')),
    modelMirror: e.FACEBLOG_MODEL_MIRROR ? path.resolve(e.FACEBLOG_MODEL_MIRROR) : null,
    dataDir: path.resolve(e.FACEBLOG_DATA_DIR ?? 'data'),
    offline: e.FACEBLOG_OFFLINE === '1' || e.FACEBLOG_OFFLINE === 'true',
    language: e.FACEBLOG_LANGUAGE ? e.FACEBLOG_LANGUAGE : null,
    anthropic: e.ANTHROPIC_API_KEY
      ? {
          apiKey: e.ANTHROPIC_API_KEY,
          model: e.ANTHROPIC_MODEL ?? DEFAULT_ANTHROPIC_MODEL,
          baseURL: e.ANTHROPIC_BASE_URL ?? null,
        }
      : null,
  };
}
