/**
 * Downloading the images users attach. Discord serves attachments from its CDN by URL; the payload
 * already says each file's size and type, so oversized or non-image files are refused before any byte
 * is fetched, and each refusal becomes a line in the failure list rather than an error.
 */
import type { Attachment } from 'discord.js';

import { AppError, describeError, ErrorCode } from '../../core/errors.js';
import type { PhotoUpload } from '../../services/photo-service.js';

/** The attachment fields we read (discord.js `Attachment` and the raw API object both have them). */
export interface AttachmentRef {
  readonly name: string;
  readonly url: string;
  readonly size: number;
  readonly contentType: string | null;
}

export function attachmentRef(a: Attachment): AttachmentRef {
  return { name: a.name, url: a.url, size: a.size, contentType: a.contentType };
}

export interface DownloadFailure {
  readonly name: string;
  readonly code: string;
  readonly message: string;
}

/**
 * 25 MiB: Discord's upload limit in servers with boost level 2 (free servers allow 10 MiB), and well
 * under the decoder's own 64 MiB cap (src/pipeline/decode.ts DEFAULT_MAX_BYTES).
 */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;
/** One CDN download; a 25 MiB file takes a few seconds on a slow link. */
const DOWNLOAD_TIMEOUT_MS = 60_000;

/** Image types the pipeline decodes; HEIC often arrives untyped, so the extension counts too. */
const IMAGE_EXT = /\.(jpe?g|png|webp|bmp|heic|heif|hif|avif)$/i;

export function isImageAttachment(a: Pick<AttachmentRef, 'name' | 'contentType'>): boolean {
  return (a.contentType?.startsWith('image/') ?? false) || IMAGE_EXT.test(a.name);
}

export async function downloadAttachments(
  refs: readonly AttachmentRef[],
  fetchImpl: typeof fetch = fetch,
): Promise<{ uploads: PhotoUpload[]; failures: DownloadFailure[] }> {
  const uploads: PhotoUpload[] = [];
  const failures: DownloadFailure[] = [];
  for (const ref of refs) {
    if (!isImageAttachment(ref)) {
      failures.push({ name: ref.name, code: ErrorCode.UnsupportedFormat, message: 'not an image' });
      continue;
    }
    if (ref.size > MAX_ATTACHMENT_BYTES) {
      failures.push({
        name: ref.name,
        code: ErrorCode.FileTooLarge,
        message: `larger than ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`,
      });
      continue;
    }
    try {
      uploads.push({ name: ref.name, bytes: await download(ref, fetchImpl) });
    } catch (error) {
      const { code, message } = describeError(error);
      failures.push({ name: ref.name, code, message });
    }
  }
  return { uploads, failures };
}

async function download(ref: AttachmentRef, fetchImpl: typeof fetch): Promise<Uint8Array> {
  const url = new URL(ref.url);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError(ErrorCode.BadArguments, 'not an http(s) URL', { name: ref.name });
  }
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (error) {
    throw new AppError(ErrorCode.Io, 'download failed', { name: ref.name }, error);
  }
  if (!response.ok) {
    throw new AppError(ErrorCode.Io, `download failed (HTTP ${response.status})`, { name: ref.name });
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  // The declared size is the sender's word; the bytes are checked again.
  if (bytes.length > MAX_ATTACHMENT_BYTES) {
    throw new AppError(ErrorCode.FileTooLarge, 'larger than declared', { name: ref.name });
  }
  if (bytes.length === 0) throw new AppError(ErrorCode.EmptyFile, 'an empty file', { name: ref.name });
  return bytes;
}
