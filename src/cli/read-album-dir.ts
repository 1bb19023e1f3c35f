import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

import { AppError, ErrorCode } from '../core/errors.js';

import type { AlbumInput } from '../services/analyze-album.js';

/** File endings we try to decode; anything else in the folder (notes, sidecars) is not a photo. */
const IMAGE_EXTENSIONS = new Set([
  '.jpg',
  '.jpeg',
  '.jpe',
  '.png',
  '.webp',
  '.tif',
  '.tiff',
  '.bmp',
  '.gif',
  '.avif',
  '.heic',
  '.heif',
  '.hif',
]);

export interface AlbumListing {
  readonly inputs: AlbumInput[];
  /** Files that were not taken as photos, relative paths. */
  readonly skipped: string[];
}

/** Every image below `dir` (recursively, hidden entries and `exclude` left out), in path order. */
export async function readAlbumDir(dir: string, exclude: readonly string[] = []): Promise<AlbumListing> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((cause: unknown) => {
    const code = (cause as NodeJS.ErrnoException).code;
    // A mistyped path is a usage error, said plainly (exit 2), not a stack trace.
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new AppError(ErrorCode.BadArguments, `no album folder at ${dir}`, { dir, reason: code }, cause);
    }
    throw new AppError(ErrorCode.Io, `cannot read the album folder ${dir}`, { dir }, cause);
  });
  const excluded = exclude.map((p) => path.resolve(p));
  const inputs: AlbumInput[] = [];
  const skipped: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const rel = path.relative(dir, full).split(path.sep).join('/');
    if (rel.split('/').some((part) => part.startsWith('.'))) continue;
    if (excluded.some((ex) => full === ex || full.startsWith(ex + path.sep))) continue;
    if (!IMAGE_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
      skipped.push(rel);
      continue;
    }
    inputs.push({
      path: rel,
      read: async () => {
        // A view of readFile's own buffer (no copy), so the analyzer pool can move it to its thread.
        const b = await readFile(full);
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      },
    });
  }
  inputs.sort((a, b) => a.path.localeCompare(b.path));
  return { inputs, skipped: skipped.sort() };
}
