/**
 * What a failed photo's code means to the person who sent it, the same on every chat surface. Only the
 * pipeline's codes are here; a surface adds the words for its own (a download limit is Telegram's or
 * Discord's). Pure.
 */
import type { AlbumFailure } from '../core/album.js';
import { ErrorCode } from '../core/errors.js';

const PHOTO_FAILURE: Readonly<Record<string, string>> = {
  [ErrorCode.CorruptImage]: 'the file is damaged or not an image',
  [ErrorCode.UnsupportedFormat]: 'this image format is not supported',
  [ErrorCode.EmptyFile]: 'the file is empty',
  [ErrorCode.TooManyPixels]: 'the image is too large to process',
};

/** Plain words for the failure's code; the failure's own message for any other code. */
export function failureWords(failure: Pick<AlbumFailure, 'code' | 'message'>): string {
  return PHOTO_FAILURE[failure.code] ?? failure.message;
}
