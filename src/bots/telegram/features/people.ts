/**
 * The chat's people, by handle (#7) or name, always with their face: /people (a contact sheet; people
 * seen once and hidden people folded away), /person <who> (a card with buttons), /name <who> <name>,
 * /merge <a> <b> (both faces, then Undo), /hide <who>, /photos <who>. Buttons: name (asks with
 * ForceReply), not this person (one face, shown), cover (which face stands for them), hide/show, undo
 * a merge. Every button checks the
 * permission of the member who pressed it (src/chat/permissions.ts).
 */
import { Composer, type Context, InlineKeyboard, InputFile } from 'grammy';

import { renderContactSheet, type SheetEntry } from '../../../blog/contact-sheet.js';
import { mayDo, type PeopleAction } from '../../../chat/permissions.js';
import type { PersonSummary } from '../../../services/people-service.js';
import { contactSheet } from '../album-replies.js';
import { ADMIN_ONLY, isChatAdmin, tenantOf } from '../chat.js';
import { escapeHtml, isRegular, peopleText, plural } from '../format.js';
import type { FeatureKit } from '../kit.js';
import { MAX_SHOWN, sendFoundPhotos, sentInText } from '../send-photos.js';
import { splitFirst } from '../people-args.js';

/** People on one contact sheet: 48 tiles of 160 px keep the JPEG well under Telegram's 10 MB photo limit. */
const MAX_SHEET = 48;
/** Faces offered for "not this person": 12 tiles, numbered, with one button each. */
const MAX_FACES = 12;
/** A media group holds at most 10 photos (Bot API sendMediaGroup). */
/** Person ids (p + 20 hex) and face point ids (UUIDs) in callback data (64 bytes at most). */
const PERSON = '(p[0-9a-f]{20})';
const FACE = '([0-9a-f-]{36})';

/** The question a naming button asks; the reply to it is read back by this pattern. */
export const ASK_NAME = (handle: number) => `Who is #${handle}? Reply to this message with their name.`;
const ASKED_NAME_RE = /^Who is #(\d{1,9})\? Reply to this message/;

/** "<b>Anna</b> (#7)" or "<b>#7</b>". */
export function who(p: Pick<PersonSummary, 'handle' | 'name'>): string {
  const name = p.name?.trim();
  return name ? `<b>${escapeHtml(name)}</b> (#${p.handle})` : `<b>#${p.handle}</b>`;
}

export function personKeyboard(p: Pick<PersonSummary, 'id' | 'name' | 'hidden'>): InlineKeyboard {
  return new InlineKeyboard()
    .text(p.name ? 'Rename' : 'Name', `nm:${p.id}`)
    .text('Photos', `ph:${p.id}`)
    .row()
    .text('Not this person…', `ns:${p.id}`)
    .text('Cover…', `cs:${p.id}`)
    .text(p.hidden ? 'Show' : 'Hide', `${p.hidden ? 'sh' : 'hd'}:${p.id}`);
}

export function peopleFeature(kit: FeatureKit): Composer<Context> {
  const composer = new Composer<Context>();
  const { deps } = kit;

  /** The presser (or sender) may do this; tells them when not. */
  async function allowed(ctx: Context, action: PeopleAction): Promise<boolean> {
    if (mayDo(action, 'member') || (await isChatAdmin(ctx))) return true;
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ADMIN_ONLY, show_alert: true });
    else await ctx.reply(ADMIN_ONLY);
    return false;
  }

  async function findOrSay(ctx: Context, ref: string): Promise<PersonSummary | null> {
    const person = await deps.people.findPerson(tenantOf(ctx), ref);
    if (!person) await ctx.reply(`I know no ${ref.trim()} here. /people shows who I know.`);
    return person;
  }

  async function byId(ctx: Context, id: string): Promise<PersonSummary | null> {
    const person = await deps.people.findPerson(tenantOf(ctx), id);
    if (!person) await ctx.answerCallbackQuery({ text: 'That person is no longer here.', show_alert: true });
    return person;
  }

  /** The person's face with a caption and buttons: every message about a person shows who it is. */
  async function sendCard(ctx: Context, p: PersonSummary, caption: string, withButtons = true) {
    const face = p.coverKey ? await deps.blobs.get(p.coverKey) : null;
    const extra = {
      parse_mode: 'HTML' as const,
      ...(withButtons ? { reply_markup: personKeyboard(p) } : {}),
    };
    if (face) await ctx.replyWithPhoto(new InputFile(face, `${p.handle}.jpg`), { caption, ...extra });
    else await ctx.reply(caption, extra);
  }

  /** `/photos <name>`: the person's photos best first, the originals resent by reference, each once. */
  async function sendPhotosOf(ctx: Context, p: PersonSummary): Promise<void> {
    const tenant = tenantOf(ctx);
    const photos = await deps.search.photosOf(tenant, p.id);
    const shown = Math.min(MAX_SHOWN, photos.length);
    const more = photos.length > shown ? ` Here are the best ${shown}.` : '';
    await ctx.reply(`${who(p)} is in ${plural(photos.length, 'photo')}.${more}${sentInText(photos)}`, {
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
    });
    if (ctx.chat) await sendFoundPhotos(ctx.api, ctx.chat.id, photos, deps.blobs);
  }

  async function name(ctx: Context, p: PersonSummary, text: string): Promise<void> {
    const tenant = tenantOf(ctx);
    const id = await deps.people.namePerson(tenant, p.id, text);
    const named = (await deps.people.findPerson(tenant, id)) ?? p;
    const before = p.name ? `${escapeHtml(p.name)} (#${p.handle})` : `#${p.handle}`;
    await sendCard(ctx, named, `${before} is now ${who(named)}.`, false);
  }

  composer.command('people', async (ctx) => {
    const people = await deps.people.listPeople(tenantOf(ctx));
    const all = ctx.match.trim().toLowerCase() === 'all';
    const shown = all ? people : people.filter(isRegular);
    const folded = all
      ? { once: 0, hidden: 0 }
      : {
          once: people.filter((p) => !p.hidden && !isRegular(p)).length,
          hidden: people.filter((p) => p.hidden).length,
        };
    const texts = peopleText(shown, folded);
    const sheet = await contactSheet(
      shown.slice(0, MAX_SHEET).map((p) => ({ num: p.handle, name: p.name, faceKey: p.coverKey })),
      deps.blobs,
    );
    let rest = texts;
    if (sheet) {
      await ctx.replyWithPhoto(new InputFile(sheet, 'people.jpg'), {
        caption: texts[0] ?? '',
        parse_mode: 'HTML',
      });
      rest = texts.slice(1);
    }
    for (const text of rest) await ctx.reply(text, { parse_mode: 'HTML' });
  });

  composer.command('person', async (ctx) => {
    if (!ctx.match.trim()) {
      await ctx.reply('Usage: /person 7 or /person Anna. /people shows who I know.');
      return;
    }
    const p = await findOrSay(ctx, ctx.match);
    if (p)
      await sendCard(ctx, p, `${who(p)}: ${plural(p.photoCount, 'photo')}${p.hidden ? ' (hidden)' : ''}.`);
  });

  composer.command('name', async (ctx) => {
    const [ref, text] = splitFirst(ctx.match);
    if (!ref || !text) {
      await ctx.reply('Usage: /name <who> <name>, e.g. /name 7 Anna. /people shows who I know.');
      return;
    }
    const p = await findOrSay(ctx, ref);
    if (p) await name(ctx, p, text);
  });

  composer.command('photos', async (ctx) => {
    if (!ctx.match.trim()) {
      await ctx.reply('Usage: /photos Anna or /photos 7.');
      return;
    }
    const p = await findOrSay(ctx, ctx.match);
    if (p) await sendPhotosOf(ctx, p);
  });

  composer.command('hide', async (ctx) => {
    if (!(await allowed(ctx, 'hide'))) return;
    const p = await findOrSay(ctx, ctx.match);
    if (!p) return;
    await deps.people.hidePerson(tenantOf(ctx), p.id, true);
    await sendCard(ctx, { ...p, hidden: true }, `Hid ${who(p)} from /people.`);
  });

  composer.command('merge', async (ctx) => {
    const [a, rest] = splitFirst(ctx.match);
    const [b] = splitFirst(rest);
    if (!a || !b) {
      await ctx.reply('Usage: /merge <a> <b> joins person a into person b, e.g. /merge 4 1.');
      return;
    }
    if (!(await allowed(ctx, 'merge'))) return;
    const from = await findOrSay(ctx, a);
    const into = from && (await findOrSay(ctx, b));
    if (!from || !into) return;
    if (from.id === into.id) {
      await ctx.reply('That is the same person already.');
      return;
    }
    const sheet = await contactSheet(
      [from, into].map((p) => ({ num: p.handle, name: p.name, faceKey: p.coverKey })),
      deps.blobs,
    );
    const caption = `Are ${who(from)} and ${who(into)} the same person?`;
    const reply_markup = new InlineKeyboard()
      .text('Yes, merge them', `mg:${from.id}:${into.id}`)
      .text('No', 'mg:no');
    if (sheet)
      await ctx.replyWithPhoto(new InputFile(sheet, 'same-person.jpg'), {
        caption,
        parse_mode: 'HTML',
        reply_markup,
      });
    else await ctx.reply(caption, { parse_mode: 'HTML', reply_markup });
  });

  composer.callbackQuery('mg:no', async (ctx) => {
    await ctx.answerCallbackQuery();
    await editText(ctx, 'Kept apart.');
  });

  composer.callbackQuery(new RegExp(`^mg:${PERSON}:${PERSON}$`), async (ctx) => {
    if (!(await allowed(ctx, 'merge'))) return;
    const tenant = tenantOf(ctx);
    const from = await byId(ctx, ctx.match[1] ?? '');
    const into = from && (await byId(ctx, ctx.match[2] ?? ''));
    if (!from || !into) return;
    const outcome = await deps.people.mergePeople(tenant, from.id, into.id);
    await ctx.answerCallbackQuery({ text: 'Merged' });
    const kept = await deps.people.findPerson(tenant, outcome.kept);
    await editText(
      ctx,
      `Merged: ${who(from)} and ${who(into)} are now ${kept ? who(kept) : 'one person'}.`,
      outcome.merged ? new InlineKeyboard().text('Undo', `um:${outcome.merged}`) : undefined,
    );
  });

  composer.callbackQuery(new RegExp(`^um:${PERSON}$`), async (ctx) => {
    if (!(await allowed(ctx, 'unmerge'))) return;
    const tenant = tenantOf(ctx);
    const restored = await deps.people.undoMerge(tenant, ctx.match[1] ?? '');
    await ctx.answerCallbackQuery({ text: 'Undone' });
    const p = await deps.people.findPerson(tenant, restored);
    await editText(ctx, `Undone: ${p ? who(p) : 'that person'} is a person of their own again.`);
  });

  composer.callbackQuery(new RegExp(`^nm:${PERSON}$`), async (ctx) => {
    if (!(await allowed(ctx, 'name'))) return;
    const p = await byId(ctx, ctx.match[1] ?? '');
    if (!p) return;
    await ctx.answerCallbackQuery();
    const face = p.coverKey ? await deps.blobs.get(p.coverKey) : null;
    const extra = { reply_markup: { force_reply: true as const, input_field_placeholder: 'Their name' } };
    if (face)
      await ctx.replyWithPhoto(new InputFile(face, `${p.handle}.jpg`), {
        caption: ASK_NAME(p.handle),
        ...extra,
      });
    else await ctx.reply(ASK_NAME(p.handle), extra);
  });

  // The answer to a naming question: a reply to the bot's "Who is #7?".
  composer.on('message:text', async (ctx, next) => {
    const asked = ctx.msg.reply_to_message;
    const question = asked?.caption ?? asked?.text ?? '';
    const m = asked?.from?.id === ctx.me.id ? ASKED_NAME_RE.exec(question) : null;
    if (!m || ctx.msg.text.startsWith('/')) return next();
    if (!(await allowed(ctx, 'name'))) return;
    const p = await findOrSay(ctx, m[1] ?? '');
    if (p) await name(ctx, p, ctx.msg.text);
  });

  composer.callbackQuery(new RegExp(`^ph:${PERSON}$`), async (ctx) => {
    const p = await byId(ctx, ctx.match[1] ?? '');
    if (!p) return;
    await ctx.answerCallbackQuery();
    await sendPhotosOf(ctx, p);
  });

  composer.callbackQuery(new RegExp(`^(hd|sh):${PERSON}$`), async (ctx) => {
    if (!(await allowed(ctx, 'hide'))) return;
    const p = await byId(ctx, ctx.match[2] ?? '');
    if (!p) return;
    const hidden = ctx.match[1] === 'hd';
    await deps.people.hidePerson(tenantOf(ctx), p.id, hidden);
    await ctx.answerCallbackQuery({ text: hidden ? 'Hidden' : 'Shown' });
    await ctx.editMessageReplyMarkup({ reply_markup: personKeyboard({ ...p, hidden }) });
  });

  /** The person's faces, numbered, one button each (`<prefix>:<face id>`). */
  async function facesSheet(ctx: Context, p: PersonSummary, prefix: string, caption: string) {
    const faces = (await deps.people.personFaces(tenantOf(ctx), p.id)).slice(0, MAX_FACES);
    const tiles: SheetEntry[] = [];
    const keyboard = new InlineKeyboard();
    for (const face of faces) {
      const bytes = await deps.blobs.get(face.key);
      if (!bytes) continue;
      tiles.push({ label: String(tiles.length + 1), face: Buffer.from(bytes) });
      keyboard.text(String(tiles.length), `${prefix}:${face.id}`);
      if (tiles.length % 4 === 0) keyboard.row();
    }
    if (tiles.length < 2) {
      await ctx.reply(`${who(p)} has only one face so far.`, { parse_mode: 'HTML' });
      return;
    }
    await ctx.replyWithPhoto(new InputFile(await renderContactSheet(tiles), 'faces.jpg'), {
      caption,
      parse_mode: 'HTML',
      reply_markup: keyboard,
    });
  }

  // "Not this person": the person's faces, numbered, one button each.
  composer.callbackQuery(new RegExp(`^ns:${PERSON}$`), async (ctx) => {
    if (!(await allowed(ctx, 'split'))) return;
    const p = await byId(ctx, ctx.match[1] ?? '');
    if (!p) return;
    await ctx.answerCallbackQuery();
    await facesSheet(ctx, p, 'nf', `Which of these is not ${who(p)}?`);
  });

  // The cover: the face shown for the person everywhere.
  composer.callbackQuery(new RegExp(`^cs:${PERSON}$`), async (ctx) => {
    if (!(await allowed(ctx, 'name'))) return;
    const p = await byId(ctx, ctx.match[1] ?? '');
    if (!p) return;
    await ctx.answerCallbackQuery();
    await facesSheet(ctx, p, 'cv', `Which face should stand for ${who(p)}?`);
  });

  composer.callbackQuery(new RegExp(`^cv:${FACE}$`), async (ctx) => {
    if (!(await allowed(ctx, 'name'))) return;
    const tenant = tenantOf(ctx);
    const id = await deps.people.chooseCover(tenant, ctx.match[1] ?? '');
    await ctx.answerCallbackQuery({ text: 'Cover chosen' });
    const p = await deps.people.findPerson(tenant, id);
    if (p) await sendCard(ctx, p, `This face now stands for ${who(p)}.`, false);
  });

  composer.callbackQuery(new RegExp(`^nf:${FACE}$`), async (ctx) => {
    if (!(await allowed(ctx, 'split'))) return;
    const tenant = tenantOf(ctx);
    const faceId = ctx.match[1] ?? '';
    const outcome = await deps.people.splitFace(tenant, faceId);
    await ctx.answerCallbackQuery({ text: 'Moved' });
    const now = outcome.personId ? await deps.people.findPerson(tenant, outcome.personId) : null;
    const key = await deps.people.faceCropKey(tenant, faceId);
    const face = key ? await deps.blobs.get(key) : null;
    const caption = now
      ? `Done: that face is now ${who(now)}; it will not join the old person again.`
      : 'Done: that face belongs to nobody now; it will not join the old person again.';
    if (face) await ctx.replyWithPhoto(new InputFile(face, 'face.jpg'), { caption, parse_mode: 'HTML' });
    else await ctx.reply(caption, { parse_mode: 'HTML' });
  });

  return composer;
}

/** Edits the pressed message: its caption when it is a photo, else its text. */
async function editText(ctx: Context, html: string, keyboard?: InlineKeyboard): Promise<void> {
  const extra = { parse_mode: 'HTML' as const, ...(keyboard ? { reply_markup: keyboard } : {}) };
  if (ctx.callbackQuery?.message && 'photo' in ctx.callbackQuery.message && ctx.callbackQuery.message.photo)
    await ctx.editMessageCaption({ caption: html, ...extra });
  else await ctx.editMessageText(html, extra);
}
