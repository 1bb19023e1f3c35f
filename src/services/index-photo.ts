/**
 * One photo of an album, as the photo job runs it: read the stored original, analyze it, store face
 * crops and a thumbnail, upsert its faces under their deterministic point ids and record the photo.
 * Every write is keyed by content, so running it twice leaves the same state as running it once.
 *
 * A forget may come at any moment: the job registers as running (so the forget waits for it before
 * its second sweep) and checks before every write that the chat is still at the generation the job
 * was queued under; once it is not, the job stops and writes nothing more.
 */
import type { AlbumFace, AlbumFailure, AlbumPhoto } from '../core/album.js';
import { AppError, ErrorCode, describeError, isAppError } from '../core/errors.js';
import { albumKey, faceKey, facePointId, thumbKey } from '../core/keys.js';
import { PIPELINE_VERSION } from '../pipeline/version.js';
import type { FacePoint } from '../ports/vector-index.js';
import type { AnalyzingDeps, ServiceDeps } from './deps.js';
import { getFaces } from './tenant-faces.js';

export interface IndexPhotoInput {
  readonly tenant: string;
  readonly albumId: string;
  /** The chat's generation when the album was queued. */
  readonly generation: number;
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

/** Thrown between writes when the chat was forgotten; indexPhoto turns it into a skipped outcome. */
class Stale extends Error {}

export async function indexPhoto(
  deps: AnalyzingDeps,
  input: IndexPhotoInput,
  /** The job's id, for the chat's register of running jobs. */
  jobId = `photo_${input.sha256}`,
): Promise<IndexPhotoOutcome> {
  const lease = await deps.guard.enter(input.tenant, input.generation, jobId);
  const live = async () => {
    if (!(await lease.current())) throw new Stale();
  };
  try {
    // A forgotten chat's queued jobs must not bring its data back.
    await live();
    if ((await deps.metadata.getAlbum(input.tenant, input.albumId)) === null) {
      return { status: 'skipped', reason: 'album-forgotten' };
    }
    return await indexLive(deps, input, live);
  } catch (error) {
    if (error instanceof Stale) return { status: 'skipped', reason: 'album-forgotten' };
    throw error;
  } finally {
    await lease.release();
  }
}

async function indexLive(
  deps: AnalyzingDeps,
  input: IndexPhotoInput,
  live: () => Promise<void>,
): Promise<IndexPhotoOutcome> {
  const { tenant, albumId, sha256 } = input;
  const bytes = await deps.blobs.get(input.blobKey);
  if (bytes === null) {
    // Retrying cannot make the upload reappear; EmptyFile is the permanent code nearest to "no bytes".
    throw new AppError(ErrorCode.EmptyFile, 'the stored photo is missing', { key: input.blobKey });
  }
  // The bytes are not used again here: the pool may move them to its thread instead of copying.
  const analysis = await deps.analyzer.analyze(bytes, { renders: true, transfer: true });
  const { photo, renders } = analysis;
  if (!renders) throw new AppError(ErrorCode.Internal, 'the analyzer returned no renders', { sha256 });

  await live();
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
  await live();
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
      objects: (analysis.objects ?? []).map((o) => ({
        label: o.label,
        score: round3(o.score),
        box: o.box.map(round1) as AlbumFace['box'],
      })),
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
  await live();
  await deps.blobs.put(
    analysisKey(tenant, albumId, sha256),
    new TextEncoder().encode(JSON.stringify(stored)),
    { contentType: 'application/json' },
  );
  await live();
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
  // Bytes that can never be read are not kept: the failure list says what happened to them.
  if (isAppError(error) && error.permanent) await deps.blobs.delete(input.blobKey);
  if (!(await deps.guard.generation(input.tenant).then((g) => g === input.generation))) {
    return { failure, processed: 0 };
  }
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
