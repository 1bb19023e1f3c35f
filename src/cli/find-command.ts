/**
 * `faceblog find <selfie> --in <album out dir> [--face N] [--json]`: the chat's /find without servers,
 * over an album folder written by `faceblog album` (its faces.json). The same decision as every chat
 * surface (pipeline/identify.ts with the pack's search thresholds): found, unsure (a candidate is named,
 * no photos are listed), or no match; a selfie with several faces and none clearly the main one lists
 * them for `--face`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import type { AlbumResult } from '../core/album.js';
import { AppError, ErrorCode } from '../core/errors.js';
import { chooseSelfieFace, cosine, identify, type KnownPerson } from '../pipeline/identify.js';
import type { PhotoAnalyzer } from '../ports/photo-analyzer.js';
import { type AlbumEmbeddings, decodeEmbedding, EMBEDDINGS_FILE } from './album-embeddings.js';

export interface FindCommandOptions {
  readonly selfie: string;
  readonly albumOut: string;
  readonly face?: number;
}

export type FindAnswer =
  | {
      readonly status: 'found' | 'unsure';
      readonly person: string;
      readonly score: number;
      /** Found: the person's photos, best match first; unsure: none (the person must be confirmed first). */
      readonly photos: readonly { path: string; similarity: number }[];
      readonly face: number;
    }
  | { readonly status: 'no-match'; readonly face: number; readonly bestScore: number | null }
  | { readonly status: 'choose-face'; readonly faces: readonly { index: number; box: number[] }[] }
  | { readonly status: 'no-face' }
  | { readonly status: 'poor-quality'; readonly reasons: readonly string[] };

const round = (v: number) => Number(v.toFixed(4));

export async function runFindCommand(analyzer: PhotoAnalyzer, opts: FindCommandOptions): Promise<FindAnswer> {
  const stored = await readJson<AlbumEmbeddings>(path.join(opts.albumOut, EMBEDDINGS_FILE));
  const album = await readJson<AlbumResult>(path.join(opts.albumOut, 'album.json'));
  if (stored.pack !== analyzer.pack.name || stored.dim !== analyzer.pack.dim) {
    throw new AppError(
      ErrorCode.BadArguments,
      `the album was analysed with model pack ${stored.pack}; this faceblog uses ${analyzer.pack.name}: run faceblog album again`,
      { albumPack: stored.pack, pack: analyzer.pack.name },
    );
  }
  const { faces, photo } = await analyzer.analyze(new Uint8Array(await readFile(opts.selfie)));
  const choice = chooseSelfieFace(faces, photo.width, photo.height, opts.face);
  switch (choice.kind) {
    case 'no-face':
      return { status: 'no-face' };
    case 'choose':
      return {
        status: 'choose-face',
        faces: faces.map((f, index) => ({ index, box: f.box.map(Math.round) })),
      };
    case 'poor':
      return { status: 'poor-quality', reasons: choice.reasons };
  }
  const { face, index: chosen } = choice;

  // The album's people: only faces grouped into a person count; background faces never make a match.
  const byPerson = new Map<string, { vector: Float32Array; photo: string }[]>();
  for (const f of stored.faces) {
    if (f.person === null) continue;
    const list = byPerson.get(f.person) ?? [];
    list.push({ vector: decodeEmbedding(f.embedding, stored.dim), photo: f.photo });
    byPerson.set(f.person, list);
  }
  const people: KnownPerson[] = [...byPerson].map(([id, list]) => ({
    id,
    vectors: list.map((x) => x.vector),
  }));
  const decision = identify(face.embedding, people, analyzer.pack.spec.thresholds.search);
  if (decision.kind === 'none') {
    return { status: 'no-match', face: chosen, bestScore: decision.best ? round(decision.best.score) : null };
  }
  const person = decision.best.person;
  const photos = new Map<string, number>();
  if (decision.kind === 'sure') {
    for (const f of byPerson.get(person) ?? []) {
      const s = cosine(face.embedding, f.vector);
      photos.set(f.photo, Math.max(photos.get(f.photo) ?? -1, s));
    }
  }
  const known = new Set(album.photos.map((p) => p.path));
  return {
    status: decision.kind === 'sure' ? 'found' : 'unsure',
    person,
    score: round(decision.best.score),
    photos: [...photos]
      .filter(([p]) => known.has(p))
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([p, s]) => ({ path: p, similarity: round(s) })),
    face: chosen,
  };
}

/** The answer as a person reads it in a terminal. */
export function findText(answer: FindAnswer): string {
  switch (answer.status) {
    case 'found':
      return [
        `Found ${answer.person} in ${answer.photos.length} photo${answer.photos.length === 1 ? '' : 's'} (score ${answer.score}):`,
        ...answer.photos.map((p) => `  ${p.path}`),
      ].join('\n');
    case 'unsure':
      return `Maybe ${answer.person} (score ${answer.score}), but not surely: no photos are listed. Try a clearer, frontal selfie.`;
    case 'no-match':
      return 'No match: nobody in this album looks like the person in that selfie.';
    case 'choose-face':
      return [
        `The selfie shows ${answer.faces.length} faces and none is clearly the main one; choose one with --face:`,
        ...answer.faces.map((f) => `  --face ${f.index}: box ${f.box.join(', ')}`),
      ].join('\n');
    case 'no-face':
      return 'No face was found in that photo.';
    case 'poor-quality':
      return `The face is too unclear to search with (${answer.reasons.join(', ')}).`;
  }
}

async function readJson<T>(file: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError(
      ErrorCode.BadArguments,
      `cannot read ${file}: is this a folder written by faceblog album?`,
      { file },
      error,
    );
  }
  return JSON.parse(text) as T;
}
