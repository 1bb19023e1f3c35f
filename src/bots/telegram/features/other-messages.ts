/**
 * What is left after every feature had its turn: media the bot does not read are mentioned (once per
 * album, so an album with a video is not silently shorter), and unknown text in a private chat gets a
 * short hint. Groups' chatter is left alone.
 */
import { Composer, type Context } from 'grammy';

/** Media groups already told about, bounded: a group's album arrives within seconds. */
const MAX_REMEMBERED = 1000;

export function otherMessagesFeature(): Composer<Context> {
  const composer = new Composer<Context>();
  const told = new Set<string>();

  composer.on(
    ['message:video', 'message:animation', 'message:video_note', 'message:sticker'],
    async (ctx) => {
      const kind = ctx.msg.sticker ? 'stickers' : 'videos';
      const group = ctx.msg.media_group_id;
      if (group) {
        const key = `${ctx.chat.id}/${group}`;
        if (told.has(key)) return;
        told.add(key);
        if (told.size > MAX_REMEMBERED) told.delete(told.values().next().value ?? key);
        await ctx.reply(`I skip ${kind}: the photos of this album are in the post, the ${kind} are not.`, {
          reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true },
        });
        return;
      }
      if (ctx.chat.type === 'private')
        await ctx.reply(`I skip ${kind}: send photos and I will make a post of them.`);
    },
  );

  composer.on('message:text', async (ctx) => {
    if (ctx.chat.type !== 'private') return;
    await ctx.reply(
      ctx.msg.text.startsWith('/')
        ? 'I do not know that command. /help shows what I can do.'
        : 'Send me photos and I will write a post about them. /help shows what else I can do.',
    );
  });

  return composer;
}
