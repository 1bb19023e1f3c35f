/**
 * "Who's this?" after an album: the album's unnamed people worth a name. Strangers in the background
 * are not asked about: a person qualifies by appearing in two photos or more, or by being one of the
 * album's main faces (a face at least MAIN_FACE_SHARE of its photo's width). Pure.
 */
import type { AlbumResult } from '../core/album.js';

/**
 * A face this wide relative to its photo is someone the photo is of, not a passer-by: in the fixture
 * albums, portraits and group shots have faces of 8 to 40 % of the width, background faces under 5 %.
 */
export const MAIN_FACE_SHARE = 0.08;
/** Buttons under one message stay readable on a phone with at most this many people. */
export const MAX_ASKED = 8;

export function peopleToAsk(result: AlbumResult, maxAsked = MAX_ASKED): string[] {
  const widthOf = new Map(result.photos.map((p) => [p.path, p.width]));
  return result.people
    .filter((p) => p.name === null)
    .filter((p) => {
      const width = widthOf.get(p.representative.photo) ?? 0;
      return p.photos.length >= 2 || (width > 0 && p.representative.box[2] >= MAIN_FACE_SHARE * width);
    })
    .sort((a, b) => b.photos.length - a.photos.length || b.faceCount - a.faceCount)
    .slice(0, maxAsked)
    .map((p) => p.id);
}
