import type { AlbumFace, AlbumFailure, AlbumPhoto, AlbumResult } from '../core/album.js';
import { describeError } from '../core/errors.js';
import type { Face } from '../core/types.js';
import { clusterFaces } from '../pipeline/cluster.js';
import { findDuplicates } from '../pipeline/dedup.js';
import { PIPELINE_VERSION } from '../pipeline/version.js';
import type { AnalyzedPhoto, PhotoAnalyzer, PhotoRenders, RenderRequest } from '../ports/photo-analyzer.js';
import { collectPeople } from './group-album.js';

export interface AlbumInput {
  /** Path relative to the album, forward slashes; also the photo's id in the result. */
  readonly path: string;
  readonly read: () => Promise<Uint8Array>;
}

export interface AnalyzeAlbumOptions {
  /** Photos in flight at once; a thread-pool analyzer wants about two per thread (decode overlaps inference). */
  readonly concurrency?: number;
  readonly onProgress?: (event: { done: number; total: number; path: string; ok: boolean }) => void;
  readonly now?: () => Date;
  /**
   * Ask the analyzer for renders of every photo (crops, thumbnail, web copy) and hand each to
   * `onRenders` as soon as its photo is done, so they are written while the next photos are analysed;
   * they are not kept in the result. A rejection of `onRenders` fails that photo.
   */
  readonly renders?: RenderRequest;
  /** Each `read()` returns fresh bytes used once: the analyzer may take them over (see AnalyzeRequest). */
  readonly handOver?: boolean;
  readonly onRenders?: (input: AlbumInput, analysis: AnalyzedPhoto, renders: PhotoRenders) => Promise<void>;
}

export interface AlbumAnalysis {
  readonly result: AlbumResult;
  /** Per photo (same order as result.photos): faces with embeddings, for indexing and /find. */
  readonly faces: ReadonlyMap<string, readonly Face[]>;
  /** Milliseconds per stage summed over the album. */
  readonly timings: Readonly<Record<string, number>>;
}

/**
 * Runs the pipeline over an album: every photo independently (a bad one becomes a failure, never an
 * abort), then dedup and grouping into people across the album.
 */
export async function analyzeAlbum(
  inputs: readonly AlbumInput[],
  analyzer: PhotoAnalyzer,
  opts: AnalyzeAlbumOptions = {},
): Promise<AlbumAnalysis> {
  const analyses = new Array<AnalyzedPhoto | undefined>(inputs.length);
  const failures: AlbumFailure[] = [];
  const timings: Record<string, number> = {};
  let done = 0;
  await forEachConcurrent(inputs, opts.concurrency ?? 2, async (input, i) => {
    let ok = true;
    try {
      const { renders, ...analysis } = await analyzer.analyze(await input.read(), {
        transfer: opts.handOver === true,
        ...(opts.renders ? { renders: opts.renders } : {}),
      });
      if (renders && opts.onRenders) await opts.onRenders(input, analysis, renders);
      analyses[i] = analysis;
      for (const [stage, ms] of Object.entries(analysis.timings)) timings[stage] = (timings[stage] ?? 0) + ms;
    } catch (error) {
      ok = false;
      failures.push({ path: input.path, ...describeError(error) });
    }
    done += 1;
    opts.onProgress?.({ done, total: inputs.length, path: input.path, ok });
  });

  const photos = inputs.flatMap((input, i) => {
    const a = analyses[i];
    return a ? [{ path: input.path, analysis: a }] : [];
  });
  const duplicates = findDuplicates(
    photos.map(({ path, analysis }) => ({ id: path, sha256: analysis.photo.sha256, phash: analysis.phash })),
  ).duplicateOf;

  const faceId = (path: string, index: number) => `${path}#${index}`;
  const { thresholds } = analyzer.pack.spec;
  const clusters = clusterFaces(
    photos.flatMap(({ path, analysis }) =>
      analysis.faces.map((face, index) => ({
        id: faceId(path, index),
        photoId: path,
        embedding: face.embedding,
        quality: face.quality.score,
        indexable: face.quality.indexable,
      })),
    ),
    { threshold: thresholds.cluster },
  );
  const personIds = renumberPeople(photos, (p, i) => clusters.assignments.get(faceId(p, i)) ?? null);

  const albumPhotos: AlbumPhoto[] = photos.map(({ path, analysis }) => ({
    path,
    sha256: analysis.photo.sha256,
    format: analysis.photo.format,
    width: analysis.photo.width,
    height: analysis.photo.height,
    takenAt: analysis.photo.meta.takenAt,
    gps: analysis.photo.meta.gps,
    duplicateOf: duplicates.get(path) ?? null,
    objects: (analysis.objects ?? []).map((o) => ({
      label: o.label,
      score: round3(o.score),
      box: o.box.map(round1) as AlbumFace['box'],
    })),
    faces: analysis.faces.map((face, index): AlbumFace => ({
      box: face.box.map(round1) as AlbumFace['box'],
      landmarks: face.landmarks.map(([x, y]) => [round1(x), round1(y)]) as AlbumFace['landmarks'],
      score: round3(face.score),
      quality: round3(face.quality.score),
      qualityReasons: face.quality.reasons,
      personId: personIds.get(faceId(path, index)) ?? null,
    })),
  }));

  return {
    result: {
      version: 1,
      pack: analyzer.pack.name,
      pipelineVersion: PIPELINE_VERSION,
      createdAt: (opts.now?.() ?? new Date()).toISOString(),
      photos: albumPhotos,
      // A CLI album names nobody: people get names later, in a chat.
      people: collectPeople(albumPhotos, new Map()),
      failures: failures.sort((a, b) => a.path.localeCompare(b.path)),
    },
    faces: new Map(photos.map(({ path, analysis }) => [path, analysis.faces])),
    timings,
  };
}

/** Person ids `person-1`, `person-2`, … in order of first appearance in the album. */
function renumberPeople(
  photos: ReadonlyArray<{ path: string; analysis: AnalyzedPhoto }>,
  clusterOf: (path: string, index: number) => string | null,
): Map<string, string> {
  const names = new Map<string, string>();
  const byFace = new Map<string, string>();
  for (const { path, analysis } of photos) {
    analysis.faces.forEach((_, index) => {
      const cluster = clusterOf(path, index);
      if (cluster === null) return;
      let name = names.get(cluster);
      if (!name) {
        name = `person-${names.size + 1}`;
        names.set(cluster, name);
      }
      byFace.set(`${path}#${index}`, name);
    });
  }
  return byFace;
}

async function forEachConcurrent<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) {
      await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const round3 = (v: number) => Math.round(v * 1000) / 1000;
