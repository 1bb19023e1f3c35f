import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';

import { GUILD_ONLY, NO_MENTIONS, tenantOf, type SlashCommand } from '../command.js';
import { esc, plural } from '../format.js';
import { peopleLabels } from '../people-labels.js';

/**
 * Forgetting deletes photos, faces and people for good: only members who may manage the channel's
 * messages may do it. Discord hides the command from others (default member permissions), and the
 * handler checks again, since server admins can override command permissions.
 */
export const FORGET_PERMISSION = PermissionFlagsBits.ManageMessages;

export function mayForget(interaction: ChatInputCommandInteraction | ButtonInteraction): boolean {
  return interaction.memberPermissions?.has(FORGET_PERMISSION) ?? false;
}

const REFUSED = 'Only members who can manage messages in this channel can make me forget.';

/** `forget:<what>:<person id or ->:<user id>`; what = person | channel | cancel. */
function buttonId(what: 'person' | 'channel' | 'cancel', personId: string, userId: string): string {
  return `forget:${what}:${personId}:${userId}`;
}

export const forgetCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('forget')
    .setDescription('Forget a person, or everything this channel sent')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(FORGET_PERMISSION)
    .addSubcommand((s) =>
      s
        .setName('person')
        .setDescription("Delete a person's faces; the photos stay")
        .addIntegerOption((o) =>
          o.setName('number').setDescription('Their number in /people').setRequired(true).setMinValue(1),
        ),
    )
    .addSubcommand((s) =>
      s.setName('channel').setDescription("Delete this channel's photos, faces, people and posts"),
    ),

  async execute(interaction, deps) {
    const tenant = tenantOf(interaction);
    if (!tenant) {
      await interaction.reply({ content: GUILD_ONLY });
      return;
    }
    if (!mayForget(interaction)) {
      await interaction.reply({ content: REFUSED, flags: MessageFlags.Ephemeral });
      return;
    }
    // The confirmation is for the asker only.
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const user = interaction.user.id;
    let question: string;
    let confirm: ButtonBuilder;
    if (interaction.options.getSubcommand() === 'person') {
      const n = interaction.options.getInteger('number', true);
      const labels = await peopleLabels(deps.services, tenant);
      const person = labels.byNumber(n);
      if (!person) {
        await interaction.editReply({ content: `There is no person ${n}: see \`/people\`.` });
        return;
      }
      question = `Forget **${esc(labels.label(person.id))}**? Their ${plural(person.faceCount, 'face')} in ${plural(person.photoCount, 'photo')} will be deleted; the photos stay.`;
      confirm = new ButtonBuilder()
        .setCustomId(buttonId('person', person.id, user))
        .setLabel('Forget this person')
        .setStyle(ButtonStyle.Danger);
    } else {
      question = 'Forget **everything** this channel sent me: photos, faces, people and posts?';
      confirm = new ButtonBuilder()
        .setCustomId(buttonId('channel', '-', user))
        .setLabel('Forget everything')
        .setStyle(ButtonStyle.Danger);
    }
    const cancel = new ButtonBuilder()
      .setCustomId(buttonId('cancel', '-', user))
      .setLabel('Cancel')
      .setStyle(ButtonStyle.Secondary);
    await interaction.editReply({
      content: question,
      components: [new ActionRowBuilder<ButtonBuilder>().addComponents(confirm, cancel)],
      allowedMentions: NO_MENTIONS,
    });
  },

  async button(interaction, deps) {
    const [, what, personId, userId] = interaction.customId.split(':');
    const tenant = tenantOf(interaction);
    if (!tenant) return;
    if (interaction.user.id !== userId || !mayForget(interaction)) {
      await interaction.reply({ content: REFUSED, flags: MessageFlags.Ephemeral });
      return;
    }
    if (what === 'cancel') {
      await interaction.update({ content: 'Nothing was forgotten.', components: [] });
      return;
    }
    await interaction.deferUpdate();
    let done: string;
    if (what === 'person' && personId) {
      const labels = await peopleLabels(deps.services, tenant);
      const label = labels.label(personId);
      const outcome = await deps.services.privacy.forgetPerson(tenant, personId);
      done =
        outcome.personId === null
          ? 'That person was already forgotten.'
          : `🗑️ Forgot **${esc(label)}** (${plural(outcome.faces, 'face')}).`;
    } else {
      await deps.services.privacy.forgetTenant(tenant);
      done = '🗑️ Forgot everything this channel sent me.';
    }
    deps.log(`discord: ${tenant}: forget ${what} by ${interaction.user.id}`);
    await interaction.editReply({ content: done, components: [], allowedMentions: NO_MENTIONS });
  },
};
