/**
 * What a chat is told when an album is done, as data: the photo counts, the album's people in handle
 * order (the order of /people) with their photos and best face, the photos where nobody was
 * recognised, the failures in plain words, the unnamed people worth asking about, and a contact sheet
 * of the faces. Telegram formats it as HTML with a keyboard, Discord as Markdown with buttons.
 */
import type { AlbumFailure, AlbumResult } from '../core/album.js';
import { faceKey } from '../core/keys.js';
import { renderContactSheet, type SheetEntry } from '../blog/contact-sheet.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { ChatPerson } from './album-post.js';
import { failureWords } from './failure-words.js';
import { tileLabel } from './person-label.js';
import { peopleToAsk } from './who-is-this.js';

/** A person of the album as the chat calls them. */
export interface ReportPerson {
  readonly id: string;
  /** The chat's handle ("#7"), or null for someone the chat no longer lists. */
  readonly handle: number | null;
  readonly name: string | null;
  /** The album photos they appear in, in natural name order ("photo 2" before "photo 10"). */
  readonly photos: readonly string[];
  /** Blob key of their best face in this album (the crop the worker stored). */
  readonly faceKey: string | null;
}

export interface ReportFailure {
  readonly path: string;
  readonly code: string;
  /** What the code means to the person who sent the photo (the stored message for unknown codes). */
  readonly reason: string;
  /** The message as the pipeline (or the download) wrote it. */
  readonly message: string;
}

/** The report without the contact sheet: pure data, from the album and the chat's people. */
export interface AlbumSummary {
  /** Every photo of the album, repeats included. */
  readonly photos: number;
  /** Photos that are not a repeat of another photo of the album. */
  readonly distinctPhotos: number;
  readonly people: readonly ReportPerson[];
  /** Photos in which nobody was recognised, in natural name order. */
  readonly nobody: readonly string[];
  /** The album's failures and the surface's own (downloads), by photo name. */
  readonly failures: readonly ReportFailure[];
  /** Unnamed people worth a name (src/chat/who-is-this.ts), most photos first. */
  readonly ask: readonly { readonly id: string; readonly handle: number | null }[];
}

export interface AlbumReport extends AlbumSummary {
  /** JPEG: every person's face labelled "#7 · Anna"; null when no face crop exists. */
  readonly sheet: Buffer | null;
}

export interface AlbumReportInput {
  readonly tenant: string;
  readonly result: AlbumResult;
  /** The chat's people (listPeople), for their handles. */
  readonly people: readonly ChatPerson[];
  /** Photos the surface could not even hand over (too large, download failed). */
  readonly localFailures?: readonly AlbumFailure[];
}

/** Natural order of album photo names: "photo 2" before "photo 10". */
export function byName(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** The album's report as data, without I/O. */
export function summarizeAlbum(input: AlbumReportInput): AlbumSummary {
  const { result, tenant } = input;
  const handleOf = new Map(input.people.map((p) => [p.id, p.handle]));
  const order = (id: string) => handleOf.get(id) ?? Number.MAX_SAFE_INTEGER;
  const shaOf = new Map(result.photos.map((p) => [p.path, p.sha256]));
  const people = [...result.people]
    .sort((a, b) => order(a.id) - order(b.id))
    .map((person): ReportPerson => {
      const sha = shaOf.get(person.representative.photo);
      return {
        id: person.id,
        handle: handleOf.get(person.id) ?? null,
        name: person.name?.trim() || null,
        photos: [...person.photos].sort(byName),
        faceKey: sha ? faceKey(tenant, sha, person.representative.faceIndex) : null,
      };
    });
  const failures = [...result.failures, ...(input.localFailures ?? [])]
    .sort((a, b) => byName(a.path, b.path))
    .map((f) => ({ path: f.path, code: f.code, reason: failureWords(f), message: f.message }));
  return {
    photos: result.photos.length,
    distinctPhotos: result.photos.filter((p) => p.duplicateOf === null).length,
    people,
    nobody: result.photos
      .filter((p) => !p.faces.some((f) => f.personId !== null))
      .map((p) => p.path)
      .sort(byName),
    failures,
    ask: peopleToAsk(result).map((id) => ({ id, handle: handleOf.get(id) ?? null })),
  };
}

/** The album's report with the contact sheet of its people's faces (read from the blob store). */
export async function albumReport(
  blobs: Pick<BlobStore, 'get'>,
  input: AlbumReportInput,
): Promise<AlbumReport> {
  const summary = summarizeAlbum(input);
  return { ...summary, sheet: await peopleSheet(summary.people, blobs) };
}

/**
 * The contact sheet of the given people (an album's, /people's, a merge question's), each face labelled
 * "#7 · Anna"; null when none of their face crops exists.
 */
export async function peopleSheet(
  people: readonly {
    readonly handle: number | null;
    readonly name: string | null;
    readonly faceKey: string | null;
  }[],
  blobs: Pick<BlobStore, 'get'>,
): Promise<Buffer | null> {
  const tiles: SheetEntry[] = [];
  for (const p of people) {
    const face = p.faceKey ? await blobs.get(p.faceKey) : null;
    if (face) tiles.push({ label: tileLabel(p.handle ?? 0, p.name), face: Buffer.from(face) });
  }
  return tiles.length === 0 ? null : renderContactSheet(tiles);
}
