import { InteractionContextType, SlashCommandBuilder } from 'discord.js';

import { renderContactSheet, type SheetEntry } from '../../../blog/contact-sheet.js';
import { deferForTenant, toPayload, type SlashCommand } from '../command.js';
import { clip, esc, plural } from '../format.js';
import { peopleLabels } from '../people-labels.js';

/** A contact sheet of 40 faces is 4 × 10 tiles (≈ 700 × 2100 px): beyond that it stops being readable. */
const SHEET_PEOPLE = 40;

export const peopleCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('people')
    .setDescription('The people found in this channel, with their numbers and names')
    .setContexts(InteractionContextType.Guild),
  async execute(interaction, deps) {
    const tenant = await deferForTenant(interaction);
    if (!tenant) return;
    const labels = await peopleLabels(deps.services, tenant);
    if (labels.people.length === 0) {
      await interaction.editReply({ content: 'Nobody yet: send an album with `/album`.' });
      return;
    }
    const lines = labels.people.map(
      (p) => `**#${p.handle}** ${esc(p.name ?? '')}: ${plural(p.photoCount, 'photo')}`,
    );
    const entries: SheetEntry[] = [];
    for (const p of labels.people.slice(0, SHEET_PEOPLE)) {
      const face = p.coverKey ? await deps.blobs.get(p.coverKey) : null;
      if (face)
        entries.push({ label: p.name ? `#${p.handle} ${p.name}` : `#${p.handle}`, face: Buffer.from(face) });
    }
    const content = clip(
      [`**${plural(labels.people.length, 'person', 'people')}** (name them with \`/name\`):`, ...lines].join(
        '\n',
      ),
    );
    const files = entries.length > 0 ? [{ name: 'people.jpg', data: await renderContactSheet(entries) }] : [];
    await interaction.editReply(toPayload({ content, files }));
  },
};
