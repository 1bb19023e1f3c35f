/**
 * What the chat gets when an album is done: the blog post, a contact sheet of the album's people with
 * who appears in which photo, and the photos that failed with their reasons.
 */
import { type Api, InputFile } from 'grammy';

import type { AlbumFailure, AlbumResult } from '../../core/album.js';
import { renderContactSheet, type SheetEntry } from '../../blog/contact-sheet.js';
import { faceKey, thumbKey } from '../../core/keys.js';
import type { TelegramBotDeps } from './deps.js';
import { failuresText, personNumbers, tileLabel, whoAppearsText } from './format.js';
import { composePost } from './post.js';

export interface AlbumReplyOptions {
  /** Photos the bot could not even hand over (too large, download failed). */
  readonly localFailures?: readonly AlbumFailure[];
  readonly messageTimes?: Readonly<Record<string, string>>;
}

/** Sends the post as HTML messages, with the writer's notice when it fell back offline. */
export async function sendPost(
  api: Api,
  chatId: number,
  tenant: string,
  result: AlbumResult,
  numbers: ReadonlyMap<string, number>,
  deps: Pick<TelegramBotDeps, 'writer' | 'blobs' | 'language'>,
  messageTimes?: Readonly<Record<string, string>>,
): Promise<void> {
  const post = await composePost(result, numbers, {
    writer: deps.writer,
    thumb: (sha) => deps.blobs.get(thumbKey(tenant, sha)),
    language: deps.language ?? null,
    ...(messageTimes ? { messageTimes } : {}),
  });
  for (const text of post.messages) await api.sendMessage(chatId, text, { parse_mode: 'HTML' });
  if (post.notice) await api.sendMessage(chatId, post.notice);
}

/** The contact sheet of the given people, labelled with their chat numbers; null when no crop exists. */
export async function contactSheet(
  entries: readonly { num: number; name: string | null; faceKey: string | null }[],
  blobs: TelegramBotDeps['blobs'],
): Promise<Buffer | null> {
  const tiles: SheetEntry[] = [];
  for (const e of entries) {
    const face = e.faceKey ? await blobs.get(e.faceKey) : null;
    if (face) tiles.push({ label: tileLabel(e.num, e.name), face: Buffer.from(face) });
  }
  return tiles.length === 0 ? null : renderContactSheet(tiles);
}

export async function sendAlbumReplies(
  api: Api,
  chatId: number,
  tenant: string,
  result: AlbumResult,
  deps: TelegramBotDeps,
  opts: AlbumReplyOptions = {},
): Promise<void> {
  const numbers = personNumbers(await deps.people.listPeople(tenant));
  await sendPost(api, chatId, tenant, result, numbers, deps, opts.messageTimes);

  const shaOf = new Map(result.photos.map((p) => [p.path, p.sha256]));
  const people = [...result.people].sort(
    (a, b) => (numbers.get(a.id) ?? Infinity) - (numbers.get(b.id) ?? Infinity),
  );
  const sheet = await contactSheet(
    people.map((p) => {
      const sha = shaOf.get(p.representative.photo);
      return {
        num: numbers.get(p.id) ?? 0,
        name: p.name,
        faceKey: sha ? faceKey(tenant, sha, p.representative.faceIndex) : null,
      };
    }),
    deps.blobs,
  );
  const who = whoAppearsText(result, numbers);
  let rest = who;
  if (sheet) {
    await api.sendPhoto(chatId, new InputFile(sheet, 'people.jpg'), {
      caption: who[0] ?? '',
      parse_mode: 'HTML',
    });
    rest = who.slice(1);
  }
  for (const text of rest) await api.sendMessage(chatId, text, { parse_mode: 'HTML' });
  for (const text of failuresText([...result.failures, ...(opts.localFailures ?? [])])) {
    await api.sendMessage(chatId, text, { parse_mode: 'HTML' });
  }
}
