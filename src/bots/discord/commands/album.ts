import { InteractionContextType, SlashCommandBuilder } from 'discord.js';

import { runAlbum } from '../album-run.js';
import { attachmentRef, type AttachmentRef } from '../attachments.js';
import { deferForTenant, interactionSurface, type SlashCommand } from '../command.js';

/** Attachment options per command: Discord allows 25 options; 10 matches a Discord message's file cap. */
const PHOTO_OPTIONS = 10;

const data = new SlashCommandBuilder()
  .setName('album')
  .setDescription('Turn photos into a blog post and find the people in them')
  .setContexts(InteractionContextType.Guild);
for (let i = 1; i <= PHOTO_OPTIONS; i++) {
  data.addAttachmentOption((o) =>
    o
      .setName(`photo${i}`)
      .setDescription(i === 1 ? 'A photo of the album' : 'Another photo')
      .setRequired(i === 1),
  );
}

export const albumCommand: SlashCommand = {
  data,
  async execute(interaction, deps) {
    const tenant = await deferForTenant(interaction);
    if (!tenant) return;
    const refs: AttachmentRef[] = [];
    for (let i = 1; i <= PHOTO_OPTIONS; i++) {
      const a = interaction.options.getAttachment(`photo${i}`);
      if (a) refs.push(attachmentRef(a));
    }
    await runAlbum(deps, tenant, refs, interactionSurface(interaction), {
      sentAt: interaction.createdAt.toISOString(),
      sender: interaction.user.globalName ?? interaction.user.username,
      language: interaction.locale,
    });
  },
};
