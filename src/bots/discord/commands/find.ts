import { InteractionContextType, SlashCommandBuilder } from 'discord.js';

import type { SelfieOutcome } from '../../../services/search-service.js';
import type { OutFile } from '../album-post.js';
import { attachmentRef, downloadAttachments } from '../attachments.js';
import { deferForTenant, toPayload, type SlashCommand } from '../command.js';
import { DISCORD_FILES_LIMIT, esc, failureText, plural } from '../format.js';
import { peopleLabels } from '../people-labels.js';

export const findCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('find')
    .setDescription("Find a person's photos in this channel from a selfie")
    .setContexts(InteractionContextType.Guild)
    .addAttachmentOption((o) =>
      o.setName('selfie').setDescription('A photo of one face, the person to look for').setRequired(true),
    ),
  async execute(interaction, deps) {
    const tenant = await deferForTenant(interaction);
    if (!tenant) return;
    const selfie = interaction.options.getAttachment('selfie', true);
    const { uploads, failures } = await downloadAttachments([attachmentRef(selfie)]);
    const upload = uploads[0];
    if (!upload) {
      await interaction.editReply({ content: failureText(failures) });
      return;
    }
    const outcome = await deps.services.search.findBySelfie(tenant, upload.bytes);
    if (outcome.status !== 'found') {
      await interaction.editReply({ content: notFoundText(outcome) });
      return;
    }
    const labels = await peopleLabels(deps.services, tenant);
    const who = outcome.person
      ? esc(outcome.person.name ?? labels.label(outcome.person.id))
      : 'This face (not grouped with anyone yet)';
    const files: OutFile[] = [];
    for (const [i, photo] of outcome.photos.slice(0, DISCORD_FILES_LIMIT).entries()) {
      const bytes = await deps.blobs.get(photo.thumbKey);
      if (bytes) files.push({ name: `match-${i + 1}.jpg`, data: Buffer.from(bytes) });
    }
    const more =
      outcome.photos.length > files.length ? ` (showing the best ${plural(files.length, 'photo')})` : '';
    const scores = outcome.photos
      .slice(0, files.length)
      .map((p, i) => `match-${i + 1}: ${Math.round(p.similarity * 100)}%`)
      .join(' · ');
    await interaction.editReply(
      toPayload({
        content: `🔎 **${who}** appears in ${plural(outcome.photos.length, 'photo')}${more}.\n-# similarity ${scores}`,
        files,
      }),
    );
  },
};

export function notFoundText(outcome: Exclude<SelfieOutcome, { status: 'found' }>): string {
  switch (outcome.status) {
    case 'no-match':
      return 'No match: this person is in none of the photos of this channel.';
    case 'no-face':
      return 'I see no face in that photo. Try a selfie that shows one face clearly.';
    case 'several-faces':
      return `I see ${outcome.faces} faces in that photo: send one with just the person to look for.`;
    case 'poor-quality':
      return `The face is too unclear to search with${
        outcome.reasons.length ? ` (${outcome.reasons.join(', ')})` : ''
      }. Try a sharper, front-facing photo.`;
  }
}
