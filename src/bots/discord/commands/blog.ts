import { InteractionContextType, SlashCommandBuilder } from 'discord.js';

import { albumPost } from '../album-post.js';
import { deferForTenant, NO_MENTIONS, toPayload, type SlashCommand } from '../command.js';
import { progressText } from '../format.js';
import { peopleLabels } from '../people-labels.js';

export const blogCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('blog')
    .setDescription("Write the blog post for this channel's latest album again")
    .setContexts(InteractionContextType.Guild),
  async execute(interaction, deps) {
    const tenant = await deferForTenant(interaction);
    if (!tenant) return;
    const albumId = await deps.latestAlbum(tenant);
    const status = albumId ? await deps.services.photos.albumStatus(tenant, albumId) : null;
    if (!albumId || !status) {
      await interaction.editReply({ content: 'No album here yet: send photos with `/album` first.' });
      return;
    }
    if (status.status === 'queued' || status.status === 'processing') {
      await interaction.editReply({ content: progressText(status.processed, status.total) });
      return;
    }
    const result = await deps.services.photos.albumResult(tenant, albumId);
    if (!result) {
      await interaction.editReply({ content: '❌ The latest album could not be processed.' });
      return;
    }
    const labels = await peopleLabels(deps.services, tenant);
    const [first, ...rest] = await albumPost(deps, tenant, result, labels);
    if (!first) {
      await interaction.editReply({ content: 'The album has nothing to write about.' });
      return;
    }
    await interaction.editReply(toPayload(first));
    for (const m of rest) await interaction.followUp({ ...toPayload(m), allowedMentions: NO_MENTIONS });
  },
};
