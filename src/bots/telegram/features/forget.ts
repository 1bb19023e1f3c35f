/**
 * Forgetting, always asked first with a button: /forget without arguments asks what (with the chat's
 * faces), /forget <who> forgets a person (their faces; the photos stay), /forget all everything of the
 * chat (admins), and /forget me takes the sender's own face out of the chat: any member may, with a
 * selfie, and only the member who sent the selfie may press its button.
 */
import { Composer, type Context, InlineKeyboard, InputFile } from 'grammy';
import type { Message } from 'grammy/types';

import { mayDo, type PeopleAction } from '../../../chat/permissions.js';
import { ADMIN_ONLY, isChatAdmin, tenantOf } from '../chat.js';
import { contactSheet } from '../album-replies.js';
import { escapeHtml, isRegular, plural } from '../format.js';
import { mediaOf } from '../files.js';
import type { FeatureKit } from '../kit.js';
import { who } from './people.js';

/** A person shown on the "what should I forget?" sheet; more are reachable by /forget <who>. */
const MAX_ASKED = 12;

export function forgetFeature(kit: FeatureKit): Composer<Context> {
  const composer = new Composer<Context>();
  const { deps } = kit;
  /** `<chat>/<user>` → until when their selfie for /forget me is awaited (epoch ms). */
  const waiting = new Map<string, number>();
  const waitKey = (ctx: Context) => `${ctx.chat?.id ?? 0}/${ctx.from?.id ?? 0}`;
  const cancel = ['Cancel', 'forget:cancel'] as const;

  async function allowed(ctx: Context, action: PeopleAction): Promise<boolean> {
    if (mayDo(action, 'member') || (await isChatAdmin(ctx))) return true;
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ADMIN_ONLY, show_alert: true });
    else await ctx.reply(ADMIN_ONLY);
    return false;
  }

  async function askForSelfie(ctx: Context): Promise<void> {
    waiting.set(waitKey(ctx), Date.now() + kit.settings.findWaitMs);
    await ctx.reply(
      'Send me a selfie (just your face, clearly visible) and I will find your face in this chat’s photos and ask before forgetting it.',
      ctx.msg ? { reply_parameters: { message_id: ctx.msg.message_id } } : {},
    );
  }

  composer.command('forget', async (ctx) => {
    const arg = ctx.match.trim();
    const tenant = tenantOf(ctx);
    if (arg.toLowerCase() === 'me') {
      await askForSelfie(ctx);
      return;
    }
    if (arg === '') {
      const people = (await deps.people.listPeople(tenant)).filter(isRegular).slice(0, MAX_ASKED);
      const keyboard = new InlineKeyboard();
      people.forEach((p, i) => {
        keyboard.text(p.name ? `${p.name} (#${p.handle})` : `#${p.handle}`, `forget:p:${p.id}`);
        if (i % 3 === 2) keyboard.row();
      });
      keyboard
        .row()
        .text('My own face', 'forget:me')
        .text('Everything', 'forget:ask-all')
        .row()
        .text(...cancel);
      const caption =
        'What should I forget? A person (their faces; the photos stay), your own face, or everything of this chat.';
      const sheet = await contactSheet(
        people.map((p) => ({ num: p.handle, name: p.name, faceKey: p.coverKey })),
        deps.blobs,
      );
      if (sheet)
        await ctx.replyWithPhoto(new InputFile(sheet, 'people.jpg'), { caption, reply_markup: keyboard });
      else await ctx.reply(caption, { reply_markup: keyboard });
      return;
    }
    if (arg.toLowerCase() === 'all') {
      if (!(await allowed(ctx, 'forget-all'))) return;
      await askAll(ctx);
      return;
    }
    if (!(await allowed(ctx, 'forget-person'))) return;
    const person = await deps.people.findPerson(tenant, arg);
    if (!person) {
      await ctx.reply(`I know no ${arg} here. /people shows who I know; /forget all forgets everything.`);
      return;
    }
    await askPerson(ctx, person);
  });

  async function askAll(ctx: Context): Promise<void> {
    await ctx.reply(
      'Forget <b>everything</b> of this chat: every photo, face, person and post? This cannot be undone.',
      {
        parse_mode: 'HTML',
        reply_markup: new InlineKeyboard().text('Forget everything', 'forget:all').text(...cancel),
      },
    );
  }

  async function askPerson(
    ctx: Context,
    person: Awaited<ReturnType<typeof deps.people.listPeople>>[number],
    data = `forget:p:${person.id}`,
  ): Promise<void> {
    const caption = `Forget ${who(person)}? Their ${plural(person.faceCount, 'face')} are deleted; the photos stay.`;
    const reply_markup = new InlineKeyboard().text('Forget', data).text(...cancel);
    const face = person.coverKey ? await deps.blobs.get(person.coverKey) : null;
    if (face)
      await ctx.replyWithPhoto(new InputFile(face, `${person.handle}.jpg`), {
        caption,
        parse_mode: 'HTML',
        reply_markup,
      });
    else await ctx.reply(caption, { parse_mode: 'HTML', reply_markup });
  }

  composer.callbackQuery('forget:cancel', async (ctx) => {
    await ctx.answerCallbackQuery();
    await edit(ctx, 'Nothing was forgotten.');
  });

  composer.callbackQuery('forget:me', async (ctx) => {
    await ctx.answerCallbackQuery();
    await askForSelfie(ctx);
  });

  composer.callbackQuery('forget:ask-all', async (ctx) => {
    if (!(await allowed(ctx, 'forget-all'))) return;
    await ctx.answerCallbackQuery();
    await askAll(ctx);
  });

  // A selfie for /forget me: after the command, as its caption, or as a reply to it.
  composer.on(['message:photo', 'message:document'], async (ctx, next) => {
    if (!mediaOf(ctx.msg) || ctx.msg.media_group_id) return next();
    const key = waitKey(ctx);
    const until = waiting.get(key);
    const captioned = /^\/forget(@\w+)?\s+me\b/i.test(ctx.msg.caption ?? '');
    if (!captioned && !(until !== undefined && until > Date.now())) return next();
    waiting.delete(key);
    await forgetMe(ctx, ctx.msg);
  });

  async function forgetMe(ctx: Context, msg: Message): Promise<void> {
    const media = mediaOf(msg);
    if (!media || !ctx.from) return;
    await ctx.replyWithChatAction('typing');
    const tenant = tenantOf(ctx);
    const outcome = await deps.search.findBySelfie(tenant, await kit.download(media.fileId));
    // Only a sure match may lead to forgetting; anything else asks for another selfie.
    const person =
      outcome.status === 'found' ? await deps.people.findPerson(tenant, outcome.person.id) : null;
    if (!person) {
      await ctx.reply(
        outcome.status === 'found' || outcome.status === 'no-match'
          ? 'I did not find your face in this chat’s photos, so there is nothing of yours to forget.'
          : outcome.status === 'unsure'
            ? 'I am not sure that face is in this chat’s photos, so I will not forget anyone on it. Send a sharper selfie with just your face: /forget me.'
            : 'I could not read a face in that photo. Send a sharp selfie with just your face: /forget me.',
        { reply_parameters: { message_id: msg.message_id, allow_sending_without_reply: true } },
      );
      return;
    }
    await askPerson(ctx, person, `forget:m:${ctx.from.id}:${person.id}`);
  }

  composer.callbackQuery(
    /^forget:(all|p:[A-Za-z0-9_-]{1,40}|m:(\d{1,15}):([A-Za-z0-9_-]{1,40}))$/,
    async (ctx) => {
      const tenant = tenantOf(ctx);
      const what = ctx.match[1] ?? '';
      if (what === 'all') {
        if (!(await allowed(ctx, 'forget-all'))) return;
        await deps.privacy.forgetTenant(tenant);
        await ctx.answerCallbackQuery({ text: 'Forgotten' });
        await edit(ctx, 'Done: I forgot every photo, face and person of this chat.');
        return;
      }
      let personId: string;
      if (what.startsWith('m:')) {
        // Consent is personal: only the member whose selfie it was may press.
        if (String(ctx.from.id) !== ctx.match[2]) {
          await ctx.answerCallbackQuery({
            text: 'Only the person in the selfie can press this.',
            show_alert: true,
          });
          return;
        }
        personId = ctx.match[3] ?? '';
      } else {
        if (!(await allowed(ctx, 'forget-person'))) return;
        personId = what.slice(2);
      }
      const outcome = await deps.privacy.forgetPerson(tenant, personId);
      await ctx.answerCallbackQuery({ text: outcome.personId ? 'Forgotten' : 'Already gone' });
      await edit(
        ctx,
        outcome.personId
          ? `Done: forgot ${plural(outcome.faces, 'face')} of that person. The photos stay.`
          : 'That person was already forgotten.',
      );
    },
  );

  return composer;
}

/** Edits the pressed message: its caption when it is a photo, else its text. */
async function edit(ctx: Context, text: string): Promise<void> {
  const message = ctx.callbackQuery?.message;
  if (message && 'photo' in message && message.photo)
    await ctx.editMessageCaption({ caption: escapeHtml(text), parse_mode: 'HTML' });
  else await ctx.editMessageText(text);
}
