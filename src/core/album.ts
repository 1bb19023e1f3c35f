import type { Box, GpsPoint, Landmarks, SceneObject } from './types.js';

/** The album result (`album.json`): what the CLI writes and what the blog and the bots read. */
export interface AlbumFace {
  /** [x, y, w, h] in upright original-image pixels. */
  readonly box: Box;
  readonly landmarks: Landmarks;
  /** Detector confidence 0..1. */
  readonly score: number;
  /** Quality score 0..1 and the reasons it is low. */
  readonly quality: number;
  readonly qualityReasons: readonly string[];
  /** Person this face belongs to; null for faces too poor to group (background strangers). */
  readonly personId: string | null;
}

export interface AlbumPhoto {
  /** Path relative to the album folder, with forward slashes. */
  readonly path: string;
  readonly sha256: string;
  readonly format: string;
  readonly width: number;
  readonly height: number;
  /** ISO 8601; with the UTC offset when the camera recorded one (OffsetTimeOriginal), else local time. */
  readonly takenAt: string | null;
  readonly gps: GpsPoint | null;
  readonly faces: readonly AlbumFace[];
  /** Path of the photo this one repeats (same bytes or a near-identical re-send/burst shot). */
  readonly duplicateOf: string | null;
  /** Scene objects (COCO classes) with their scores, best first; absent in albums made before them. */
  readonly objects?: readonly SceneObject[];
  /** The chat message that brought the photo, when it came from a chat. */
  readonly message?: PhotoMessage;
}

/** What a chat says about a photo besides its pixels. */
export interface PhotoMessage {
  /** ISO time the message was sent. */
  readonly sentAt: string;
  /** The sender's first name as the chat shows it. */
  readonly sender?: string;
  /** The message's caption (an album's caption usually sits on its first photo). */
  readonly caption?: string;
  /** The sender's app language (Telegram language_code, e.g. "de", "pt-br"). */
  readonly language?: string;
  /**
   * The original as the chat itself can show it again: `/find` resends it by reference (full quality,
   * no upload) instead of re-uploading a thumbnail, and links the message that brought it.
   */
  readonly original?: PhotoOriginal;
}

/** A chat's own reference to a photo it holds. */
export interface PhotoOriginal {
  /** Sent as a compressed photo or as a file (a Telegram file id only resends as the same kind). */
  readonly kind: 'photo' | 'document';
  /**
   * The chat's lasting reference to the file (Telegram's file id, usable by this bot only); absent where
   * the chat has none that lasts (Discord's attachment URLs expire).
   */
  readonly ref?: string;
  /** The chat message that carried it (a Telegram message id, a Discord snowflake). */
  readonly message: string;
  /** A link to that message, where the chat has links (Telegram supergroups, Discord servers). */
  readonly link?: string;
}

export interface AlbumPerson {
  /**
   * The CLI's `faceblog album` numbers people within the one album, `person-1`, `person-2`, … in order of
   * first appearance; the service uses the chat's persistent person ids (`p<hex>`), the same in every
   * album of that chat.
   */
  readonly id: string;
  readonly name: string | null;
  /** Paths of the photos the person appears in. */
  readonly photos: readonly string[];
  readonly faceCount: number;
  /** The best face of this person (highest quality). */
  readonly representative: { readonly photo: string; readonly faceIndex: number; readonly box: Box };
}

export interface AlbumFailure {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export interface AlbumResult {
  readonly version: 1;
  readonly pack: string;
  readonly pipelineVersion: number;
  readonly createdAt: string;
  readonly photos: readonly AlbumPhoto[];
  readonly people: readonly AlbumPerson[];
  readonly failures: readonly AlbumFailure[];
}
