/**
 * An album's result as Discord messages: the report (who appears in which photo, with a contact sheet
 * of their faces, and the failures) and the blog post (offline writer, or the configured model).
 */
import type { AlbumResult } from '../../core/album.js';
import { faceKey, thumbKey } from '../../core/keys.js';
import { writeModelPost } from '../../blog/claude-writer.js';
import { renderContactSheet, type SheetEntry } from '../../blog/contact-sheet.js';
import { buildAlbumFacts } from '../../blog/facts.js';
import { MODEL_MAX_SIDE, toJpeg } from '../../blog/images.js';
import { writeOfflinePost } from '../../blog/offline-writer.js';
import type { BlogPost } from '../../blog/types.js';
import type { TextWriterImage } from '../../ports/text-writer.js';
import type { DiscordDeps } from './context.js';
import { clip, DISCORD_FILES_LIMIT, esc, failureText, packText, plural, type FailureLine } from './format.js';
import type { PeopleLabels } from './people-labels.js';

export interface OutFile {
  readonly name: string;
  readonly data: Buffer;
}

export interface OutMessage {
  readonly content: string;
  readonly files?: readonly OutFile[];
}

/** Photos shown to the model: 20 at 512 px ≈ 7 k image tokens (src/blog/write-site.ts MODEL_IMAGES). */
const MODEL_IMAGES = 20;

/**
 * The album with chat labels: unnamed people get the id `person-N` (N from /people), which the blog's
 * facts call "Person N", so the post, the report and /people agree.
 */
export function labelAlbum(result: AlbumResult, labels: PeopleLabels): AlbumResult {
  const idOf = (id: string): string => {
    const n = labels.number(id);
    const named = result.people.find((p) => p.id === id)?.name;
    return named || n === null ? id : `person-${n}`;
  };
  return {
    ...result,
    photos: result.photos.map((photo) => ({
      ...photo,
      faces: photo.faces.map((f) => ({ ...f, personId: f.personId === null ? null : idOf(f.personId) })),
    })),
    people: result.people.map((p) => ({ ...p, id: idOf(p.id) })),
  };
}

/** "Who is where" as text plus a contact sheet of the album's people, and every failure. */
export async function albumReport(
  deps: DiscordDeps,
  tenant: string,
  result: AlbumResult,
  labels: PeopleLabels,
  extraFailures: readonly FailureLine[],
): Promise<OutMessage> {
  const photos = result.photos.filter((p) => p.duplicateOf === null).length;
  const lines = [
    `✅ **Done: ${plural(photos, 'photo')}, ${plural(result.people.length, 'person', 'people')}.**`,
  ];
  const entries: SheetEntry[] = [];
  const shaOf = new Map(result.photos.map((p) => [p.path, p.sha256]));
  // In /people order, so "Person 2" comes after "Person 1".
  const order = (id: string) => labels.number(id) ?? Number.MAX_SAFE_INTEGER;
  const people = [...result.people].sort((a, b) => order(a.id) - order(b.id));
  for (const person of people) {
    const label = person.name ?? labels.label(person.id);
    lines.push(`**${esc(label)}**: ${person.photos.map((p) => esc(p)).join(', ')}`);
    const sha = shaOf.get(person.representative.photo);
    const face = sha ? await deps.blobs.get(faceKey(tenant, sha, person.representative.faceIndex)) : null;
    if (face) entries.push({ label, face: Buffer.from(face) });
  }
  const nobody = result.photos.filter((p) => p.faces.length === 0).map((p) => esc(p.path));
  if (nobody.length > 0) lines.push(`No faces: ${nobody.join(', ')}`);
  const failures = [
    ...extraFailures,
    ...result.failures.map((f) => ({ name: f.path, code: f.code, message: f.message })),
  ];
  const failed = failureText(failures);
  const content = clip([lines.join('\n'), failed].filter(Boolean).join('\n\n'));
  if (entries.length === 0) return { content };
  return { content, files: [{ name: 'people.jpg', data: await renderContactSheet(entries) }] };
}

/** The post as messages within Discord's limits; the first carries the cited photos (up to 10). */
export async function albumPost(
  deps: DiscordDeps,
  tenant: string,
  result: AlbumResult,
  labels: PeopleLabels,
): Promise<OutMessage[]> {
  const labelled = labelAlbum(result, labels);
  const facts = buildAlbumFacts(labelled, { language: deps.language ?? null });
  const shaOf = new Map(labelled.photos.map((p) => [p.path, p.sha256]));
  const thumb = async (path: string): Promise<Buffer | null> => {
    const sha = shaOf.get(path);
    const bytes = sha ? await deps.blobs.get(thumbKey(tenant, sha)) : null;
    return bytes ? Buffer.from(bytes) : null;
  };

  let post: BlogPost;
  let notice: string | undefined;
  if (deps.writer) {
    const images: TextWriterImage[] = [];
    for (const photo of facts.photos) {
      if (images.length >= MODEL_IMAGES || photo.bestOfBurst !== photo.id) continue;
      const bytes = await thumb(photo.path);
      if (!bytes) continue;
      const small = await toJpeg(bytes, MODEL_MAX_SIDE, 75);
      images.push({ id: photo.id, mediaType: 'image/jpeg', base64: small.toString('base64') });
    }
    const written = await writeModelPost(facts, { writer: deps.writer, images });
    post = written.post;
    notice = written.notice;
    for (const r of written.rejections) deps.log(`discord: post attempt rejected: ${r.join('; ')}`);
  } else {
    post = writeOfflinePost(facts);
  }

  const blocks = [`# ${esc(post.title)}`, esc(post.intro)];
  const cited: string[] = [];
  for (const s of post.sections) {
    const shown = s.photos.map((id) => `${id}${s.captions[id] ? `: ${esc(s.captions[id])}` : ''}`);
    blocks.push(`## ${esc(s.heading)}\n${esc(s.text)}${shown.length ? `\n-# 📷 ${shown.join(' · ')}` : ''}`);
    for (const id of s.photos) if (!cited.includes(id)) cited.push(id);
  }
  blocks.push(esc(post.closing));
  if (notice) blocks.push(`-# ${esc(notice)}`);
  const texts = packText(blocks.filter((b) => b.trim() !== ''));

  const pathOf = new Map(facts.photos.map((p) => [p.id, p.path]));
  const files: OutFile[] = [];
  for (const id of cited.slice(0, DISCORD_FILES_LIMIT)) {
    const bytes = await thumb(pathOf.get(id) ?? '');
    if (bytes) files.push({ name: `${id}.jpg`, data: bytes });
  }
  return texts.map((content, i) => (i === 0 && files.length > 0 ? { content, files } : { content }));
}
