/**
 * An album's result as Discord messages: the chat's report (src/chat/album-report.ts: who appears in
 * which photo, the contact sheet, the failures) and post (src/chat/album-post.ts), formatted here as
 * Markdown within Discord's limits.
 */
import type { AlbumResult } from '../../core/album.js';
import { thumbKey } from '../../core/keys.js';
import { writeAlbumPost } from '../../chat/album-post.js';
import { albumReport as reportOf } from '../../chat/album-report.js';
import { personLabel } from '../../chat/person-label.js';
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

/** "Who is where" as text plus a contact sheet of the album's people, and every failure. */
export async function albumReport(
  deps: DiscordDeps,
  tenant: string,
  result: AlbumResult,
  labels: PeopleLabels,
  extraFailures: readonly FailureLine[],
): Promise<OutMessage> {
  const report = await reportOf(deps.blobs, {
    tenant,
    result,
    people: labels.people,
    localFailures: extraFailures.map((f) => ({ path: f.name, code: f.code, message: f.message })),
  });
  const lines = [
    `✅ **Done: ${plural(report.distinctPhotos, 'photo')}, ${plural(report.people.length, 'person', 'people')}.**`,
  ];
  // In /people order, so "#2" comes after "#1".
  for (const person of report.people) {
    const label = person.name ?? personLabel(person.handle, null);
    lines.push(`**${esc(label)}**: ${person.photos.map((p) => esc(p)).join(', ')}`);
  }
  if (report.nobody.length > 0)
    lines.push(`Nobody recognised: ${report.nobody.map((p) => esc(p)).join(', ')}`);
  const failed = failureText(report.failures.map((f) => ({ name: f.path, code: f.code, message: f.reason })));
  const content = clip([lines.join('\n'), failed].filter(Boolean).join('\n\n'));
  if (!report.sheet) return { content };
  return { content, files: [{ name: 'people.jpg', data: report.sheet }] };
}

/** The post as messages within Discord's limits; the first carries the cited photos (up to 10). */
export async function albumPost(
  deps: DiscordDeps,
  tenant: string,
  result: AlbumResult,
  labels: PeopleLabels,
): Promise<OutMessage[]> {
  const { post, facts, notice } = await writeAlbumPost(
    { writer: deps.writer, blobs: deps.blobs, language: deps.language ?? null, log: deps.log },
    { tenant, result, people: labels.people },
  );

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

  const shaOf = new Map(result.photos.map((p) => [p.path, p.sha256]));
  const pathOf = new Map(facts.photos.map((p) => [p.id, p.path]));
  const files: OutFile[] = [];
  for (const id of cited.slice(0, DISCORD_FILES_LIMIT)) {
    const sha = shaOf.get(pathOf.get(id) ?? '');
    const bytes = sha ? await deps.blobs.get(thumbKey(tenant, sha)) : null;
    if (bytes) files.push({ name: `${id}.jpg`, data: Buffer.from(bytes) });
  }
  return texts.map((content, i) => (i === 0 && files.length > 0 ? { content, files } : { content }));
}
