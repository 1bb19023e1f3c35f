/**
 * /blog writes the post again: of the album it replies to (a photo of the album or the bot's post), or
 * of the chat's latest album.
 */
import { Composer, type Context } from 'grammy';

import { mediaGroupAlbumId } from '../album-memory.js';
import { sendPost } from '../album-replies.js';
import { tenantOf } from '../chat.js';
import { progressText } from '../format.js';
import type { FeatureKit } from '../kit.js';

export function blogFeature(kit: FeatureKit): Composer<Context> {
  const composer = new Composer<Context>();
  const { deps } = kit;
  composer.command('blog', async (ctx) => {
    const tenant = tenantOf(ctx);
    const replied = ctx.msg.reply_to_message;
    const repliedAlbum = replied
      ? (kit.albums.albumOf(ctx.chat.id, replied.message_id) ??
        (replied.media_group_id ? mediaGroupAlbumId(replied.media_group_id) : null))
      : null;
    const albumId = repliedAlbum ?? (await deps.albums.latestAlbumId(tenant));
    if (!albumId) {
      await ctx.reply(
        'No album yet. Send some photos (as an album, or one by one) and I will write the post.',
      );
      return;
    }
    const which = repliedAlbum ? 'That album' : 'The last album';
    const result = await deps.photos.albumResult(tenant, albumId);
    if (!result) {
      const status = await deps.photos.albumStatus(tenant, albumId);
      await ctx.reply(
        status === null
          ? 'I do not have that album any more. Send the photos again for a new post.'
          : status.status === 'failed'
            ? `${which} could not be processed. Please send it again.`
            : `${which} is not done yet: ${progressText(status.processed, status.total)}`,
      );
      return;
    }
    await ctx.replyWithChatAction('typing');
    const people = await deps.people.listPeople(tenant);
    await sendPost(ctx.api, ctx.chat.id, tenant, result, people, deps, {
      message_id: replied?.message_id ?? ctx.msg.message_id,
      allow_sending_without_reply: true,
    });
  });
  return composer;
}
