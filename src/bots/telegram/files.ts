/**
 * Photos and image files in messages, and downloading them through the Bot API (getFile, then
 * `<apiRoot>/file/bot<token>/<file_path>`).
 */
import type { Api } from 'grammy';
import type { Message } from 'grammy/types';

import { AppError, ErrorCode } from '../../core/errors.js';

/** The Bot API serves files up to 20 MB to bots (core.telegram.org/bots/api#getfile). */
export const BOT_API_DOWNLOAD_LIMIT = 20 * 1024 * 1024;

/** Extensions of image files we accept as documents: originals keep EXIF, iPhones send HEIC. */
const IMAGE_EXT = /\.(jpe?g|png|webp|heic|heif|avif|bmp)$/i;

export interface IncomingMedia {
  readonly kind: 'photo' | 'document';
  readonly fileId: string;
  /** Bytes as Telegram reports them; null when it does not say. */
  readonly fileSize: number | null;
  /** The document's file name; null for compressed photos. */
  readonly fileName: string | null;
  readonly messageId: number;
  /** Unix seconds the message was sent. */
  readonly date: number;
  /** The message's caption, its sender's first name and app language (language_code), when given. */
  readonly caption?: string;
  readonly sender?: string;
  readonly language?: string;
}

/** What the post may use of the message beside the file. */
function messageFacts(msg: Message): Pick<IncomingMedia, 'caption' | 'sender' | 'language'> {
  return {
    ...(msg.caption ? { caption: msg.caption } : {}),
    ...(msg.from?.first_name ? { sender: msg.from.first_name } : {}),
    ...(msg.from?.language_code ? { language: msg.from.language_code } : {}),
  };
}

/** The photo (its largest size) or image document of a message; null for anything else. */
export function mediaOf(msg: Message | undefined): IncomingMedia | null {
  if (!msg) return null;
  if (msg.photo && msg.photo.length > 0) {
    // Telegram lists the sizes smallest first.
    const largest = msg.photo.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    return {
      kind: 'photo',
      fileId: largest.file_id,
      fileSize: largest.file_size ?? null,
      fileName: null,
      messageId: msg.message_id,
      date: msg.date,
      ...messageFacts(msg),
    };
  }
  const doc = msg.document;
  if (doc && isImageDocument(doc.mime_type, doc.file_name)) {
    return {
      kind: 'document',
      fileId: doc.file_id,
      fileSize: doc.file_size ?? null,
      fileName: doc.file_name ?? null,
      messageId: msg.message_id,
      date: msg.date,
      ...messageFacts(msg),
    };
  }
  return null;
}

export function isImageDocument(mime: string | undefined, name: string | undefined): boolean {
  return (mime?.startsWith('image/') ?? false) || (name !== undefined && IMAGE_EXT.test(name));
}

export function isTooLarge(media: IncomingMedia): boolean {
  return media.fileSize !== null && media.fileSize > BOT_API_DOWNLOAD_LIMIT;
}

export type Downloader = (fileId: string) => Promise<Uint8Array>;

/** A file download: a minute is ample for 20 MB on any link a bot runs on. */
const DOWNLOAD_TIMEOUT_MS = 60_000;

export function createDownloader(api: Api, apiRoot: string, token: string): Downloader {
  return async (fileId) => {
    const file = await api.getFile(fileId);
    if (!file.file_path) {
      throw new AppError(ErrorCode.Io, 'Telegram gave no download path for the file', { fileId });
    }
    if (file.file_size !== undefined && file.file_size > BOT_API_DOWNLOAD_LIMIT) {
      throw new AppError(ErrorCode.FileTooLarge, 'the file is over the 20 MB bot download limit', {
        bytes: file.file_size,
      });
    }
    const url = `${apiRoot}/file/bot${token}/${file.file_path}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
    } catch (error) {
      // The URL holds the token: never put it in the error.
      throw new AppError(ErrorCode.Io, 'downloading the file failed', { fileId }, error);
    }
    if (!response.ok) {
      throw new AppError(ErrorCode.Io, `downloading the file failed with HTTP ${response.status}`, {
        fileId,
      });
    }
    return new Uint8Array(await response.arrayBuffer());
  };
}
