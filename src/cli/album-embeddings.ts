/**
 * The embeddings `faceblog album` stores beside album.json (faces.json), so that `faceblog find` can
 * answer from an album folder without servers and without analysing the album again. Vectors are
 * little-endian float32, base64: a 448-d face is ~2.4 kB instead of ~9 kB of JSON numbers.
 */
import type { AlbumResult } from '../core/album.js';
import { AppError, ErrorCode } from '../core/errors.js';
import type { Face } from '../core/types.js';

export const EMBEDDINGS_FILE = 'faces.json';

export interface StoredAlbumFace {
  readonly photo: string;
  readonly face: number;
  readonly person: string | null;
  readonly quality: number;
  readonly embedding: string;
}

export interface AlbumEmbeddings {
  readonly version: 1;
  readonly pack: string;
  readonly pipelineVersion: number;
  readonly dim: number;
  readonly faces: readonly StoredAlbumFace[];
}

export function albumEmbeddings(
  result: AlbumResult,
  faces: ReadonlyMap<string, readonly Face[]>,
  pack: { name: string; dim: number },
): AlbumEmbeddings {
  const out: StoredAlbumFace[] = [];
  for (const photo of result.photos) {
    const list = faces.get(photo.path) ?? [];
    photo.faces.forEach((f, i) => {
      const e = list[i]?.embedding;
      if (!e) return;
      out.push({
        photo: photo.path,
        face: i,
        person: f.personId,
        quality: f.quality,
        embedding: Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('base64'),
      });
    });
  }
  return { version: 1, pack: pack.name, pipelineVersion: result.pipelineVersion, dim: pack.dim, faces: out };
}

export function decodeEmbedding(base64: string, dim: number): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.byteLength !== dim * 4) {
    throw new AppError(
      ErrorCode.BadArguments,
      `a stored embedding has ${bytes.byteLength / 4} values, not ${dim}`,
    );
  }
  const copy = new Uint8Array(bytes);
  return new Float32Array(copy.buffer, 0, dim);
}
