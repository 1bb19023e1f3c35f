/** /stats: what the bot holds for this chat. */
import { Composer, type Context } from 'grammy';

import { tenantOf } from '../chat.js';
import { plural } from '../format.js';
import type { FeatureKit } from '../kit.js';

export function statsFeature(kit: FeatureKit): Composer<Context> {
  const composer = new Composer<Context>();
  composer.command('stats', async (ctx) => {
    const tenant = tenantOf(ctx);
    const [stats, people] = await Promise.all([
      kit.deps.albums.stats(tenant),
      kit.deps.people.listPeople(tenant),
    ]);
    const named = people.filter((p) => p.name).length;
    const faces = people.reduce((n, p) => n + p.faceCount, 0);
    await ctx.reply(
      [
        `${plural(stats.albums, 'album')}, ${plural(stats.photos, 'photo')}`,
        `${plural(people.length, 'person', 'people')} (${named} named), ${plural(faces, 'face')}`,
      ].join('\n'),
    );
  });
  return composer;
}
