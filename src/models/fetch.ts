import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import AdmZip from 'adm-zip';

import { AppError, ErrorCode } from '../core/errors.js';
import type { ModelFile } from '../core/manifest.js';
import { displayPath } from './paths.js';

/** One line of progress or explanation; the CLI sends these to stderr. */
export type Log = (line: string) => void;

/** What a model file must be; the manifest's `sha256` and `size`. */
export interface ExpectedFile {
  readonly file: string;
  readonly sha256: string;
  readonly size: number;
}

export type ManifestFile = ModelFile & { readonly id: string };

/** `sha256` reads every byte (fetch time); `size` only stats (run time, cheap). */
export type CheckMode = 'sha256' | 'size';

export type FileState = 'ok' | 'missing' | 'wrong-size' | 'wrong-hash';

/** Streams the file through SHA-256: model files reach 174 MB (w600k_r50), never hold one in memory. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Remembers hashes by path, size and mtime so choosing a pack and fetching it read each file once. */
export interface HashCache {
  sha256(file: string): Promise<string>;
}

export function createHashCache(): HashCache {
  const known = new Map<string, { key: string; hash: Promise<string> }>();
  return {
    async sha256(file) {
      const info = await stat(file);
      const key = `${info.size}:${info.mtimeMs}`;
      const hit = known.get(file);
      if (hit?.key === key) return hit.hash;
      const hash = sha256File(file);
      known.set(file, { key, hash });
      hash.catch(() => known.delete(file));
      return hash;
    },
  };
}

/** Whether `file` is the expected model file: size first (cheap), then the hash in `sha256` mode. */
export async function checkFile(
  file: string,
  expected: ExpectedFile,
  mode: CheckMode,
  hashes: HashCache = createHashCache(),
): Promise<FileState> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) return 'missing';
    size = info.size;
  } catch {
    return 'missing';
  }
  if (size !== expected.size) return 'wrong-size';
  if (mode === 'size') return 'ok';
  return (await hashes.sha256(file)) === expected.sha256 ? 'ok' : 'wrong-hash';
}

export interface FetchOptions {
  /** Where the files must end up. Created when missing. */
  readonly modelsDir: string;
  /** Folder of ready files to copy from, or null. */
  readonly mirrorDir: string | null;
  /** Never download (FACEBLOG_OFFLINE=1). */
  readonly offline: boolean;
  /**
   * Abort a download when no byte arrives for this long, in ms (default 60 000: GitHub release
   * downloads stream steadily, so a full minute of silence means a dead connection, not a slow one).
   */
  readonly timeoutMs?: number;
  readonly log?: Log;
  readonly hashes?: HashCache;
}

export type FileSource = 'present' | 'mirror' | 'download';

export interface FetchedFile {
  readonly id: string;
  readonly file: string;
  /** Full path in the models directory. */
  readonly path: string;
  readonly source: FileSource;
}

const DEFAULT_TIMEOUT_MS = 60_000;

type Plan =
  | { kind: 'present' }
  | { kind: 'mirror'; from: string }
  | { kind: 'download'; url: string; member: string | undefined }
  | { kind: 'unavailable'; why: string };

/**
 * Makes every file present in `modelsDir` with the manifest's sha256 and size: keeps a correct file,
 * else copies it from the mirror, else downloads it (a zip once, however many members we need).
 * Every file is written to a temporary name, verified, then renamed, so a half-written model never
 * carries the real name.
 */
export async function ensureModelFiles(
  files: ReadonlyArray<ManifestFile>,
  opts: FetchOptions,
): Promise<FetchedFile[]> {
  const log = opts.log ?? (() => undefined);
  const hashes = opts.hashes ?? createHashCache();
  await mkdir(opts.modelsDir, { recursive: true });

  const plans: Array<{ entry: ManifestFile; plan: Plan }> = [];
  for (const entry of dedupe(files)) plans.push({ entry, plan: await planFile(entry, opts, hashes) });

  const unavailable = plans.filter(
    (p): p is { entry: ManifestFile; plan: Extract<Plan, { kind: 'unavailable' }> } =>
      p.plan.kind === 'unavailable',
  );
  if (unavailable.length > 0) {
    const lines = unavailable.map(({ entry, plan }) => `  ${describeEntry(entry)}: ${plan.why}`);
    throw new AppError(
      ErrorCode.ModelMissing,
      `${unavailable.length === 1 ? 'a model file is' : `${unavailable.length} model files are`} missing:\n` +
        lines.join('\n'),
      {
        files: unavailable.map(({ entry }) => ({ file: entry.file, sha256: entry.sha256, url: entry.url })),
        modelsDir: opts.modelsDir,
        mirrorDir: opts.mirrorDir,
        offline: opts.offline,
      },
    );
  }

  const downloads = new Downloads(opts.modelsDir, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, log);
  const done: FetchedFile[] = [];
  try {
    for (const { entry, plan } of plans) {
      const dest = path.join(opts.modelsDir, entry.file);
      if (plan.kind === 'unavailable') continue; // ruled out above; narrows the type
      if (plan.kind === 'mirror') {
        await copyVerified(plan.from, dest, entry);
        log(`faceblog: copied ${entry.file} from the mirror ${displayPath(plan.from)}`);
      } else if (plan.kind === 'download') {
        if (plan.member === undefined) {
          await downloads.plain(plan.url, dest, entry);
        } else {
          await writeVerified(await downloads.member(plan.url, plan.member, entry), dest, entry, plan.url);
          log(`faceblog: extracted ${entry.file} from ${plan.url}`);
        }
      }
      done.push({
        id: entry.id,
        file: entry.file,
        path: dest,
        source: plan.kind,
      });
    }
  } finally {
    await downloads.cleanup();
  }
  return done;
}

function dedupe(files: ReadonlyArray<ManifestFile>): ManifestFile[] {
  const seen = new Set<string>();
  return files.filter((f) => (seen.has(f.file) ? false : (seen.add(f.file), true)));
}

function describeEntry(entry: ManifestFile): string {
  return `${entry.file} (${entry.id}, sha256 ${entry.sha256}, ${entry.size} bytes)`;
}

async function planFile(entry: ManifestFile, opts: FetchOptions, hashes: HashCache): Promise<Plan> {
  const dest = path.join(opts.modelsDir, entry.file);
  const here = await checkFile(dest, entry, 'sha256', hashes);
  if (here === 'ok') return { kind: 'present' };
  const where = [
    `not in the models dir ${displayPath(opts.modelsDir)}${here === 'missing' ? '' : ` (the file there has the ${here === 'wrong-size' ? 'wrong size' : 'wrong sha256'})`}`,
  ];

  if (opts.mirrorDir !== null) {
    const from = path.join(opts.mirrorDir, entry.file);
    const there = await checkFile(from, entry, 'sha256', hashes);
    if (there === 'ok') return { kind: 'mirror', from };
    if (there !== 'missing') {
      const actual = there === 'wrong-hash' ? await hashes.sha256(from) : null;
      throw new AppError(
        ErrorCode.ModelHashMismatch,
        `the mirror's ${displayPath(from)} is not the model file ${entry.file}: expected sha256 ` +
          `${entry.sha256} and ${entry.size} bytes, found ` +
          (actual === null ? `${(await stat(from)).size} bytes` : `sha256 ${actual}`) +
          ' (replace or remove it, or point FACEBLOG_MODEL_MIRROR elsewhere)',
        {
          file: entry.file,
          path: from,
          expectedSha256: entry.sha256,
          actualSha256: actual,
          size: entry.size,
        },
      );
    }
    where.push(`not in the mirror ${displayPath(opts.mirrorDir)}`);
  } else {
    where.push('no mirror (FACEBLOG_MODEL_MIRROR unset and no ../shared/models beside the checkout)');
  }

  if (entry.url === null) {
    where.push('the manifest has no download URL for it');
  } else if (opts.offline) {
    where.push(`FACEBLOG_OFFLINE=1 forbids downloading ${entry.url}`);
  } else {
    return { kind: 'download', url: entry.url, member: entry.archiveMember };
  }
  return { kind: 'unavailable', why: where.join('; ') };
}

function tempName(dest: string): string {
  return `${dest}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
}

function mismatch(entry: ExpectedFile, source: string, actual: string, bytes: number): AppError {
  return new AppError(
    ErrorCode.ModelHashMismatch,
    `${entry.file} from ${source} has sha256 ${actual} (${bytes} bytes); the manifest expects ` +
      `${entry.sha256} (${entry.size} bytes)`,
    { file: entry.file, source, expectedSha256: entry.sha256, actualSha256: actual, bytes },
  );
}

/** Copies through SHA-256 into a temporary name; renames only what matched. */
async function copyVerified(from: string, dest: string, entry: ExpectedFile): Promise<void> {
  const tmp = tempName(dest);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      createReadStream(from),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk);
          bytes += chunk.length;
          yield chunk;
        }
      },
      createWriteStream(tmp),
    );
    const actual = hash.digest('hex');
    if (actual !== entry.sha256 || bytes !== entry.size) {
      throw mismatch(entry, `the mirror (${displayPath(from)})`, actual, bytes);
    }
    await rename(tmp, dest);
  } catch (error) {
    await rm(tmp, { force: true });
    if (error instanceof AppError) throw error;
    throw new AppError(ErrorCode.Io, `cannot copy ${from} to ${dest}`, { from, dest }, error);
  }
}

async function writeVerified(data: Buffer, dest: string, entry: ExpectedFile, source: string): Promise<void> {
  const actual = createHash('sha256').update(data).digest('hex');
  if (actual !== entry.sha256 || data.length !== entry.size)
    throw mismatch(entry, source, actual, data.length);
  const tmp = tempName(dest);
  try {
    await writeFile(tmp, data);
    await rename(tmp, dest);
  } catch (error) {
    await rm(tmp, { force: true });
    throw new AppError(ErrorCode.Io, `cannot write ${dest}`, { dest }, error);
  }
}

/** Downloads of one `ensureModelFiles` call: each zip is fetched and opened once, then deleted. */
class Downloads {
  private readonly zips = new Map<string, Promise<AdmZip>>();
  private tempDir: string | null = null;

  constructor(
    private readonly modelsDir: string,
    private readonly timeoutMs: number,
    private readonly log: Log,
  ) {}

  /** A plain file straight into its temporary name, hashed on the way. */
  async plain(url: string, dest: string, entry: ExpectedFile): Promise<void> {
    const tmp = tempName(dest);
    try {
      const { sha256, bytes } = await this.download(url, tmp, entry.file);
      if (sha256 !== entry.sha256 || bytes !== entry.size) throw mismatch(entry, url, sha256, bytes);
      await rename(tmp, dest);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** The bytes of `member` inside the zip at `url` (found by base name when the zip nests it). */
  async member(url: string, member: string, entry: ExpectedFile): Promise<Buffer> {
    let zip = this.zips.get(url);
    if (!zip) {
      zip = this.fetchZip(url);
      this.zips.set(url, zip);
    }
    const archive = await zip;
    const found =
      archive.getEntry(member) ??
      archive.getEntries().find((e) => !e.isDirectory && path.posix.basename(e.entryName) === member);
    if (!found) {
      throw new AppError(
        ErrorCode.ModelDownloadFailed,
        `${url} has no member ${member} (needed for ${entry.file}, sha256 ${entry.sha256})`,
        { url, member, file: entry.file },
      );
    }
    return found.getData();
  }

  async cleanup(): Promise<void> {
    this.zips.clear();
    if (this.tempDir !== null) await rm(this.tempDir, { recursive: true, force: true });
    this.tempDir = null;
  }

  private async fetchZip(url: string): Promise<AdmZip> {
    // Beside the models, not in /tmp: same filesystem, and the zips can be larger than a tmpfs.
    this.tempDir ??= await mkdtemp(path.join(this.modelsDir, '.download-'));
    const name = path.posix.basename(new URL(url).pathname) || 'archive.zip';
    const file = path.join(this.tempDir, `${this.zips.size}-${name}`);
    await this.download(url, file, name);
    try {
      // adm-zip holds the archive in memory (buffalo_l.zip is a few hundred MB): acceptable for a
      // one-off install step, and it is opened once however many members we take from it.
      return new AdmZip(file);
    } catch (error) {
      throw new AppError(ErrorCode.ModelDownloadFailed, `${url} is not a readable zip`, { url }, error);
    }
  }

  /**
   * Streams `url` into `file`, hashing as it goes. The timer restarts with every chunk, so the timeout
   * bounds a stall rather than the whole (possibly 280 MB) transfer.
   */
  private async download(
    url: string,
    file: string,
    label: string,
  ): Promise<{ sha256: string; bytes: number }> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        controller.abort(new Error(`no data for ${this.timeoutMs} ms`));
      }, this.timeoutMs);
    };
    const fail = (why: string, cause?: unknown) =>
      new AppError(
        ErrorCode.ModelDownloadFailed,
        `downloading ${url} (for ${label}) failed: ${why}`,
        { url, file: label },
        cause,
      );
    this.log(`faceblog: downloading ${url}`);
    arm();
    try {
      let response: Response;
      try {
        response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
      } catch (error) {
        throw fail(reason(error, controller.signal), error);
      }
      if (!response.ok || response.body === null) {
        throw fail(`HTTP ${response.status} ${response.statusText}`.trim());
      }
      const total = Number(response.headers.get('content-length')) || null;
      const progress = new Progress(label, total, this.log);
      const hash = createHash('sha256');
      let bytes = 0;
      try {
        await pipeline(
          Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
          async function* (source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              arm();
              hash.update(chunk);
              bytes += chunk.length;
              progress.update(bytes);
              yield chunk;
            }
          },
          createWriteStream(file),
        );
      } catch (error) {
        throw fail(reason(error, controller.signal), error);
      }
      if (total !== null && bytes !== total) throw fail(`got ${bytes} of ${total} bytes`);
      progress.finish(bytes);
      return { sha256: hash.digest('hex'), bytes };
    } finally {
      clearTimeout(timer);
    }
  }
}

function reason(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return signal.reason instanceof Error ? signal.reason.message : 'aborted';
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

const MB = 1024 * 1024;
/** Progress every 10 % of a sized download, or every 16 MB when the server sends no length. */
const PERCENT_STEP = 10;
const UNSIZED_STEP = 16 * MB;

class Progress {
  private next: number;

  constructor(
    private readonly label: string,
    private readonly total: number | null,
    private readonly log: Log,
  ) {
    this.next = total === null ? UNSIZED_STEP : PERCENT_STEP;
  }

  update(bytes: number): void {
    if (this.total === null) {
      if (bytes < this.next) return;
      this.log(`faceblog:   ${this.label}: ${(bytes / MB).toFixed(1)} MB`);
      this.next = bytes + UNSIZED_STEP;
      return;
    }
    const percent = Math.floor((bytes / this.total) * 100);
    if (percent < this.next || percent >= 100) return;
    this.log(
      `faceblog:   ${this.label}: ${(bytes / MB).toFixed(1)} / ${(this.total / MB).toFixed(1)} MB (${percent} %)`,
    );
    this.next = percent - (percent % PERCENT_STEP) + PERCENT_STEP;
  }

  finish(bytes: number): void {
    this.log(`faceblog:   ${this.label}: ${(bytes / MB).toFixed(1)} MB done`);
  }
}
