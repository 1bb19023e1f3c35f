/** `/stats`: what the bot keeps for this channel, as Telegram's /stats. */
import { InteractionContextType, SlashCommandBuilder } from 'discord.js';

import { deferForTenant, type SlashCommand } from '../command.js';
import { plural } from '../format.js';

export const statsCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('stats')
    .setDescription('What I keep for this channel')
    .setContexts(InteractionContextType.Guild),
  async execute(interaction, deps) {
    const tenant = await deferForTenant(interaction);
    if (!tenant) return;
    const [stats, people] = await Promise.all([
      deps.albumStats(tenant),
      deps.services.people.listPeople(tenant),
    ]);
    const named = people.filter((p) => p.name).length;
    const hidden = people.filter((p) => p.hidden).length;
    const faces = people.reduce((n, p) => n + p.faceCount, 0);
    await interaction.editReply({
      content: [
        `${plural(stats.albums, 'album')}, ${plural(stats.photos, 'photo')}`,
        `${plural(people.length, 'person', 'people')} (${named} named${hidden > 0 ? `, ${hidden} hidden` : ''}), ${plural(faces, 'face')}`,
      ].join('\n'),
    });
  },
};
