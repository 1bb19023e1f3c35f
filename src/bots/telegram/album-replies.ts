/**
 * What the chat gets when an album is done: the blog post, a contact sheet of the album's people with
 * who appears in which photo, and the photos that failed with their reasons.
 */
import { type Api, InlineKeyboard, InputFile } from 'grammy';
import type { ReplyParameters } from 'grammy/types';

import type { AlbumFailure, AlbumResult } from '../../core/album.js';
import { escapeHtml, TELEGRAM_CAPTION_LIMIT } from '../../blog/split-telegram.js';
import { writeAlbumPost, type ChatPerson } from '../../chat/album-post.js';
import { albumReport, peopleSheet, type AlbumSummary } from '../../chat/album-report.js';
import type { TelegramBotDeps } from './deps.js';
import { sendSuggestions } from './features/suggest.js';
import { failuresText, whoAppearsText } from './format.js';
import { postMessages } from './post.js';

type PostDeps = Pick<TelegramBotDeps, 'writer' | 'blobs' | 'language' | 'log'>;

/** Sends the post as HTML messages, with the writer's notice when it fell back offline. */
export async function sendPost(
  api: Api,
  chatId: number,
  tenant: string,
  result: AlbumResult,
  people: readonly ChatPerson[],
  deps: PostDeps,
  replyTo?: ReplyParameters,
): Promise<void> {
  const written = await writeAlbumPost(deps, { tenant, result, people });
  const reply = replyTo ? { reply_parameters: replyTo } : {};
  for (const text of postMessages(written))
    await api.sendMessage(chatId, text, { parse_mode: 'HTML', ...reply });
  if (written.notice) await api.sendMessage(chatId, written.notice, reply);
}

/** The contact sheet of the given people, labelled with their chat handles; null when no crop exists. */
export async function contactSheet(
  entries: readonly { num: number; name: string | null; faceKey: string | null }[],
  blobs: TelegramBotDeps['blobs'],
): Promise<Buffer | null> {
  return peopleSheet(
    entries.map((e) => ({ handle: e.num, name: e.name, faceKey: e.faceKey })),
    blobs,
  );
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
export function whoIsThisKeyboard(report: Pick<AlbumSummary, 'ask'>): InlineKeyboard | null {
  if (report.ask.length === 0) return null;
  const keyboard = new InlineKeyboard();
  report.ask.forEach((person, i) => {
    keyboard.text(`Who is #${person.handle ?? '?'}?`, `nm:${person.id}`);
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
  const people = await deps.people.listPeople(tenant);
  const report = await albumReport(deps.blobs, {
    tenant,
    result,
    people,
    ...(opts.localFailures ? { localFailures: opts.localFailures } : {}),
  });
  const reply = { reply_parameters: { message_id: thread.replyTo, allow_sending_without_reply: true } };
  const failures = failuresText(report.failures);
  const keyboard = whoIsThisKeyboard(report);
  let sent = 1;

  // A single stray photo gets a quiet acknowledgement on the status message, not a blog post.
  if (report.photos <= 1) {
    await api.editMessageText(chatId, thread.statusId, quietText(report, opts.note), {
      parse_mode: 'HTML',
      ...(keyboard ? { reply_markup: keyboard } : {}),
    });
    for (const text of failures) {
      await api.sendMessage(chatId, text, { parse_mode: 'HTML', ...reply });
      sent++;
    }
    return sent + (await sendSuggestions(api, chatId, tenant, result, deps, reply.reply_parameters));
  }

  const written = await writeAlbumPost(deps, {
    tenant,
    result,
    people,
    ...(opts.messageTimes ? { messageTimes: opts.messageTimes } : {}),
  });
  const [head, ...tail] = postMessages(written);
  if (head) await api.editMessageText(chatId, thread.statusId, head, { parse_mode: 'HTML' });
  for (const text of tail) {
    await api.sendMessage(chatId, text, { parse_mode: 'HTML', ...reply });
    sent++;
  }
  if (written.notice) {
    await api.sendMessage(chatId, written.notice, reply);
    sent++;
  }

  // The failures ride in the sheet's caption when they fit, else they follow.
  const who = whoAppearsText(report);
  const blocks = [...who, ...failures];
  const caption =
    blocks.length > 1 && blocks.join('\n\n').length <= TELEGRAM_CAPTION_LIMIT
      ? [blocks.join('\n\n')]
      : blocks;
  const markup = keyboard ? { reply_markup: keyboard } : {};
  let rest = caption;
  if (report.sheet) {
    await api.sendPhoto(chatId, new InputFile(report.sheet, 'people.jpg'), {
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
      ...(i === 0 && !report.sheet ? markup : {}),
    });
    sent++;
  }
  return sent + (await sendSuggestions(api, chatId, tenant, result, deps, reply.reply_parameters));
}

/** "Saved 1 photo: Anna and #4." for a single photo. */
export function quietText(report: Pick<AlbumSummary, 'photos' | 'people'>, note?: string): string {
  const names = report.people.map((p) => (p.name ? escapeHtml(p.name) : `#${p.handle ?? '?'}`));
  const who = names.length === 0 ? '' : `: ${names.join(', ')}`;
  const saved = report.photos === 0 ? 'Nothing saved' : 'Saved 1 photo';
  return `${saved}${who}.${note ? ` ${escapeHtml(note)}` : ''}`;
}
