/**
 * Face embeddings per chat. Every call names its tenant and touches only that tenant's points; an
 * index holds one dimension (one model pack family) and every search is limited to one pack, because
 * vectors of different packs are not comparable.
 */
import { AppError, ErrorCode } from '../core/errors.js';
import { assertTenant, facePointId } from '../core/keys.js';
import type { Box } from '../core/types.js';

export interface FacePayload {
  /** sha256 of the photo (its blob key and dedup key). */
  readonly photo: string;
  /** The album the photo arrived in, or null for a photo sent on its own. */
  readonly album: string | null;
  /** Face box in the upright original photo. */
  readonly box: Box;
  /** Quality score 0..1 (QualityReport.score). */
  readonly quality: number;
  /** The person this face was assigned to, or null before clustering. */
  readonly person: string | null;
  /** Model pack id that produced the embedding. */
  readonly pack: string;
  /** Version of the pipeline that wrote the point; re-index when it changes. */
  readonly pipelineVersion: number;
  /** Position of the face in the photo's detections; part of the point id. */
  readonly faceIndex: number;
}

export interface FacePoint {
  /** `facePointId(tenant, payload.photo, payload.faceIndex)`; adapters refuse any other id. */
  readonly id: string;
  readonly tenant: string;
  /** L2-normalised embedding of the index's dimension. */
  readonly vector: Float32Array;
  readonly payload: FacePayload;
}

export interface StoredFace {
  readonly id: string;
  readonly payload: FacePayload;
  /** Present only when asked for with `withVectors`. */
  readonly vector?: Float32Array;
}

export interface FaceMatch {
  readonly id: string;
  /** Cosine similarity, -1..1, higher is closer. */
  readonly score: number;
  readonly payload: FacePayload;
}

export interface SearchOptions {
  /** At most this many matches (1..1000). */
  readonly limit: number;
  /** Drop matches with a lower cosine similarity; the pack's threshold from the manifest. */
  readonly minScore?: number;
  /** Only faces embedded by this pack. */
  readonly pack: string;
}

/** How many faces, and in how many photos, one person of a chat has. */
export interface PersonCount {
  readonly person: string;
  readonly faces: number;
  readonly photos: number;
}

/** Which of a tenant's faces to delete or count. */
export interface FaceFilter {
  readonly tenant: string;
  readonly person?: string;
  readonly photo?: string;
}

export interface VectorIndex {
  /** Embedding dimension this index holds. */
  readonly dimension: number;
  /** Inserts or replaces points by id; writing the same point twice leaves one point. */
  upsert(points: readonly FacePoint[]): Promise<void>;
  /** Exact nearest neighbours within the tenant and pack, best first. */
  search(tenant: string, vector: Float32Array, options: SearchOptions): Promise<FaceMatch[]>;
  /** The tenant's points among `ids`, in the order of `ids`; unknown ids and other tenants' are skipped. */
  get(tenant: string, ids: readonly string[], options?: { withVectors?: boolean }): Promise<StoredFace[]>;
  /**
   * The tenant's faces that `filter` names (one person's, one photo's, or all), ordered by id: how the
   * search reads a person's faces without going through every photo of the chat.
   */
  list(filter: FaceFilter, options?: { withVectors?: boolean }): Promise<StoredFace[]>;
  /** Assigns the faces to a person (or to nobody with null). */
  setPerson(tenant: string, ids: readonly string[], person: string | null): Promise<void>;
  deleteByIds(tenant: string, ids: readonly string[]): Promise<void>;
  /** Deletes all of a tenant's faces, or those of one person or one photo. */
  deleteWhere(filter: FaceFilter): Promise<void>;
  count(filter: FaceFilter): Promise<number>;
  /**
   * Faces and photos per person of the tenant (faces of nobody left out), in person order: what the
   * people list shows, without reading every face (a chat of 100k faces took 1.5 s that way).
   */
  personCounts(tenant: string): Promise<PersonCount[]>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------
// Checks every adapter applies before touching storage, so that all of them refuse the same input.

/** At most this many ids per call: keeps one SQL statement or one HTTP body bounded. */
export const MAX_IDS_PER_CALL = 10_000;
/** Search results per call; far above any album, far below vec0's k limit of 4096 (sqlite-vec). */
export const MAX_SEARCH_LIMIT = 1000;

function bad(message: string, context: Record<string, unknown>): AppError {
  return new AppError(ErrorCode.BadArguments, message, context);
}

export function checkVector(vector: Float32Array, dimension: number): void {
  if (vector.length !== dimension) {
    // A different length means a different model pack: vectors of two packs never share an index.
    throw bad('embedding dimension does not match the index', { expected: dimension, got: vector.length });
  }
  for (const x of vector) if (!Number.isFinite(x)) throw bad('embedding has a non-finite value', {});
}

/** A point is valid when its id is the deterministic id of its tenant, photo and face index. */
export function checkPoint(point: FacePoint, dimension: number): void {
  assertTenant(point.tenant);
  checkVector(point.vector, dimension);
  const { payload } = point;
  if (point.id !== facePointId(point.tenant, payload.photo, payload.faceIndex)) {
    throw bad('point id is not facePointId(tenant, photo, faceIndex)', { id: point.id });
  }
  if (payload.pack.length === 0) throw bad('payload.pack is empty', { id: point.id });
  if (payload.person === '') throw bad('payload.person is empty; use null for nobody', { id: point.id });
}

export function checkSearch(options: SearchOptions): void {
  if (!Number.isSafeInteger(options.limit) || options.limit < 1 || options.limit > MAX_SEARCH_LIMIT) {
    throw bad(`search limit must be 1..${MAX_SEARCH_LIMIT}`, { limit: options.limit });
  }
  if (options.pack.length === 0) throw bad('search pack is empty', {});
}

export function checkIds(ids: readonly string[]): void {
  if (ids.length > MAX_IDS_PER_CALL) throw bad('too many ids in one call', { count: ids.length });
}

/** Rebuilds a payload from stored JSON or a Qdrant payload, dropping anything else stored with it. */
export function parsePayload(stored: unknown): FacePayload {
  const value: unknown = typeof stored === 'string' ? JSON.parse(stored) : stored;
  const p = (value ?? {}) as Record<string, unknown>;
  const box = p.box;
  if (
    typeof p.photo !== 'string' ||
    typeof p.pack !== 'string' ||
    typeof p.quality !== 'number' ||
    typeof p.pipelineVersion !== 'number' ||
    typeof p.faceIndex !== 'number' ||
    !Array.isArray(box) ||
    box.length !== 4 ||
    !box.every((n) => typeof n === 'number')
  ) {
    throw new AppError(ErrorCode.Internal, 'stored face payload is malformed', { payload: value });
  }
  return {
    photo: p.photo,
    album: typeof p.album === 'string' ? p.album : null,
    box: box as unknown as Box,
    quality: p.quality,
    person: typeof p.person === 'string' ? p.person : null,
    pack: p.pack,
    pipelineVersion: p.pipelineVersion,
    faceIndex: p.faceIndex,
  };
}
