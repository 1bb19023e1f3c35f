/**
 * BlobStore on the local filesystem (FACEBLOG_DATA_DIR/blobs): the embedded twin of the MinIO store.
 * A key maps to `<root>/<key>`; keys are validated by core/keys.ts and the resolved path is checked to
 * stay under the root, so no key can reach outside it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { AppError, ErrorCode } from '../core/errors.js';
import { assertBlobKey, assertBlobPrefix } from '../core/keys.js';
import {
  checkPutOptions,
  checkUrlOptions,
  type BlobHead,
  type BlobInfo,
  type BlobStore,
  type PutOptions,
  type UrlOptions,
} from '../ports/blob-store.js';

export interface FsBlobStoreOptions {
  /** Directory that holds the blobs; created on first write. */
  readonly root: string;
  /**
   * Base URL under which a web server serves `root` (e.g. `https://blog.example.com/media`); `url()`
   * returns `<base>/<key>`. Without it, `url()` returns a file:// URL (for local use only).
   */
  readonly publicBaseUrl?: string;
}

/**
 * The filesystem keeps no content type, so it follows from the extension; our keys always carry one.
 * Types as registered with IANA.
 */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  json: 'application/json',
  html: 'text/html',
  md: 'text/markdown',
  txt: 'text/plain',
};

function contentTypeOf(key: string): string {
  const ext = path.posix.extname(key).slice(1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function ioError(message: string, context: Record<string, unknown>, cause: unknown): AppError {
  return new AppError(ErrorCode.Io, message, context, cause);
}

export class FsBlobStore implements BlobStore {
  private readonly root: string;
  private readonly publicBaseUrl: string | undefined;

  constructor(options: FsBlobStoreOptions) {
    this.root = path.resolve(options.root);
    this.publicBaseUrl = options.publicBaseUrl?.replace(/\/+$/, '');
  }

  /** The file of a key; throws unless it lies strictly inside the root (defence in depth). */
  private pathOf(keyOrPrefix: string): string {
    const full = path.resolve(this.root, ...keyOrPrefix.split('/').filter((s) => s !== ''));
    if (!full.startsWith(this.root + path.sep)) {
      throw new AppError(ErrorCode.BadArguments, 'blob key escapes the store root', { key: keyOrPrefix });
    }
    return full;
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions): Promise<void> {
    assertBlobKey(key);
    // The type is not stored: `head` derives it from the key's extension (see CONTENT_TYPES).
    checkPutOptions(key, options);
    const file = this.pathOf(key);
    const dir = path.dirname(file);
    // A leading dot can never start a key segment, so temp files never collide with or list as blobs.
    const temp = path.join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
    try {
      await mkdir(dir, { recursive: true });
      const handle = await open(temp, 'w');
      try {
        await handle.writeFile(bytes);
        // Flush before the rename so that a crash cannot leave a renamed but empty file.
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw ioError('could not write blob', { key }, error);
    }
  }

  async get(key: string): Promise<Uint8Array | null> {
    assertBlobKey(key);
    try {
      const buffer = await readFile(this.pathOf(key));
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      if (isNotFound(error)) return null;
      throw ioError('could not read blob', { key }, error);
    }
  }

  async head(key: string): Promise<BlobHead | null> {
    assertBlobKey(key);
    try {
      const info = await stat(this.pathOf(key));
      if (!info.isFile()) return null;
      return { key, size: info.size, contentType: contentTypeOf(key) };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw ioError('could not stat blob', { key }, error);
    }
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    try {
      await unlink(this.pathOf(key));
    } catch (error) {
      if (!isNotFound(error)) throw ioError('could not delete blob', { key }, error);
    }
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertBlobPrefix(prefix);
    if (prefix.endsWith('/')) {
      // A whole directory: one recursive removal.
      await rm(this.pathOf(prefix), { recursive: true, force: true });
      return;
    }
    for await (const blob of this.list(prefix)) await this.delete(blob.key);
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    assertBlobPrefix(prefix);
    const slash = prefix.lastIndexOf('/');
    const dirKey = prefix.slice(0, slash);
    const tail = prefix.slice(slash + 1);
    const dir = this.pathOf(dirKey);
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isNotFound(error)) return;
      throw ioError('could not list blobs', { prefix }, error);
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || !entry.name.startsWith(tail)) continue;
      const key = `${dirKey}/${entry.name}`;
      if (entry.isDirectory()) {
        yield* this.list(`${key}/`);
      } else if (entry.isFile()) {
        const info = await stat(path.join(dir, entry.name)).catch((error: unknown) => {
          if (isNotFound(error)) return null; // deleted while listing
          throw ioError('could not stat blob', { key }, error);
        });
        if (info) yield { key, size: info.size };
      }
    }
  }

  /** File and public URLs do not expire; the lifetime is checked so that every store accepts the same. */
  // eslint-disable-next-line @typescript-eslint/require-await -- async so that bad keys reject, not throw
  async url(key: string, options: UrlOptions): Promise<string> {
    assertBlobKey(key);
    checkUrlOptions(options);
    if (this.publicBaseUrl !== undefined) return `${this.publicBaseUrl}/${key}`;
    return pathToFileURL(this.pathOf(key)).href;
  }
}
