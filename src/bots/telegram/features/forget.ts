/**
 * /forget <n> forgets a person (their faces; the photos stay), /forget all forgets everything of the
 * chat. Both ask first with a button; in groups only admins may ask or press.
 */
import { Composer, type Context, InlineKeyboard } from 'grammy';

import { ADMIN_ONLY, isChatAdmin, tenantOf } from '../chat.js';
import { escapeHtml, personLabel, plural } from '../format.js';
import type { FeatureKit } from '../kit.js';
import { pickPerson } from '../people-args.js';

export function forgetFeature(kit: FeatureKit): Composer<Context> {
  const composer = new Composer<Context>();
  const { deps } = kit;

  composer.command('forget', async (ctx) => {
    if (!(await isChatAdmin(ctx))) {
      await ctx.reply(ADMIN_ONLY);
      return;
    }
    const arg = ctx.match.trim();
    const cancel = ['Cancel', 'forget:cancel'] as const;
    if (arg === '' || arg.toLowerCase() === 'all') {
      await ctx.reply(
        'Forget <b>everything</b> of this chat: every photo, face, person and post? This cannot be undone.',
        {
          parse_mode: 'HTML',
          reply_markup: new InlineKeyboard().text('Forget everything', 'forget:all').text(...cancel),
        },
      );
      return;
    }
    const people = await deps.people.listPeople(tenantOf(ctx));
    const person = pickPerson(people, arg);
    if (!person) {
      await ctx.reply(
        `There is no person ${arg} here. /people shows the numbers; /forget all forgets everything.`,
      );
      return;
    }
    const label = personLabel(people.indexOf(person) + 1, person.name);
    await ctx.reply(
      `Forget <b>${escapeHtml(label)}</b>? Their ${plural(person.faceCount, 'face')} are deleted; the photos stay.`,
      {
        parse_mode: 'HTML',
        reply_markup: new InlineKeyboard().text(`Forget ${label}`, `forget:p:${person.id}`).text(...cancel),
      },
    );
  });

  composer.callbackQuery('forget:cancel', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageText('Nothing was forgotten.');
  });

  composer.callbackQuery(/^forget:(all|p:[A-Za-z0-9_-]{1,40})$/, async (ctx) => {
    if (!(await isChatAdmin(ctx))) {
      await ctx.answerCallbackQuery({ text: ADMIN_ONLY, show_alert: true });
      return;
    }
    const tenant = tenantOf(ctx);
    const what = ctx.match[1] ?? '';
    if (what === 'all') {
      await deps.privacy.forgetTenant(tenant);
      await ctx.answerCallbackQuery({ text: 'Forgotten' });
      await ctx.editMessageText('Done: I forgot every photo, face and person of this chat.');
      return;
    }
    const outcome = await deps.privacy.forgetPerson(tenant, what.slice(2));
    await ctx.answerCallbackQuery({ text: outcome.personId ? 'Forgotten' : 'Already gone' });
    await ctx.editMessageText(
      outcome.personId
        ? `Done: forgot ${plural(outcome.faces, 'face')} of that person. The photos stay.`
        : 'That person was already forgotten.',
    );
  });

  return composer;
}
