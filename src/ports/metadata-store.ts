import type { AlbumFailure, AlbumResult } from '../core/album.js';
import type { GpsPoint } from '../core/types.js';

/**
 * Albums, photos and people of every chat, kept across restarts: embedded SQLite by default, PostgreSQL
 * when several machines share it. Every call is scoped to one tenant (one chat); nothing reads across.
 * Declares only what the services call.
 */
export type AlbumStatus = 'queued' | 'processing' | 'done' | 'failed';

export interface AlbumRecord {
  readonly id: string;
  readonly tenant: string;
  readonly status: AlbumStatus;
  /** Photos submitted and photos finished (ok or failed), for "7 of 12 photos". */
  readonly photoCount: number;
  readonly processedCount: number;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  /** Set when the album job has grouped the faces. */
  readonly result: AlbumResult | null;
}

export interface PhotoRecord {
  readonly tenant: string;
  readonly sha256: string;
  readonly albumId: string;
  /** Name the user sent it under (file name or chat message id). */
  readonly name: string;
  readonly blobKey: string;
  readonly width: number;
  readonly height: number;
  readonly takenAt: string | null;
  readonly gps: GpsPoint | null;
  readonly faceCount: number;
}

export interface PersonTemplate {
  readonly id: string;
  readonly centroid: Float32Array;
}

export interface PersonRecord {
  readonly id: string;
  readonly tenant: string;
  readonly name: string | null;
  /** Mean of the person's face embeddings, L2-normalised; null until the person has a face. */
  readonly centroid: Float32Array | null;
  readonly faceCount: number;
  /** Face point id of the best face, for the people list. */
  readonly coverFace: string | null;
  readonly createdAt: string;
  /**
   * The person's short handle in the chat ("#7"): given by the store when the person is first saved,
   * kept for life, never given to anyone else in the chat (merged or deleted people keep theirs, so an
   * old handle in chat history still means who it meant). Ignored on save.
   */
  readonly handle?: number;
  /** Hidden from the people list by a member ("a stranger in the background"). Ignored on save. */
  readonly hidden?: boolean;
}

/** What a merge changed, so that Undo can put it back. */
export interface MergeUndo {
  /** The faces that moved from the merged person to the kept one. */
  readonly faces: readonly string[];
  /** The kept person's name before the merge (the merged person's name may have replaced it). */
  readonly intoName: string | null;
  /** The merged person's own name. */
  readonly fromName: string | null;
}

export interface SearchAnswer {
  /** sha256 of the selfie. */
  readonly selfie: string;
  readonly person: string;
  readonly yes: boolean;
  /** Who answered (chat user id), when known. */
  readonly answeredBy: string | null;
  readonly answeredAt: string;
}

export interface MetadataStore {
  /** Creates or upgrades the schema; safe to call on every start and from several processes. */
  migrate(): Promise<void>;

  /** Idempotent: creating an album that exists returns the existing record. */
  createAlbum(album: { id: string; tenant: string; photoCount: number }): Promise<AlbumRecord>;
  getAlbum(tenant: string, id: string): Promise<AlbumRecord | null>;
  setAlbumStatus(tenant: string, id: string, status: AlbumStatus, result?: AlbumResult): Promise<void>;
  /** Counts one photo as processed once, however often its job runs (keyed by sha256). */
  markPhotoProcessed(tenant: string, albumId: string, sha256: string): Promise<number>;
  listAlbums(tenant: string, opts?: { limit?: number }): Promise<AlbumRecord[]>;

  /** Idempotent on (tenant, sha256, albumId). */
  upsertPhoto(photo: PhotoRecord): Promise<void>;
  listPhotos(tenant: string, albumId: string): Promise<PhotoRecord[]>;
  getPhoto(tenant: string, sha256: string): Promise<PhotoRecord | null>;
  /** Idempotent on (tenant, albumId, name). */
  recordFailure(tenant: string, albumId: string, failure: AlbumFailure): Promise<void>;
  listFailures(tenant: string, albumId: string): Promise<AlbumFailure[]>;

  listPeople(tenant: string): Promise<PersonRecord[]>;
  /**
   * Every person's template (PersonRecord.centroid) and nothing else, in id order: the first pass of
   * `/find` reads all of a chat's templates per query, and the whole records cost it twice as long.
   */
  personTemplates(tenant: string): Promise<PersonTemplate[]>;
  getPerson(tenant: string, id: string): Promise<PersonRecord | null>;
  /** Insert or replace the person's row (names survive: a null name never overwrites a set one). */
  savePerson(person: PersonRecord): Promise<void>;
  namePerson(tenant: string, id: string, name: string | null): Promise<void>;
  /**
   * Removes `from` and records that it now means `into` (old ids in chat history still resolve), with
   * what Undo needs to take the merge back.
   */
  mergePeople(tenant: string, from: string, into: string, undo?: MergeUndo): Promise<void>;
  /** The merge that removed `from`: whom it joined and what Undo needs; null when `from` was not merged. */
  getMerge(tenant: string, from: string): Promise<{ into: string; undo: MergeUndo | null } | null>;
  /** Forgets that `from` was merged (before its record is saved again by an Undo). */
  dropMerge(tenant: string, from: string): Promise<void>;
  /** The person id a handle was given to (follow it with resolvePerson); null when never given. */
  personByHandle(tenant: string, handle: number): Promise<string | null>;
  setHidden(tenant: string, id: string, hidden: boolean): Promise<void>;
  /** A member chose the person's cover face: later saves keep it instead of the best face. */
  chooseCover(tenant: string, id: string, faceId: string): Promise<void>;
  /** Follows merges to the person an old id now means; null when deleted or unknown. */
  resolvePerson(tenant: string, id: string): Promise<string | null>;
  deletePerson(tenant: string, id: string): Promise<void>;
  /** "This face is not this person": the grouping never puts them together again. */
  addCannotLink(tenant: string, faceId: string, personId: string): Promise<void>;
  listCannotLinks(tenant: string): Promise<Array<{ faceId: string; personId: string }>>;

  /** Deletes everything of a tenant. */
  /**
   * A chat's answer to "is this <person>?" after an unsure search with a selfie (sha256), kept so the same
   * selfie is not asked about again: yes finds that person, no leaves them out.
   */
  saveSearchAnswer(tenant: string, answer: SearchAnswer): Promise<void>;
  listSearchAnswers(tenant: string, selfie: string): Promise<SearchAnswer[]>;
  forgetTenant(tenant: string): Promise<void>;
  close(): Promise<void>;
}
