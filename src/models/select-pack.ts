import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { AppError, ErrorCode } from '../core/errors.js';
import { packFiles, resolvePack, type Manifest, type ResolvedPack } from '../core/manifest.js';
import {
  checkFile,
  createHashCache,
  type CheckMode,
  type HashCache,
  type Log,
  type ManifestFile,
} from './fetch.js';
import { displayPath, SELECTED_PACK_FILE } from './paths.js';

/** How the pack was chosen: named in the environment, saved by `npm run models`, or picked here. */
export type PackChoiceVia = 'env' | 'saved' | 'default' | 'mirror' | 'download';

export interface PackChoice {
  readonly pack: ResolvedPack;
  readonly via: PackChoiceVia;
  /** Why, in words, for the log line. */
  readonly reason: string;
}

export interface SelectPackOptions {
  readonly manifest: Manifest;
  readonly modelsDir: string;
  readonly mirrorDir: string | null;
  /** FACEBLOG_MODEL_PACK; wins over everything. */
  readonly packEnv?: string | null | undefined;
  /** No downloads: the default pack is chosen only when its files are already here. */
  readonly offline: boolean;
  /** `sha256` at fetch time (default); `size` at run time, where hashing every start would be slow. */
  readonly check?: CheckMode;
  readonly hashes?: HashCache;
  /** Receives the "using model pack" line (the CLI sends it to stderr). */
  readonly log?: Log;
}

/** The pack named `name`, or an error that lists the packs the manifest has. */
export function namedPack(manifest: Manifest, name: string, source: string): ResolvedPack {
  if (!(name in manifest.packs)) {
    const known = Object.keys(manifest.packs);
    throw new AppError(
      ErrorCode.UnknownModelPack,
      `unknown model pack "${name}" (from ${source}); the manifest has: ${known.join(', ')}`,
      { pack: name, known, source },
    );
  }
  return resolvePack(manifest, name);
}

/** Files of `pack` found neither in the models dir nor in the mirror (checked by `mode`). */
export async function missingPackFiles(
  pack: ResolvedPack,
  dirs: ReadonlyArray<string>,
  mode: CheckMode,
  hashes: HashCache,
): Promise<ManifestFile[]> {
  const files = packFiles(pack);
  // Sizes first for every file, so an incomplete pack is ruled out without hashing anything.
  const bySize = await Promise.all(files.map((f) => locate(f, dirs, 'size', hashes)));
  const missingBySize = files.filter((_, i) => !bySize[i]);
  if (missingBySize.length > 0 || mode === 'size') return missingBySize;
  const missing: ManifestFile[] = [];
  for (const f of files) if (!(await locate(f, dirs, 'sha256', hashes))) missing.push(f);
  return missing;
}

async function locate(
  entry: ManifestFile,
  dirs: ReadonlyArray<string>,
  mode: CheckMode,
  hashes: HashCache,
): Promise<boolean> {
  for (const dir of dirs) {
    if ((await checkFile(path.join(dir, entry.file), entry, mode, hashes)) === 'ok') return true;
  }
  return false;
}

/**
 * Which pack to use: FACEBLOG_MODEL_PACK when set; else the default pack when its files are in the
 * models dir or the mirror; else the best complete pack there (lowest `rank`); else the default pack
 * by download. Logs the choice and the reason.
 */
export async function selectPack(opts: SelectPackOptions): Promise<PackChoice> {
  const choice = await choosePack(opts);
  opts.log?.(`faceblog: using model pack '${choice.pack.name}' (${choice.reason})`);
  return choice;
}

async function choosePack(opts: SelectPackOptions): Promise<PackChoice> {
  const { manifest } = opts;
  if (opts.packEnv) {
    return {
      pack: namedPack(manifest, opts.packEnv, 'FACEBLOG_MODEL_PACK'),
      via: 'env',
      reason: `FACEBLOG_MODEL_PACK=${opts.packEnv}`,
    };
  }
  const mode = opts.check ?? 'sha256';
  const hashes = opts.hashes ?? createHashCache();
  const dirs = [opts.modelsDir, ...(opts.mirrorDir === null ? [] : [opts.mirrorDir])];
  const places =
    opts.mirrorDir === null
      ? `${displayPath(opts.modelsDir)} (no mirror)`
      : `${displayPath(opts.modelsDir)} or the mirror ${displayPath(opts.mirrorDir)}`;

  const defaultName = manifest.defaultPack;
  const defaultPack = resolvePack(manifest, defaultName);
  const defaultMissing = await missingPackFiles(defaultPack, dirs, mode, hashes);
  if (defaultMissing.length === 0) {
    return { pack: defaultPack, via: 'default', reason: `default pack, found in ${places}` };
  }

  const candidates = Object.entries(manifest.packs)
    .filter(([name]) => name !== defaultName)
    .sort(([a, pa], [b, pb]) => pa.rank - pb.rank || a.localeCompare(b));
  for (const [name] of candidates) {
    const pack = resolvePack(manifest, name);
    if ((await missingPackFiles(pack, dirs, mode, hashes)).length === 0) {
      return {
        pack,
        via: 'mirror',
        reason: `default pack ${defaultName} is not in ${places}; ${name} is the best complete pack there`,
      };
    }
  }

  const missingList = defaultMissing.map((f) => f.file).join(', ');
  if (opts.offline) {
    throw new AppError(
      ErrorCode.NoModelPack,
      `no model pack is available offline: the default pack ${defaultName} lacks ${missingList} ` +
        `(not in ${places}) and no other pack is complete there; run \`npm run models\` without ` +
        `FACEBLOG_OFFLINE=1 to download it, or set FACEBLOG_MODEL_MIRROR to a folder of model files`,
      { pack: defaultName, missing: defaultMissing.map((f) => f.file), dirs },
    );
  }
  return {
    pack: defaultPack,
    via: 'download',
    reason: `default pack; ${missingList} not in ${places}, so they will be downloaded`,
  };
}

interface SavedSelection {
  readonly pack: string;
  readonly reason: string;
}

/** Remembers the chosen pack for run-time commands that find no FACEBLOG_MODEL_PACK. */
export async function writeSelectedPack(modelsDir: string, choice: PackChoice): Promise<string> {
  const file = path.join(modelsDir, SELECTED_PACK_FILE);
  const saved: SavedSelection & { selectedAt: string } = {
    pack: choice.pack.name,
    reason: choice.reason,
    selectedAt: new Date().toISOString(),
  };
  const tmp = `${file}.part-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(saved, null, 2)}\n`);
  await rename(tmp, file);
  return file;
}

/** The pack name saved by `npm run models`, or null when there is none (or it is unreadable). */
export async function readSelectedPack(modelsDir: string): Promise<string | null> {
  try {
    const json = JSON.parse(await readFile(path.join(modelsDir, SELECTED_PACK_FILE), 'utf8')) as unknown;
    if (typeof json === 'object' && json !== null && 'pack' in json && typeof json.pack === 'string') {
      return json.pack;
    }
    return null;
  } catch {
    return null;
  }
}

export interface RuntimePackOptions {
  readonly manifest: Manifest;
  readonly modelsDir: string;
  readonly mirrorDir: string | null;
  readonly packEnv?: string | null | undefined;
  readonly log?: Log;
}

export interface RuntimePack {
  readonly pack: ResolvedPack;
  /** The folder that holds every file of the pack: the models dir, or the mirror when only it does. */
  readonly modelsDir: string;
  readonly reason: string;
}

/**
 * The pack a run-time command uses: FACEBLOG_MODEL_PACK, else what `npm run models` saved, else the
 * same choice `npm run models` would make without downloading. Checks that the files exist with the
 * manifest's sizes (sha256 was verified at fetch time; hashing 200 MB on every start would be slow).
 */
export async function resolveRuntimePack(opts: RuntimePackOptions): Promise<RuntimePack> {
  const { manifest, modelsDir, mirrorDir } = opts;
  const savedFile = path.join(modelsDir, SELECTED_PACK_FILE);
  const saved = opts.packEnv ? null : await readSelectedPack(modelsDir);
  let choice: PackChoice;
  if (saved !== null && saved in manifest.packs) {
    choice = {
      pack: resolvePack(manifest, saved),
      via: 'saved',
      reason: `chosen by npm run models, ${displayPath(savedFile)}`,
    };
    opts.log?.(`faceblog: using model pack '${saved}' (${choice.reason})`);
  } else {
    if (saved !== null && !(saved in manifest.packs)) {
      opts.log?.(`faceblog: ignoring ${displayPath(savedFile)}: the manifest has no pack "${saved}"`);
    }
    choice = await selectPack({
      manifest,
      modelsDir,
      mirrorDir,
      packEnv: opts.packEnv,
      offline: true,
      check: 'size',
      ...(opts.log ? { log: opts.log } : {}),
    });
  }

  const hashes = createHashCache();
  const dirs = [modelsDir, ...(mirrorDir === null ? [] : [mirrorDir])];
  for (const dir of dirs) {
    if ((await missingPackFiles(choice.pack, [dir], 'size', hashes)).length === 0) {
      return { pack: choice.pack, modelsDir: dir, reason: choice.reason };
    }
  }
  const missing = await missingPackFiles(choice.pack, [modelsDir], 'size', hashes);
  const where =
    mirrorDir === null
      ? displayPath(modelsDir)
      : `${displayPath(modelsDir)} (nor all of them in the mirror ${displayPath(mirrorDir)})`;
  throw new AppError(
    ErrorCode.ModelMissing,
    `model pack '${choice.pack.name}' is incomplete: ${missing
      .map((f) => `${f.file} (sha256 ${f.sha256}, ${f.size} bytes)`)
      .join(', ')} missing or of the wrong size in ${where}; run \`npm run models\``,
    { pack: choice.pack.name, missing: missing.map((f) => f.file), modelsDir, mirrorDir },
  );
}
