/**
 * "Is this Anna?" after an album (services/suggestions.ts): one message per question with both faces
 * side by side (the album's unnamed person left, the named person right) and Yes / No buttons. Yes
 * merges (admins, as /merge) and offers Undo; No keeps them apart for good (any member, as "not this
 * person"). The pressed message is edited to say what happened.
 */
import { type Api, Composer, type Context, InlineKeyboard, InputFile } from 'grammy';
import type { ReplyParameters } from 'grammy/types';

import { mayDo, type PeopleAction } from '../../../chat/permissions.js';
import type { AlbumResult } from '../../../core/album.js';
import { describeError } from '../../../core/errors.js';
import type { PersonSummary } from '../../../services/people-service.js';
import type { Suggestion } from '../../../services/suggestions.js';
import { ADMIN_ONLY, isChatAdmin, tenantOf } from '../chat.js';
import type { TelegramBotDeps } from '../deps.js';
import { suggestionQuestions } from '../../../chat/suggestion-questions.js';
import { escapeHtml } from '../format.js';
import type { FeatureKit } from '../kit.js';

/** Person ids (p + 20 hex): `sg:y:<unnamed>:<named>` is 48 bytes, within the 64 of callback data. */
const PERSON = '(p[0-9a-f]{20})';

/** "<b>Anna</b> (#7)" or "<b>#7</b>". */
function who(p: Pick<PersonSummary, 'handle' | 'name'>): string {
  const name = p.name?.trim();
  return name ? `<b>${escapeHtml(name)}</b> (#${p.handle})` : `<b>#${p.handle}</b>`;
}

export function suggestionText(
  person: Pick<PersonSummary, 'handle' | 'name'>,
  candidate: Pick<PersonSummary, 'handle' | 'name'>,
): string {
  return `Is this ${escapeHtml(candidate.name ?? `#${candidate.handle}`)}? ${who(person)} from this album (left) looks like ${who(candidate)} (right).`;
}

export function suggestionKeyboard(s: Pick<Suggestion, 'personId' | 'candidateId'>): InlineKeyboard {
  return new InlineKeyboard()
    .text('Yes', `sg:y:${s.personId}:${s.candidateId}`)
    .text('No', `sg:n:${s.personId}:${s.candidateId}`);
}

/**
 * Asks the album's questions, each as a photo of the two faces with its buttons; returns how many
 * messages that took. Called at the end of the album's replies. Best effort: the album's answer is
 * already in the chat, so a failure here is logged, never reported as a failed album.
 */
export async function sendSuggestions(
  api: Api,
  chatId: number,
  tenant: string,
  result: AlbumResult,
  deps: Pick<TelegramBotDeps, 'people' | 'blobs' | 'log'>,
  replyTo?: ReplyParameters,
): Promise<number> {
  try {
    return await ask(api, chatId, tenant, result, deps, replyTo);
  } catch (error) {
    const { code, message } = describeError(error);
    deps.log(`telegram: album questions failed: ${code}: ${message}`, { tenant, level: 'error', code });
    return 0;
  }
}

async function ask(
  api: Api,
  chatId: number,
  tenant: string,
  result: AlbumResult,
  deps: Pick<TelegramBotDeps, 'people' | 'blobs'>,
  replyTo?: ReplyParameters,
): Promise<number> {
  let sent = 0;
  for (const { suggestion, person, candidate, picture } of await suggestionQuestions(
    deps.people,
    deps.blobs,
    tenant,
    result,
  )) {
    const extra = {
      parse_mode: 'HTML' as const,
      reply_markup: suggestionKeyboard(suggestion),
      ...(replyTo ? { reply_parameters: replyTo } : {}),
    };
    const caption = suggestionText(person, candidate);
    if (picture)
      await api.sendPhoto(chatId, new InputFile(picture, 'is-this-them.jpg'), { caption, ...extra });
    else await api.sendMessage(chatId, caption, extra);
    sent++;
  }
  return sent;
}

export function suggestFeature(kit: FeatureKit): Composer<Context> {
  const composer = new Composer<Context>();
  const { deps } = kit;

  async function allowed(ctx: Context, action: PeopleAction): Promise<boolean> {
    if (mayDo(action, 'member') || (await isChatAdmin(ctx))) return true;
    await ctx.answerCallbackQuery({ text: ADMIN_ONLY, show_alert: true });
    return false;
  }

  composer.callbackQuery(new RegExp(`^sg:([yn]):${PERSON}:${PERSON}$`), async (ctx) => {
    const yes = ctx.match[1] === 'y';
    // Yes joins two people for the whole chat (admins, as /merge); No only keeps them apart, a
    // correction any member may make (as "not this person").
    if (!(await allowed(ctx, yes ? 'merge' : 'split'))) return;
    const tenant = tenantOf(ctx);
    const person = await deps.people.findPerson(tenant, ctx.match[2] ?? '');
    const candidate = await deps.people.findPerson(tenant, ctx.match[3] ?? '');
    if (!person || !candidate) {
      await ctx.answerCallbackQuery({ text: 'That person is no longer here.', show_alert: true });
      await edit(ctx, 'That person is no longer here.');
      return;
    }
    if (person.id === candidate.id) {
      await ctx.answerCallbackQuery({ text: 'Already one person' });
      await edit(ctx, `${who(candidate)}: one person already.`);
      return;
    }
    const outcome = await deps.people.answerSuggestion(tenant, {
      personId: person.id,
      candidateId: candidate.id,
      yes,
    });
    if (outcome.answer === 'merged') {
      await ctx.answerCallbackQuery({ text: 'Merged' });
      const kept = (await deps.people.findPerson(tenant, outcome.merge.kept)) ?? candidate;
      await edit(
        ctx,
        `Yes: ${who(person)} is now ${who(kept)}.`,
        outcome.merge.merged ? new InlineKeyboard().text('Undo', `um:${outcome.merge.merged}`) : undefined,
      );
      return;
    }
    await ctx.answerCallbackQuery({ text: 'Kept apart' });
    await edit(
      ctx,
      `Not ${escapeHtml(candidate.name ?? `#${candidate.handle}`)}: ${who(person)} and ${who(candidate)} stay apart, and I will not ask again.`,
    );
  });

  return composer;
}

/**
 * Edits the pressed message (a photo's caption, or a text); an edit without a keyboard drops the
 * buttons, so a question is answered once.
 */
async function edit(ctx: Context, html: string, keyboard?: InlineKeyboard): Promise<void> {
  const extra = { parse_mode: 'HTML' as const, ...(keyboard ? { reply_markup: keyboard } : {}) };
  if (ctx.callbackQuery?.message && 'photo' in ctx.callbackQuery.message && ctx.callbackQuery.message.photo)
    await ctx.editMessageCaption({ caption: html, ...extra });
  else await ctx.editMessageText(html, extra);
}
