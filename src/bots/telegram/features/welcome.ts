/**
 * /start (a welcome), /help (what to do, with examples), and the privacy-mode explanation: in groups a bot with privacy mode on sees only
 * commands and replies to it, never plain photos, so it says how to let it see the album.
 */
import { Composer, type Context } from 'grammy';

import { isGroup } from '../chat.js';

export const WELCOME = [
  'Hi! Send me a photo album and I will write a short blog post about it and find the people in it.',
  'Send photos as an album or one by one; send originals as files to keep their time and place (HEIC is fine).',
  '/help shows what else I can do.',
].join('\n');

export const HELP = [
  'What I do with an album: one status message that becomes the post, then a sheet of the faces.',
  '',
  'People keep a number for good (#7), so an old message still means the same person:',
  '• Tap “Who is #7?” under an album and reply with the name, or send /name 7 Anna',
  '• /people shows who I know (people seen once are folded away; /people all shows everyone)',
  '• /person Anna shows her face with buttons: rename, photos, not this person, hide',
  '• /photos Anna sends the photos she is in',
  '• /merge 4 1 joins #4 into #1 (admins, with Undo)',
  '• /find with a selfie (as its caption, or right after) finds that person’s photos',
  '• /blog as a reply to an album writes its post again',
  '• /forget asks what to forget; /forget me forgets your own face (with a selfie); /forget all everything',
  '• /stats shows what I keep for this chat',
].join('\n');

export const PRIVACY_MODE = [
  'In groups I can only see photos when privacy mode is off or I am an admin.',
  'To turn it off: open @BotFather, send /setprivacy, choose this bot and pick “Disable”, then remove me',
  'from the group and add me again. Or make me an admin of this group.',
].join('\n');

export function welcomeFeature(): Composer<Context> {
  const composer = new Composer<Context>();

  composer.command('start', async (ctx) => {
    const blind = isGroup(ctx) && !ctx.me.can_read_all_group_messages;
    await ctx.reply(blind ? `${WELCOME}\n\n${PRIVACY_MODE}` : WELCOME);
  });

  composer.command('help', async (ctx) => {
    const blind = isGroup(ctx) && !ctx.me.can_read_all_group_messages;
    await ctx.reply(blind ? `${HELP}\n\n${PRIVACY_MODE}` : HELP);
  });

  // Added to a group: say hello, and explain privacy mode when it would hide the photos.
  composer.on('my_chat_member', async (ctx) => {
    const { old_chat_member: before, new_chat_member: now } = ctx.myChatMember;
    const joined =
      (before.status === 'left' || before.status === 'kicked') &&
      now.status !== 'left' &&
      now.status !== 'kicked';
    if (!joined || !isGroup(ctx)) return;
    const blind = !ctx.me.can_read_all_group_messages && now.status !== 'administrator';
    await ctx.reply(blind ? `${WELCOME}\n\n${PRIVACY_MODE}` : WELCOME);
  });

  return composer;
}
