/**
 * One photo of an album, as the photo job runs it: read the stored original, analyze it, store face
 * crops and a thumbnail, upsert its faces under their deterministic point ids and record the photo.
 * Every write is keyed by content, so running it twice leaves the same state as running it once.
 */
import type { AlbumFace, AlbumFailure, AlbumPhoto } from '../core/album.js';
import { AppError, ErrorCode, describeError } from '../core/errors.js';
import { albumKey, faceKey, facePointId, thumbKey } from '../core/keys.js';
import { PIPELINE_VERSION } from '../pipeline/version.js';
import type { FacePoint } from '../ports/vector-index.js';
import type { AnalyzingDeps, ServiceDeps } from './deps.js';
import { getFaces } from './tenant-faces.js';

export interface IndexPhotoInput {
  readonly tenant: string;
  readonly albumId: string;
  readonly sha256: string;
  readonly blobKey: string;
  readonly name: string;
}

export type IndexPhotoOutcome =
  | { readonly status: 'indexed'; readonly faces: number; readonly processed: number }
  | { readonly status: 'skipped'; readonly reason: 'album-forgotten' };

/** What the album job needs of a photo beyond the index: landmarks, scores and the pHash. */
export interface StoredPhotoAnalysis {
  readonly photo: AlbumPhoto;
  readonly phash: string;
}

/** Where the photo job leaves its analysis for the album job: inside the album's folder. */
export function analysisKey(tenant: string, albumId: string, sha256: string): string {
  return albumKey(tenant, albumId, `photos-${sha256}.json`);
}

export async function indexPhoto(deps: AnalyzingDeps, input: IndexPhotoInput): Promise<IndexPhotoOutcome> {
  const { tenant, albumId, sha256 } = input;
  // A forgotten chat's queued jobs must not bring its data back.
  if ((await deps.metadata.getAlbum(tenant, albumId)) === null) {
    return { status: 'skipped', reason: 'album-forgotten' };
  }
  const bytes = await deps.blobs.get(input.blobKey);
  if (bytes === null) {
    // Retrying cannot make the upload reappear; EmptyFile is the permanent code nearest to "no bytes".
    throw new AppError(ErrorCode.EmptyFile, 'the stored photo is missing', { key: input.blobKey });
  }
  // The bytes are not used again here: the pool may move them to its thread instead of copying.
  const analysis = await deps.analyzer.analyze(bytes, { renders: true, transfer: true });
  const { photo, renders } = analysis;
  if (!renders) throw new AppError(ErrorCode.Internal, 'the analyzer returned no renders', { sha256 });

  for (const [i, crop] of renders.crops.entries()) {
    await deps.blobs.put(faceKey(tenant, sha256, i), crop, { contentType: 'image/jpeg' });
  }
  await deps.blobs.put(thumbKey(tenant, sha256), renders.thumb, { contentType: 'image/jpeg' });

  // A face indexed before (a retry, or the photo in an earlier album) keeps its person.
  const ids = analysis.faces.map((_, i) => facePointId(tenant, sha256, i));
  const before = new Map((await getFaces(deps.index, tenant, ids, false)).map((f) => [f.id, f.payload]));
  const points: FacePoint[] = analysis.faces.map((face, i) => ({
    id: facePointId(tenant, sha256, i),
    tenant,
    vector: face.embedding,
    payload: {
      photo: sha256,
      album: before.get(facePointId(tenant, sha256, i))?.album ?? albumId,
      box: face.box,
      quality: face.quality.score,
      person: before.get(facePointId(tenant, sha256, i))?.person ?? null,
      pack: deps.pack.name,
      pipelineVersion: PIPELINE_VERSION,
      faceIndex: i,
    },
  }));
  if (points.length > 0) await deps.index.upsert(points);

  const stored: StoredPhotoAnalysis = {
    // 16 hex digits: a bigint does not survive JSON.
    phash: analysis.phash.toString(16).padStart(16, '0'),
    photo: {
      path: input.name,
      sha256,
      format: photo.format,
      width: photo.width,
      height: photo.height,
      takenAt: photo.meta.takenAt,
      gps: photo.meta.gps,
      duplicateOf: null,
      faces: analysis.faces.map((face): AlbumFace => ({
        box: face.box.map(round1) as AlbumFace['box'],
        landmarks: face.landmarks.map(([x, y]) => [round1(x), round1(y)]) as AlbumFace['landmarks'],
        score: round3(face.score),
        quality: round3(face.quality.score),
        qualityReasons: face.quality.reasons,
        personId: null,
      })),
    },
  };
  await deps.blobs.put(
    analysisKey(tenant, albumId, sha256),
    new TextEncoder().encode(JSON.stringify(stored)),
    { contentType: 'application/json' },
  );
  await deps.metadata.upsertPhoto({
    tenant,
    sha256,
    albumId,
    name: input.name,
    blobKey: input.blobKey,
    width: photo.width,
    height: photo.height,
    takenAt: photo.meta.takenAt,
    gps: photo.meta.gps,
    faceCount: analysis.faces.length,
  });
  const processed = await markProcessed(deps, tenant, albumId, sha256);
  return { status: 'indexed', faces: analysis.faces.length, processed };
}

/** Records why a photo could not be indexed and counts it as processed, so progress still ends. */
export async function recordPhotoFailure(
  deps: ServiceDeps,
  input: IndexPhotoInput,
  error: unknown,
): Promise<{ failure: AlbumFailure; processed: number }> {
  const failure: AlbumFailure = { path: input.name, ...describeError(error) };
  await deps.metadata.recordFailure(input.tenant, input.albumId, failure);
  const processed = await markProcessed(deps, input.tenant, input.albumId, input.sha256);
  return { failure, processed };
}

async function markProcessed(
  deps: ServiceDeps,
  tenant: string,
  albumId: string,
  sha256: string,
): Promise<number> {
  const album = await deps.metadata.getAlbum(tenant, albumId);
  if (album?.status === 'queued') await deps.metadata.setAlbumStatus(tenant, albumId, 'processing');
  return deps.metadata.markPhotoProcessed(tenant, albumId, sha256);
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const round3 = (v: number) => Math.round(v * 1000) / 1000;
