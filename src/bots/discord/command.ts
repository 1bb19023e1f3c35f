/**
 * A slash command as data: its definition (registered with Discord) and the handler. Buttons a command
 * posts carry custom ids starting with `<command name>:`, and come back to the same module.
 */
import {
  type ActionRowBuilder,
  AttachmentBuilder,
  type ButtonBuilder,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type MessageMentionTypes,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';

import { discordTenant } from '../../core/keys.js';
import type { OutMessage } from './album-post.js';
import type { ReplySurface } from './album-run.js';
import type { DiscordDeps } from './context.js';

export interface SlashCommand {
  readonly data: { readonly name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, deps: DiscordDeps): Promise<void>;
  button?(interaction: ButtonInteraction, deps: DiscordDeps): Promise<void>;
  /** Suggestions for options declared with setAutocomplete(true). */
  autocomplete?(interaction: AutocompleteInteraction, deps: DiscordDeps): Promise<void>;
}

/** The channel inside its guild is the tenant; null in DMs, where the bot does not keep photos. */
export function tenantOf(interaction: { guildId: string | null; channelId: string | null }): string | null {
  if (!interaction.guildId || !interaction.channelId) return null;
  return discordTenant(interaction.guildId, interaction.channelId);
}

export const GUILD_ONLY = 'I keep photos per server channel: use me in a channel of a server.';

/**
 * The start of a command that works on the channel's photos: resolves with the tenant after deferring
 * the reply (downloading, analyzing and reading the stores can take longer than the 3 s Discord waits
 * for a first answer), or with null after telling the user, in DMs.
 */
export async function deferForTenant(interaction: ChatInputCommandInteraction): Promise<string | null> {
  const tenant = tenantOf(interaction);
  if (!tenant) {
    await interaction.reply({ content: GUILD_ONLY });
    return null;
  }
  await interaction.deferReply();
  return tenant;
}

/** Nobody is pinged by anything the bot writes (names and file names come from users). */
export const NO_MENTIONS: { parse: MessageMentionTypes[]; repliedUser: false } = {
  parse: [],
  repliedUser: false,
};

/** A message with rows of buttons under it ("Is this Anna?" after an album). */
export interface OutMessageWithButtons extends OutMessage {
  readonly components?: readonly ActionRowBuilder<ButtonBuilder>[];
}

/** A message for editReply, followUp, message.edit and channel.send alike; buttons travel along. */
export function toPayload(message: OutMessageWithButtons): {
  content: string;
  files: AttachmentBuilder[];
  allowedMentions: typeof NO_MENTIONS;
  components?: ActionRowBuilder<ButtonBuilder>[];
} {
  return {
    content: message.content,
    files: (message.files ?? []).map((f) => new AttachmentBuilder(f.data, { name: f.name })),
    allowedMentions: NO_MENTIONS,
    ...(message.components ? { components: [...message.components] } : {}),
  };
}

/** The deferred reply is the status message; further messages are follow-ups. */
export function interactionSurface(interaction: ChatInputCommandInteraction): ReplySurface {
  return {
    async edit(message) {
      await interaction.editReply(toPayload(message));
    },
    async send(message) {
      await interaction.followUp(toPayload(message));
    },
  };
}
