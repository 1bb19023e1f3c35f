/**
 * /find: "which photos is this person in?". The selfie comes as the caption of a photo (`bot.command`
 * does not see captions, so they are matched here), as a reply to a photo, or as the next photo the
 * same person sends after the command.
 */
import { type Api, Composer, type Context, InputFile } from 'grammy';
import type { InputMediaPhoto, Message } from 'grammy/types';

import type { SelfieOutcome } from '../../../services/search-service.js';
import { tenantOf } from '../chat.js';
import { personNumbers, selfieText, tooLargeText } from '../format.js';
import { BOT_API_DOWNLOAD_LIMIT, isTooLarge, mediaOf } from '../files.js';
import type { FeatureKit } from '../kit.js';

/** A media group holds at most 10 photos (Bot API sendMediaGroup). */
const MAX_SHOWN = 10;

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

  composer.command('find', async (ctx) => {
    const replied = ctx.msg.reply_to_message;
    if (mediaOf(replied)) {
      await answerSelfie(ctx, replied as Message, kit);
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
    await answerSelfie(ctx, ctx.msg, kit);
  });

  return composer;
}

async function answerSelfie(ctx: Context, msg: Message, kit: FeatureKit): Promise<void> {
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
  const photos = outcome.status === 'found' ? await loadThumbs(outcome, kit) : [];
  if (outcome.status === 'found' && photos.length === 0) {
    // Matches whose photos are gone (forgotten meanwhile) are no match at all.
    await ctx.reply(selfieText({ status: 'no-match' }, undefined, 0), { parse_mode: 'HTML', ...reply });
    return;
  }
  let num: number | undefined;
  if (outcome.status === 'found' && outcome.person) {
    num = personNumbers(await kit.deps.people.listPeople(tenant)).get(outcome.person.id);
  }
  await ctx.reply(selfieText(outcome, num, photos.length), { parse_mode: 'HTML', ...reply });
  await sendPhotos(ctx.api, msg.chat.id, photos);
}

async function loadThumbs(
  outcome: Extract<SelfieOutcome, { status: 'found' }>,
  kit: FeatureKit,
): Promise<{ sha256: string; bytes: Uint8Array }[]> {
  const out: { sha256: string; bytes: Uint8Array }[] = [];
  for (const photo of outcome.photos) {
    if (out.length >= MAX_SHOWN) break;
    const bytes = (await kit.deps.blobs.get(photo.thumbKey)) ?? (await kit.deps.blobs.get(photo.blobKey));
    if (bytes) out.push({ sha256: photo.sha256, bytes });
  }
  return out;
}

/** One photo as a photo, several as one media group; files are named by their hash. */
async function sendPhotos(
  api: Api,
  chatId: number,
  photos: readonly { sha256: string; bytes: Uint8Array }[],
): Promise<void> {
  const file = (p: { sha256: string; bytes: Uint8Array }) => new InputFile(p.bytes, `${p.sha256}.jpg`);
  if (photos.length === 1 && photos[0]) {
    await api.sendPhoto(chatId, file(photos[0]));
  } else if (photos.length > 1) {
    await api.sendMediaGroup(
      chatId,
      photos.map((p): InputMediaPhoto => ({ type: 'photo', media: file(p) })),
    );
  }
}
