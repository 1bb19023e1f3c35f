/**
 * The Discord bot: a discord.js client whose handlers route slash commands and their buttons to the
 * command modules, and treat messages with images in watched channels as albums. Every handler runs
 * inside an error boundary that answers the user and logs; nothing connects until the caller logs in.
 */
import {
  Client,
  Events,
  GatewayIntentBits,
  MessageFlags,
  Routes,
  type BaseInteraction,
  type Message,
  type RepliableInteraction,
} from 'discord.js';

import { describeError, ErrorCode } from '../../core/errors.js';
import { discordTenant } from '../../core/keys.js';
import { runAlbum } from './album-run.js';
import { attachmentRef, isImageAttachment } from './attachments.js';
import { NO_MENTIONS, toPayload, type SlashCommand } from './command.js';
import { commands as allCommands } from './commands/index.js';
import type { DiscordDeps } from './context.js';
import { esc } from './format.js';

export interface DiscordBotOptions {
  /** REST base URL (DISCORD_API_BASE); default https://discord.com/api. */
  readonly api?: string;
  /** Channel ids whose messages with images are albums; needs the Message Content intent. */
  readonly watchChannels?: ReadonlySet<string>;
  readonly commands?: readonly SlashCommand[];
}

export interface DiscordBot {
  readonly client: Client;
  readonly commands: readonly SlashCommand[];
  /** Registers the slash commands: globally, or in one guild (visible at once, for development). */
  registerCommands(applicationId: string, guildId?: string): Promise<void>;
  /** Resolves once every handler in progress has finished. */
  idle(): Promise<void>;
}

export function createDiscordBot(deps: DiscordDeps, options: DiscordBotOptions = {}): DiscordBot {
  const commands = options.commands ?? allCommands;
  const byName = new Map(commands.map((c) => [c.data.name, c]));
  const watch = options.watchChannels ?? new Set<string>();
  const client = new Client({
    // Slash commands need only Guilds; reading other members' attachments needs the privileged
    // Message Content intent, asked for only when channels are watched.
    intents:
      watch.size > 0
        ? [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent]
        : [GatewayIntentBits.Guilds],
    allowedMentions: NO_MENTIONS,
    ...(options.api ? { rest: { api: options.api } } : {}),
  });

  const running = new Set<Promise<void>>();
  const track = (work: Promise<void>): void => {
    running.add(work);
    void work.finally(() => running.delete(work));
  };

  async function onInteraction(interaction: BaseInteraction): Promise<void> {
    if (interaction.isChatInputCommand()) {
      const command = byName.get(interaction.commandName);
      if (!command) return;
      await boundary(interaction, `/${interaction.commandName}`, () => command.execute(interaction, deps));
    } else if (interaction.isAutocomplete()) {
      const command = byName.get(interaction.commandName);
      // Suggestions are best effort: a failure shows no choices, never an error message.
      await command?.autocomplete?.(interaction, deps).catch((error: unknown) => {
        deps.log(`discord: autocomplete /${interaction.commandName} failed: ${String(error)}`);
      });
    } else if (interaction.isButton()) {
      const command = byName.get(interaction.customId.split(':')[0] ?? '');
      if (!command?.button) return;
      await boundary(interaction, `button ${interaction.customId}`, () =>
        (command.button ?? (() => Promise.resolve()))(interaction, deps),
      );
    }
  }

  async function boundary(interaction: RepliableInteraction, what: string, work: () => Promise<void>) {
    try {
      await work();
    } catch (error) {
      const { code, message } = describeError(error);
      deps.log(`discord: ${what} failed: ${code}: ${message}`, {
        level: code === ErrorCode.BadArguments ? 'info' : 'error',
        code,
        interactionId: interaction.id,
        ...(interaction.guildId && interaction.channelId
          ? { tenant: discordTenant(interaction.guildId, interaction.channelId) }
          : {}),
      });
      // Bad arguments are the user's to fix and say so; anything else is ours.
      const text =
        code === ErrorCode.BadArguments
          ? `⚠️ ${esc(message)}`
          : `❌ Something went wrong (${code}). Try again later.`;
      try {
        if (interaction.deferred || interaction.replied)
          await interaction.editReply({ content: text, components: [] });
        else await interaction.reply({ content: text, flags: MessageFlags.Ephemeral });
      } catch (replyError) {
        deps.log(`discord: could not report the failure: ${describeError(replyError).message}`);
      }
    }
  }

  async function onMessage(message: Message): Promise<void> {
    if (message.author.bot || !message.inGuild() || !watch.has(message.channelId)) return;
    const refs = [...message.attachments.values()].map(attachmentRef).filter(isImageAttachment);
    if (refs.length === 0) return;
    const tenant = discordTenant(message.guildId, message.channelId);
    const status = await message.reply({ content: '📥 Got it…', allowedMentions: NO_MENTIONS });
    try {
      await runAlbum(
        deps,
        tenant,
        refs,
        {
          async edit(m) {
            await status.edit(toPayload(m));
          },
          async send(m) {
            await message.channel.send(toPayload(m));
          },
        },
        {
          sentAt: message.createdAt.toISOString(),
          sender: message.member?.displayName ?? message.author.globalName ?? message.author.username,
          ...(message.content.trim() ? { caption: message.content } : {}),
          language: message.guild.preferredLocale,
          // Attachment URLs expire: /find links the message instead of resending by reference.
          original: { kind: 'document', message: message.id, link: message.url },
        },
      );
    } catch (error) {
      const { code, message: text } = describeError(error);
      deps.log(`discord: album in ${tenant} failed: ${code}: ${text}`, { level: 'error', tenant, code });
      await status
        .edit({ content: `❌ Something went wrong (${code}). Try again later.` })
        .catch(() => undefined);
    }
  }

  client.on(Events.InteractionCreate, (interaction) => {
    track(onInteraction(interaction));
  });
  client.on(Events.MessageCreate, (message) => {
    track(onMessage(message));
  });

  return {
    client,
    commands,
    async registerCommands(applicationId, guildId) {
      const route = guildId
        ? Routes.applicationGuildCommands(applicationId, guildId)
        : Routes.applicationCommands(applicationId);
      await client.rest.put(route, { body: commands.map((c) => c.data.toJSON()) });
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
