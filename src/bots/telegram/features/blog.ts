/** /blog writes (or rewrites) the post of the chat's latest album. */
import { Composer, type Context } from 'grammy';

import { sendPost } from '../album-replies.js';
import { tenantOf } from '../chat.js';
import { personNumbers, progressText } from '../format.js';
import type { FeatureKit } from '../kit.js';

export function blogFeature(kit: FeatureKit): Composer<Context> {
  const composer = new Composer<Context>();
  const { deps } = kit;
  composer.command('blog', async (ctx) => {
    const tenant = tenantOf(ctx);
    const albumId = await deps.albums.latestAlbumId(tenant);
    if (!albumId) {
      await ctx.reply(
        'No album yet. Send some photos (as an album, or one by one) and I will write the post.',
      );
      return;
    }
    const result = await deps.photos.albumResult(tenant, albumId);
    if (!result) {
      const status = await deps.photos.albumStatus(tenant, albumId);
      await ctx.reply(
        status?.status === 'failed'
          ? 'The last album could not be processed. Please send it again.'
          : `The last album is not done yet: ${progressText(status?.processed ?? 0, status?.total ?? 0)}`,
      );
      return;
    }
    await ctx.replyWithChatAction('typing');
    const numbers = personNumbers(await deps.people.listPeople(tenant));
    await sendPost(ctx.api, ctx.chat.id, tenant, result, numbers, deps);
  });
  return composer;
}
