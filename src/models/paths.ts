import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Config } from '../config.js';
import { AppError, ErrorCode } from '../core/errors.js';
import { parseManifest, type Manifest } from '../core/manifest.js';

/** Written by `npm run models` into the models directory; read at run time when no pack is named. */
export const SELECTED_PACK_FILE = 'selected-pack.json';

/** The checkout root: src/models (tsx) and dist/models (built) both sit two levels below it. */
export function repoRootFromModule(moduleUrl: string = import.meta.url): string {
  return path.resolve(path.dirname(fileURLToPath(moduleUrl)), '../..');
}

export function manifestPath(repoRoot: string): string {
  return path.join(repoRoot, 'models', 'manifest.json');
}

export function defaultModelsDir(repoRoot: string): string {
  return path.join(repoRoot, 'models');
}

/** `../shared/models` beside the checkout (how CI lays out its offline models), when that folder exists. */
export function defaultMirrorDir(repoRoot: string): string | null {
  const dir = path.resolve(repoRoot, '..', 'shared', 'models');
  return existsSync(dir) ? dir : null;
}

export interface ModelSettings {
  /** Where the pack's files must end up (FACEBLOG_MODELS_DIR, default `<repo>/models`). */
  readonly modelsDir: string;
  /** Folder of ready model files to copy from (FACEBLOG_MODEL_MIRROR, default `../shared/models`), or null. */
  readonly mirrorDir: string | null;
  /** FACEBLOG_MODEL_PACK, when set and not empty. */
  readonly packEnv: string | undefined;
  /** FACEBLOG_OFFLINE=1: never download. */
  readonly offline: boolean;
}

/** The model settings of the configuration (parsed once by the entry point, src/config.ts). */
export function modelSettings(
  config: Pick<Config, 'modelsDir' | 'modelMirror' | 'modelPack' | 'offline'>,
  repoRoot: string,
): ModelSettings {
  return {
    modelsDir: config.modelsDir,
    mirrorDir: config.modelMirror ?? defaultMirrorDir(repoRoot),
    packEnv: config.modelPack ?? undefined,
    offline: config.offline,
  };
}

export async function loadManifestFile(file: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError(ErrorCode.BadManifest, `cannot read the model manifest ${file}`, { file }, error);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError(ErrorCode.BadManifest, `${file} is not valid JSON`, { file }, error);
  }
  return parseManifest(json);
}

/**
 * A path as a person would type it from the current directory (`./models`, `../shared/models`), or the
 * absolute path when the relative one would climb more than two levels.
 */
export function displayPath(p: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, p);
  if (rel === '') return '.';
  if (path.isAbsolute(rel)) return p;
  const ups = rel.split(path.sep).filter((part) => part === '..').length;
  if (ups > 2) return p;
  return rel.startsWith('..') ? rel : `.${path.sep}${rel}`;
}
