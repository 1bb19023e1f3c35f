/**
 * The blog post of a chat's album, the same for every chat surface: album facts with the chat's
 * handles ("#7" for an unnamed person, as /people says it), the photos the model sees (the policy of
 * src/blog/model-images.ts: at most 20, best of each burst, 512 px JPEGs), the offline writer when no
 * model is configured or the model fails (with the notice saying so), and every rejected model answer
 * logged. Returns data: Telegram turns the post into HTML messages, Discord into Markdown blocks.
 */
import type { AlbumResult } from '../core/album.js';
import { thumbKey } from '../core/keys.js';
import type { Log } from '../core/log.js';
import { writeModelPost } from '../blog/claude-writer.js';
import { buildAlbumFacts } from '../blog/facts.js';
import { collectModelImages } from '../blog/model-images.js';
import { writeOfflinePost } from '../blog/offline-writer.js';
import type { AlbumFacts, BlogPost } from '../blog/types.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { TextWriter } from '../ports/text-writer.js';
import { handleId, postLabel } from './person-label.js';

/** A person as the chat knows them (PersonSummary from the people service has these). */
export interface ChatPerson {
  readonly id: string;
  readonly handle: number;
}

export interface AlbumPostDeps {
  /** A language model; without one the offline writer writes the post. */
  readonly writer: TextWriter | null | undefined;
  /** The album's stored thumbnails, which the model's images are made from. */
  readonly blobs: Pick<BlobStore, 'get'>;
  /** FACEBLOG_LANGUAGE; unset = the senders' language. */
  readonly language?: string | null;
  readonly log: Log;
}

export interface AlbumPostInput {
  readonly tenant: string;
  readonly result: AlbumResult;
  /** The chat's people (listPeople): their handles label the post. */
  readonly people: readonly ChatPerson[];
  /** When each photo was sent (ISO), keyed by its name in the album, for photos without EXIF time. */
  readonly messageTimes?: Readonly<Record<string, string>>;
}

export interface ChatPost {
  readonly post: BlogPost;
  /** The facts the post was written from (photo ids → album paths for the surfaces' images). */
  readonly facts: AlbumFacts;
  /** Why the post was written offline although a model was asked; null otherwise. */
  readonly notice: string | null;
}

/**
 * The album with every person's id replaced by `person-<handle>`, so the writers never see an opaque
 * id and an unnamed person is called by their handle. A person the chat does not list (yet) gets a
 * number after the chat's highest, so two of them never share one.
 */
export function withHandles(result: AlbumResult, people: readonly ChatPerson[]): AlbumResult {
  const handleOf = new Map(people.map((p) => [p.id, p.handle]));
  let next = Math.max(0, ...handleOf.values()) + 1;
  const ids = new Map<string, string>();
  for (const person of result.people) ids.set(person.id, handleId(handleOf.get(person.id) ?? next++));
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

export async function writeAlbumPost(deps: AlbumPostDeps, input: AlbumPostInput): Promise<ChatPost> {
  const album = withHandles(input.result, input.people);
  const facts = buildAlbumFacts(album, {
    ...(input.messageTimes ? { messageTimes: input.messageTimes } : {}),
    language: deps.language ?? null,
    unnamedLabel: postLabel,
  });
  if (!deps.writer) return { post: writeOfflinePost(facts), facts, notice: null };

  const shaOf = new Map(album.photos.map((p) => [p.path, p.sha256]));
  const images = await collectModelImages(facts.photos, async (photo) => {
    const sha = shaOf.get(photo.path);
    return sha ? deps.blobs.get(thumbKey(input.tenant, sha)) : null;
  });
  const written = await writeModelPost(facts, { writer: deps.writer, images });
  for (const r of written.rejections)
    deps.log(`post attempt rejected: ${r.join('; ')}`, { tenant: input.tenant, level: 'warn' });
  return { post: written.post, facts, notice: written.notice ?? null };
}
