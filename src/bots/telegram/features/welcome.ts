/**
 * /start, /help, and the privacy-mode explanation: in groups a bot with privacy mode on sees only
 * commands and replies to it, never plain photos, so it says how to let it see the album.
 */
import { Composer, type Context } from 'grammy';

import { isGroup } from '../chat.js';

export const WELCOME = [
  'Send me a photo album and I will write a short blog post about it and find the people in it.',
  '',
  'Send photos as an album or one by one; send originals as files to keep their time and place (HEIC is fine).',
  'Then: /people shows who is who, /name 2 Anna names someone, /find with a selfie shows that person’s',
  'photos, /blog rewrites the post, /forget deletes a person or everything, /stats shows what I keep.',
].join('\n');

export const PRIVACY_MODE = [
  'In groups I can only see photos when privacy mode is off or I am an admin.',
  'To turn it off: open @BotFather, send /setprivacy, choose this bot and pick “Disable”, then remove me',
  'from the group and add me again. Or make me an admin of this group.',
].join('\n');

export function welcomeFeature(): Composer<Context> {
  const composer = new Composer<Context>();

  composer.command(['start', 'help'], async (ctx) => {
    const blind = isGroup(ctx) && !ctx.me.can_read_all_group_messages;
    await ctx.reply(blind ? `${WELCOME}\n\n${PRIVACY_MODE}` : WELCOME);
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
