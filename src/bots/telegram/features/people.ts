/**
 * The chat's people: /people (a contact sheet with numbers), /name <n> <name>, and /merge <a> <b>,
 * which asks "is this the same person?" with both faces before joining them.
 */
import { Composer, type Context, InlineKeyboard, InputFile } from 'grammy';

import { contactSheet } from '../album-replies.js';
import { ADMIN_ONLY, isChatAdmin, tenantOf } from '../chat.js';
import { escapeHtml, peopleText, personLabel, personNumbers } from '../format.js';
import type { FeatureKit } from '../kit.js';
import { pickPerson, splitFirst } from '../people-args.js';

/** People on one contact sheet: 48 tiles of 160 px keep the JPEG well under Telegram's 10 MB photo limit. */
const MAX_SHEET = 48;

export function peopleFeature(kit: FeatureKit): Composer<Context> {
  const composer = new Composer<Context>();
  const { deps } = kit;

  composer.command('people', async (ctx) => {
    const tenant = tenantOf(ctx);
    const people = await deps.people.listPeople(tenant);
    const texts = peopleText(people);
    const sheet = await contactSheet(
      people.slice(0, MAX_SHEET).map((p, i) => ({ num: i + 1, name: p.name, faceKey: p.coverKey })),
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

  composer.command('name', async (ctx) => {
    const [who, name] = splitFirst(ctx.match);
    if (!who || !name) {
      await ctx.reply('Usage: /name <number> <name>, e.g. /name 2 Anna. /people shows the numbers.');
      return;
    }
    const tenant = tenantOf(ctx);
    const people = await deps.people.listPeople(tenant);
    const person = pickPerson(people, who);
    if (!person) {
      await ctx.reply(`There is no person ${who} here. /people shows the numbers.`);
      return;
    }
    await deps.people.namePerson(tenant, person.id, name);
    const num = people.indexOf(person) + 1;
    await ctx.reply(`Person ${num} is now <b>${escapeHtml(name.replace(/\s+/g, ' ').trim())}</b>.`, {
      parse_mode: 'HTML',
    });
  });

  composer.command('merge', async (ctx) => {
    const [a, rest] = splitFirst(ctx.match);
    const [b] = splitFirst(rest);
    if (!a || !b) {
      await ctx.reply('Usage: /merge <a> <b> joins person a into person b, e.g. /merge 4 1.');
      return;
    }
    if (!(await isChatAdmin(ctx))) {
      await ctx.reply(ADMIN_ONLY);
      return;
    }
    const tenant = tenantOf(ctx);
    const people = await deps.people.listPeople(tenant);
    const from = pickPerson(people, a);
    const into = pickPerson(people, b);
    if (!from || !into) {
      await ctx.reply(`There is no person ${from ? b : a} here. /people shows the numbers.`);
      return;
    }
    if (from.id === into.id) {
      await ctx.reply('That is the same person already.');
      return;
    }
    const numbers = personNumbers(people);
    const sheet = await contactSheet(
      [from, into].map((p) => ({ num: numbers.get(p.id) ?? 0, name: p.name, faceKey: p.coverKey })),
      deps.blobs,
    );
    if (sheet) await ctx.replyWithPhoto(new InputFile(sheet, 'same-person.jpg'));
    const label = (p: typeof from) => escapeHtml(personLabel(numbers.get(p.id), p.name));
    await ctx.reply(`Are <b>${label(from)}</b> and <b>${label(into)}</b> the same person?`, {
      parse_mode: 'HTML',
      reply_markup: new InlineKeyboard()
        .text('Yes, merge them', `merge:${from.id}:${into.id}`)
        .text('No', 'merge:no'),
    });
  });

  composer.callbackQuery('merge:no', async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageText('Kept apart.');
  });

  composer.callbackQuery(/^merge:([A-Za-z0-9_-]{1,28}):([A-Za-z0-9_-]{1,28})$/, async (ctx) => {
    if (!(await isChatAdmin(ctx))) {
      await ctx.answerCallbackQuery({ text: ADMIN_ONLY, show_alert: true });
      return;
    }
    const [, from, into] = ctx.match;
    const tenant = tenantOf(ctx);
    const kept = await deps.people.mergePeople(tenant, from ?? '', into ?? '');
    await ctx.answerCallbackQuery({ text: 'Merged' });
    const people = await deps.people.listPeople(tenant);
    const num = personNumbers(people).get(kept);
    const name = people.find((p) => p.id === kept)?.name ?? null;
    await ctx.editMessageText(`Merged: they are now <b>${escapeHtml(personLabel(num, name))}</b>.`, {
      parse_mode: 'HTML',
    });
  });

  return composer;
}
