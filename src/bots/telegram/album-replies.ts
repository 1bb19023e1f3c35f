/**
 * What the chat gets when an album is done: the blog post, a contact sheet of the album's people with
 * who appears in which photo, and the photos that failed with their reasons.
 */
import { type Api, InlineKeyboard, InputFile } from 'grammy';
import type { ReplyParameters } from 'grammy/types';

import type { AlbumFailure, AlbumResult } from '../../core/album.js';
import { renderContactSheet, type SheetEntry } from '../../blog/contact-sheet.js';
import { escapeHtml, TELEGRAM_CAPTION_LIMIT } from '../../blog/split-telegram.js';
import { peopleToAsk } from '../../chat/who-is-this.js';
import { faceKey, thumbKey } from '../../core/keys.js';
import type { TelegramBotDeps } from './deps.js';
import { sendSuggestions } from './features/suggest.js';
import { failuresText, personNumbers, tileLabel, whoAppearsText } from './format.js';
import { composePost } from './post.js';

/** Sends the post as HTML messages, with the writer's notice when it fell back offline. */
export async function sendPost(
  api: Api,
  chatId: number,
  tenant: string,
  result: AlbumResult,
  numbers: ReadonlyMap<string, number>,
  deps: Pick<TelegramBotDeps, 'writer' | 'blobs' | 'language'>,
  messageTimes?: Readonly<Record<string, string>>,
  replyTo?: ReplyParameters,
): Promise<void> {
  const post = await composePost(result, numbers, {
    writer: deps.writer,
    thumb: (sha) => deps.blobs.get(thumbKey(tenant, sha)),
    language: deps.language ?? null,
    ...(messageTimes ? { messageTimes } : {}),
  });
  const reply = replyTo ? { reply_parameters: replyTo } : {};
  for (const text of post.messages) await api.sendMessage(chatId, text, { parse_mode: 'HTML', ...reply });
  if (post.notice) await api.sendMessage(chatId, post.notice, reply);
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

/**
 * Where the album's answers go: threaded as replies to the album's first message, with the status
 * message (already sent) edited into the first part of the post, so an album costs as few messages as
 * Telegram's limits allow (the post, then the contact sheet with its buttons).
 */
export interface AlbumThread {
  readonly replyTo: number;
  readonly statusId: number;
}

export interface AlbumReplyOptions {
  /** Photos the bot could not even hand over (too large, download failed). */
  readonly localFailures?: readonly AlbumFailure[];
  readonly messageTimes?: Readonly<Record<string, string>>;
  /** Said after the "done" line of a single photo (e.g. "I had seen this photo before"). */
  readonly note?: string;
}

/** "Name #7" buttons for the album's unnamed people worth asking about (src/chat/who-is-this.ts). */
export function whoIsThisKeyboard(
  result: AlbumResult,
  numbers: ReadonlyMap<string, number>,
): InlineKeyboard | null {
  const ask = peopleToAsk(result);
  if (ask.length === 0) return null;
  const keyboard = new InlineKeyboard();
  ask.forEach((id, i) => {
    keyboard.text(`Who is #${numbers.get(id) ?? '?'}?`, `nm:${id}`);
    if (i % 3 === 2) keyboard.row();
  });
  return keyboard;
}

/** Returns how many messages the album's answer took (the edited status message counts as one). */
export async function sendAlbumReplies(
  api: Api,
  chatId: number,
  tenant: string,
  result: AlbumResult,
  deps: TelegramBotDeps,
  thread: AlbumThread,
  opts: AlbumReplyOptions = {},
): Promise<number> {
  const numbers = personNumbers(await deps.people.listPeople(tenant));
  const reply = { reply_parameters: { message_id: thread.replyTo, allow_sending_without_reply: true } };
  const failures = failuresText([...result.failures, ...(opts.localFailures ?? [])]);
  const keyboard = whoIsThisKeyboard(result, numbers);
  let sent = 1;

  // A single stray photo gets a quiet acknowledgement on the status message, not a blog post.
  if (result.photos.length <= 1) {
    await api.editMessageText(chatId, thread.statusId, quietText(result, numbers, opts.note), {
      parse_mode: 'HTML',
      ...(keyboard ? { reply_markup: keyboard } : {}),
    });
    for (const text of failures) {
      await api.sendMessage(chatId, text, { parse_mode: 'HTML', ...reply });
      sent++;
    }
    return sent + (await sendSuggestions(api, chatId, tenant, result, deps, reply.reply_parameters));
  }

  const post = await composePost(result, numbers, {
    writer: deps.writer,
    thumb: (sha) => deps.blobs.get(thumbKey(tenant, sha)),
    ...(opts.messageTimes ? { messageTimes: opts.messageTimes } : {}),
  });
  const [head, ...tail] = post.messages;
  if (head) await api.editMessageText(chatId, thread.statusId, head, { parse_mode: 'HTML' });
  for (const text of tail) {
    await api.sendMessage(chatId, text, { parse_mode: 'HTML', ...reply });
    sent++;
  }
  if (post.notice) {
    await api.sendMessage(chatId, post.notice, reply);
    sent++;
  }

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
  // The failures ride in the sheet's caption when they fit, else they follow.
  const who = whoAppearsText(result, numbers);
  const blocks = [...who, ...failures];
  const caption =
    blocks.length > 1 && blocks.join('\n\n').length <= TELEGRAM_CAPTION_LIMIT
      ? [blocks.join('\n\n')]
      : blocks;
  const markup = keyboard ? { reply_markup: keyboard } : {};
  let rest = caption;
  if (sheet) {
    await api.sendPhoto(chatId, new InputFile(sheet, 'people.jpg'), {
      caption: caption[0] ?? '',
      parse_mode: 'HTML',
      ...reply,
      ...markup,
    });
    sent++;
    rest = caption.slice(1);
  }
  for (const [i, text] of rest.entries()) {
    await api.sendMessage(chatId, text, {
      parse_mode: 'HTML',
      ...reply,
      ...(i === 0 && !sheet ? markup : {}),
    });
    sent++;
  }
  return sent + (await sendSuggestions(api, chatId, tenant, result, deps, reply.reply_parameters));
}

/** "Saved 1 photo: Anna and #4." for a single photo. */
export function quietText(result: AlbumResult, numbers: ReadonlyMap<string, number>, note?: string): string {
  const names = result.people.map((p) => (p.name ? escapeHtml(p.name) : `#${numbers.get(p.id) ?? '?'}`));
  const who = names.length === 0 ? '' : `: ${names.join(', ')}`;
  const saved = result.photos.length === 0 ? 'Nothing saved' : 'Saved 1 photo';
  return `${saved}${who}.${note ? ` ${escapeHtml(note)}` : ''}`;
}
