/**
 * /find: "which photos is this person in?". The selfie comes as the caption of a photo (`bot.command`
 * does not see captions, so they are matched here), as a reply to a photo, or as the next photo the
 * same person sends after the command.
 */
import { randomBytes } from 'node:crypto';

import { Composer, type Context, InlineKeyboard, InputFile } from 'grammy';
import type { Message } from 'grammy/types';

import { faceTiles } from '../../../pipeline/face-tiles.js';
import type { PersonRef, SelfieOutcome } from '../../../services/search-service.js';
import { tenantOf } from '../chat.js';
import { chooseFaceText, escapeHtml, personLabel, selfieText, tooLargeText } from '../format.js';
import { BOT_API_DOWNLOAD_LIMIT, isTooLarge, mediaOf } from '../files.js';
import { MAX_SHOWN, sendFoundPhotos, sentInText } from '../send-photos.js';
import type { FeatureKit } from '../kit.js';

/** `/find` or `/find@this_bot` at the start of a caption. */
export function isFindCaption(caption: string | undefined, botUsername: string): boolean {
  const m = /^\/find(?:@([A-Za-z0-9_]+))?(?:\s|$)/i.exec(caption ?? '');
  return m !== null && (m[1] === undefined || m[1].toLowerCase() === botUsername.toLowerCase());
}

export function findFeature(kit: FeatureKit): Composer<Context> {
  const composer = new Composer<Context>();
  /** `<chat>/<user>` → when the wait for their selfie ends (epoch ms). */
  const waiting = new Map<string, number>();
  const waitKey = (ctx: Context) => `${ctx.chat?.id ?? 0}/${ctx.from?.id ?? 0}`;

  const questions = new Questions();

  // "Is this Anna?" answered; only the person who sent the selfie may answer.
  composer.callbackQuery(/^find:([yn]):([a-z0-9]{10})$/, async (ctx) => {
    const q = questions.get(ctx.match[2] ?? '');
    if (!q) {
      await ctx.answerCallbackQuery({ text: 'This question has expired. Send the selfie again.' });
      return;
    }
    if (ctx.from.id !== q.askerId) {
      await ctx.answerCallbackQuery({ text: 'Only the person who sent the selfie can answer.' });
      return;
    }
    questions.delete(q.token);
    await ctx.answerCallbackQuery();
    const yes = ctx.match[1] === 'y';
    const result = await kit.deps.search.answer(q.tenant, {
      selfie: q.selfie,
      person: q.person.id,
      yes,
      by: String(ctx.from.id),
    });
    const who = labelOf(q.person);
    if (result.status === 'no-match') {
      await ctx.editMessageCaption({
        caption: yes ? `${escapeHtml(who)} has no photos here any more.` : 'Not them: no match, then.',
        parse_mode: 'HTML',
      });
      return;
    }
    const shown = Math.min(MAX_SHOWN, result.photos.length);
    await ctx.editMessageCaption({
      caption: `Yes, <b>${escapeHtml(who)}</b>: ${shown < result.photos.length ? `the best ${shown} of ` : ''}${result.photos.length} photo${result.photos.length === 1 ? '' : 's'}.${sentInText(result.photos)}`,
      parse_mode: 'HTML',
    });
    await sendFoundPhotos(ctx.api, q.chatId, result.photos, kit.deps.blobs, q.replyTo);
  });

  // "Which face?" answered with a face number: search again with that face.
  composer.callbackQuery(/^find:f:([a-z0-9]{10}):(\d{1,2})$/, async (ctx) => {
    const q = questions.get(ctx.match[1] ?? '');
    if (!q?.fileId) {
      await ctx.answerCallbackQuery({ text: 'This question has expired. Send the selfie again.' });
      return;
    }
    if (ctx.from.id !== q.askerId) {
      await ctx.answerCallbackQuery({ text: 'Only the person who sent the selfie can choose.' });
      return;
    }
    questions.delete(q.token);
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup();
    const outcome = await kit.deps.search.findBySelfie(q.tenant, await kit.download(q.fileId), {
      face: Number(ctx.match[2]),
    });
    await replyWith(ctx, kit, outcome, {
      tenant: q.tenant,
      chatId: q.chatId,
      replyTo: q.replyTo,
      fileId: q.fileId,
      questions,
    });
  });

  composer.command('find', async (ctx) => {
    const replied = ctx.msg.reply_to_message;
    if (mediaOf(replied)) {
      await answerSelfie(ctx, replied as Message, kit, questions);
      return;
    }
    waiting.set(waitKey(ctx), Date.now() + kit.settings.findWaitMs);
    await ctx.reply(
      'Send me a selfie (one face, clearly visible) and I will show the photos that person is in.',
      { reply_parameters: { message_id: ctx.msg.message_id } },
    );
  });

  composer.on(['message:photo', 'message:document'], async (ctx, next) => {
    if (!mediaOf(ctx.msg) || ctx.msg.media_group_id) return next();
    const key = waitKey(ctx);
    const until = waiting.get(key);
    const asked = until !== undefined && until > Date.now();
    if (!asked && !isFindCaption(ctx.msg.caption, ctx.me.username)) return next();
    waiting.delete(key);
    await answerSelfie(ctx, ctx.msg, kit, questions);
  });

  return composer;
}

/** A question the bot asked about a selfie, waiting for the asker's button press. */
interface Question {
  readonly token: string;
  readonly tenant: string;
  readonly chatId: number;
  readonly askerId: number;
  readonly replyTo: number;
  /** For "is this them?": the selfie's hash and the person asked about. */
  readonly selfie: string;
  readonly person: PersonRef;
  /** For "which face?": the selfie to search again. */
  readonly fileId?: string;
  readonly expires: number;
}

/** Questions live for a day in memory; after a restart a press answers "expired, send it again". */
const QUESTION_TTL_MS = 24 * 3600_000;
/** Bound on open questions, oldest dropped first: a flood of selfies cannot grow memory without end. */
const MAX_QUESTIONS = 1000;

class Questions {
  private readonly open = new Map<string, Question>();

  add(q: Omit<Question, 'token' | 'expires'>): string {
    // 10 base-36 characters fit Telegram's 64-byte callback data with room, and cannot be guessed.
    const token = BigInt(`0x${randomBytes(8).toString('hex')}`)
      .toString(36)
      .padStart(10, '0')
      .slice(-10);
    this.open.set(token, { ...q, token, expires: Date.now() + QUESTION_TTL_MS });
    while (this.open.size > MAX_QUESTIONS) this.open.delete(this.open.keys().next().value ?? '');
    return token;
  }

  get(token: string): Question | undefined {
    const q = this.open.get(token);
    if (q && q.expires < Date.now()) {
      this.open.delete(token);
      return undefined;
    }
    return q;
  }

  delete(token: string): void {
    this.open.delete(token);
  }
}

function labelOf(person: PersonRef): string {
  return personLabel(person.handle, person.name);
}

async function answerSelfie(
  ctx: Context,
  msg: Message,
  kit: FeatureKit,
  questions: Questions,
): Promise<void> {
  const media = mediaOf(msg);
  if (!media) return;
  const reply = { reply_parameters: { message_id: msg.message_id, allow_sending_without_reply: true } };
  if (isTooLarge(media)) {
    await ctx.reply(
      tooLargeText(media.fileName ?? 'This file', media.fileSize ?? 0, BOT_API_DOWNLOAD_LIMIT),
      {
        parse_mode: 'HTML',
        ...reply,
      },
    );
    return;
  }
  await ctx.replyWithChatAction('upload_photo');
  const tenant = tenantOf(ctx);
  const outcome = await kit.deps.search.findBySelfie(tenant, await kit.download(media.fileId));
  await replyWith(ctx, kit, outcome, {
    tenant,
    chatId: msg.chat.id,
    replyTo: msg.message_id,
    fileId: media.fileId,
    questions,
  });
}

/** One outcome as the chat sees it: text, the faces it is about, buttons where the bot asks. */
async function replyWith(
  ctx: Context,
  kit: FeatureKit,
  outcome: SelfieOutcome,
  at: { tenant: string; chatId: number; replyTo: number; fileId: string; questions: Questions },
): Promise<void> {
  const reply = { reply_parameters: { message_id: at.replyTo, allow_sending_without_reply: true } };
  const askerId = ctx.from?.id ?? 0;
  switch (outcome.status) {
    case 'choose-face': {
      const token = at.questions.add({
        tenant: at.tenant,
        chatId: at.chatId,
        askerId,
        replyTo: at.replyTo,
        selfie: outcome.sha256,
        person: { id: '', name: null, handle: null, faceKey: null },
        fileId: at.fileId,
      });
      const keyboard = new InlineKeyboard();
      for (const [i, face] of outcome.faces.slice(0, MAX_CHOICES).entries()) {
        keyboard.text(String(i + 1), `find:f:${token}:${face.index}`);
      }
      const tiles = await faceTiles(outcome.faces.slice(0, MAX_CHOICES).map((f) => f.crop));
      await ctx.api.sendPhoto(at.chatId, new InputFile(tiles, 'faces.jpg'), {
        caption: chooseFaceText(outcome.faces.length),
        reply_markup: keyboard,
        ...reply,
      });
      return;
    }
    case 'unsure': {
      const token = at.questions.add({
        tenant: at.tenant,
        chatId: at.chatId,
        askerId,
        replyTo: at.replyTo,
        selfie: outcome.selfie.sha256,
        person: outcome.person,
      });
      const theirs = outcome.person.faceKey ? await kit.deps.blobs.get(outcome.person.faceKey) : null;
      const tiles = await faceTiles([outcome.selfie.face.crop, theirs ?? new Uint8Array()]);
      const num = outcome.person.handle ?? undefined;
      await ctx.api.sendPhoto(at.chatId, new InputFile(tiles, 'is-this-them.jpg'), {
        caption: selfieText(outcome, num, 0),
        parse_mode: 'HTML',
        reply_markup: new InlineKeyboard().text('Yes', `find:y:${token}`).text('No', `find:n:${token}`),
        ...reply,
      });
      return;
    }
    case 'found': {
      const num = outcome.person.handle ?? undefined;
      const shown = Math.min(MAX_SHOWN, outcome.photos.length);
      await ctx.api.sendMessage(at.chatId, selfieText(outcome, num, shown) + sentInText(outcome.photos), {
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
        ...reply,
      });
      await sendFoundPhotos(ctx.api, at.chatId, outcome.photos, kit.deps.blobs, at.replyTo);
      return;
    }
    default:
      await ctx.api.sendMessage(at.chatId, selfieText(outcome, undefined, 0), {
        parse_mode: 'HTML',
        ...reply,
      });
  }
}

/** Buttons for "which face?": one row of Telegram buttons reads well up to about 8. */
const MAX_CHOICES = 8;
