/**
 * The blog post of an album as Telegram messages: album facts → a post (a language model when one is
 * configured, the offline writer otherwise or when the model fails) → HTML messages under 4096
 * characters.
 */
import type { AlbumResult } from '../../core/album.js';
import { writeModelPost } from '../../blog/claude-writer.js';
import { buildAlbumFacts } from '../../blog/facts.js';
import { writeOfflinePost } from '../../blog/offline-writer.js';
import { toTelegram } from '../../blog/split-telegram.js';
import type { TextWriter, TextWriterImage } from '../../ports/text-writer.js';

export interface ComposeOptions {
  readonly writer: TextWriter | null;
  /** The stored thumbnail of a photo (JPEG), for the model to look at. */
  readonly thumb: (sha256: string) => Promise<Uint8Array | null>;
  /** When each photo was sent (ISO), keyed by its name in the album, for photos without EXIF time. */
  readonly messageTimes?: Readonly<Record<string, string>>;
  /** FACEBLOG_LANGUAGE; unset = the senders' language_code. */
  readonly language?: string | null;
}

export interface ComposedPost {
  /** HTML messages, each within Telegram's 4096 characters. */
  readonly messages: string[];
  /** Why the post was written offline when a model was asked for; null otherwise. */
  readonly notice: string | null;
}

/**
 * Person ids become `person-<chat number>`, so the writers call people "Person 3", the same number the
 * chat's commands use, instead of an opaque id. Names stay.
 */
export function withChatNumbers(result: AlbumResult, numbers: ReadonlyMap<string, number>): AlbumResult {
  let next = Math.max(0, ...numbers.values()) + 1;
  const ids = new Map<string, string>();
  for (const person of result.people) ids.set(person.id, `person-${numbers.get(person.id) ?? next++}`);
  const map = (id: string | null) => (id === null ? null : (ids.get(id) ?? null));
  return {
    ...result,
    people: result.people.map((p) => ({ ...p, id: map(p.id) ?? p.id })),
    photos: result.photos.map((photo) => ({
      ...photo,
      faces: photo.faces.map((f) => ({ ...f, personId: map(f.personId) })),
    })),
  };
}

export async function composePost(
  result: AlbumResult,
  numbers: ReadonlyMap<string, number>,
  opts: ComposeOptions,
): Promise<ComposedPost> {
  const album = withChatNumbers(result, numbers);
  const facts = buildAlbumFacts(album, {
    ...(opts.messageTimes ? { messageTimes: opts.messageTimes } : {}),
    language: opts.language ?? null,
  });
  let post = writeOfflinePost(facts);
  let notice: string | null = null;
  if (opts.writer) {
    const shaOf = new Map(album.photos.map((p) => [p.path, p.sha256]));
    const images: TextWriterImage[] = [];
    for (const photo of facts.photos) {
      const sha = shaOf.get(photo.path);
      const bytes = sha ? await opts.thumb(sha) : null;
      if (bytes) {
        images.push({ id: photo.id, mediaType: 'image/jpeg', base64: Buffer.from(bytes).toString('base64') });
      }
    }
    const written = await writeModelPost(facts, { writer: opts.writer, images });
    post = written.post;
    notice = written.notice ?? null;
  }
  return { messages: toTelegram(post, facts, { html: true }).messages, notice };
}
