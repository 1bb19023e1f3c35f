import { InteractionContextType, SlashCommandBuilder } from 'discord.js';

import { deferForTenant, NO_MENTIONS, type SlashCommand } from '../command.js';
import { esc } from '../format.js';
import { peopleLabels } from '../people-labels.js';

export const nameCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('name')
    .setDescription('Give a person of /people a name')
    .setContexts(InteractionContextType.Guild)
    .addIntegerOption((o) =>
      o.setName('number').setDescription('Their handle (#) in /people').setRequired(true).setMinValue(1),
    )
    .addStringOption((o) =>
      // 64: the people service's limit on names (src/services/people-service.ts MAX_NAME).
      o.setName('name').setDescription('The name; leave out to clear it').setMaxLength(64),
    ),
  async execute(interaction, deps) {
    const tenant = await deferForTenant(interaction);
    if (!tenant) return;
    const n = interaction.options.getInteger('number', true);
    const name = interaction.options.getString('name');
    const person = (await peopleLabels(deps.services, tenant)).byNumber(n);
    if (!person) {
      await interaction.editReply({ content: `There is no person #${n}: see \`/people\`.` });
      return;
    }
    await deps.services.people.namePerson(tenant, person.id, name);
    await interaction.editReply({
      content: name ? `#${n} is now **${esc(name.trim())}**.` : `#${n} has no name now.`,
      allowedMentions: NO_MENTIONS,
    });
  },
};
