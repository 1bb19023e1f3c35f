/**
 * Feeds gateway packets to a discord.js client without a gateway connection: the same
 * `WebSocketManager#handlePacket` path a shard's dispatches take, so READY, GUILD_CREATE,
 * INTERACTION_CREATE and MESSAGE_CREATE build the real structures (ChatInputCommandInteraction,
 * ButtonInteraction, Message) from raw API payloads, exactly as discord.js does in production.
 */
import type { Client } from 'discord.js';

import { APP_ID, BOT_USER, type AttachmentPayload, type RestEmulator } from './rest-emulator.js';

interface PacketSink {
  handlePacket(packet: { t: string; d: unknown; op?: number; s?: number }, shard: { id: number }): boolean;
  triggerClientReady(): void;
}

/** The private packet entry of discord.js 14's WebSocketManager (src/client/websocket/WebSocketManager.js). */
function sink(client: Client): PacketSink {
  return client.ws as unknown as PacketSink;
}

const SHARD = { id: 0, checkReady() {} };

export function dispatch(client: Client, t: string, d: unknown): void {
  sink(client).handlePacket({ op: 0, t, d }, SHARD);
}

export interface TestGuild {
  readonly id: string;
  readonly channels: readonly string[];
}

/** READY and GUILD_CREATE, as a shard would send them after IDENTIFY. */
export function connectWithoutGateway(client: Client, guild: TestGuild): void {
  dispatch(client, 'READY', {
    v: 10,
    user: BOT_USER,
    guilds: [{ id: guild.id, unavailable: true }],
    session_id: 'test-session',
    resume_gateway_url: 'ws://127.0.0.1:1',
    application: { id: APP_ID, flags: 0 },
  });
  sink(client).triggerClientReady();
  dispatch(client, 'GUILD_CREATE', guildCreate(guild));
}

/** The GUILD_CREATE payload of a server with one text channel per id. */
export function guildCreate(guild: TestGuild): Record<string, unknown> {
  return {
    id: guild.id,
    name: 'Test server',
    icon: null,
    owner_id: '1',
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    features: [],
    mfa_level: 0,
    system_channel_flags: 0,
    premium_tier: 0,
    preferred_locale: 'en-US',
    nsfw_level: 0,
    roles: [
      {
        id: guild.id,
        name: '@everyone',
        permissions: '0',
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    stickers: [],
    channels: guild.channels.map((id, i) => ({
      id,
      type: 0,
      guild_id: guild.id,
      name: `photos-${i + 1}`,
      position: i,
      permission_overwrites: [],
      nsfw: false,
      parent_id: null,
    })),
    threads: [],
    members: [],
    presences: [],
    voice_states: [],
    member_count: 2,
    large: false,
    unavailable: false,
    joined_at: new Date().toISOString(),
  };
}

export interface TestUser {
  readonly id: string;
  readonly username: string;
  /** Permission bits as Discord sends them (a decimal string), e.g. ManageMessages = 8192. */
  readonly permissions: string;
}

function member(user: TestUser) {
  return {
    user: {
      id: user.id,
      username: user.username,
      discriminator: '0',
      global_name: user.username,
      avatar: null,
    },
    roles: [],
    joined_at: new Date().toISOString(),
    deaf: false,
    mute: false,
    flags: 0,
    permissions: user.permissions,
  };
}

export type CommandOption =
  | { readonly type: 1; readonly name: string; readonly options: readonly CommandOption[] }
  | { readonly type: 3 | 4 | 11; readonly name: string; readonly value: string | number };

export interface Invocation {
  readonly id: string;
  readonly token: string;
  readonly payload: Record<string, unknown>;
}

/** An APPLICATION_COMMAND interaction of a chat input command, with resolved attachments. */
export function commandInteraction(
  rest: RestEmulator,
  where: { guild: string; channel: string },
  user: TestUser,
  name: string,
  options: readonly CommandOption[] = [],
  attachments: readonly AttachmentPayload[] = [],
): Invocation {
  const id = rest.snowflake();
  const token = `token-${id}`;
  return {
    id,
    token,
    payload: {
      ...base(id, token, where, user),
      type: 2,
      data: {
        id: rest.snowflake(),
        name,
        type: 1,
        guild_id: where.guild,
        options,
        ...(attachments.length > 0
          ? { resolved: { attachments: Object.fromEntries(attachments.map((a) => [a.id, a])) } }
          : {}),
      },
    },
  };
}

/** A MESSAGE_COMPONENT interaction: a click on a button of `message`. */
export function buttonInteraction(
  rest: RestEmulator,
  where: { guild: string; channel: string },
  user: TestUser,
  customId: string,
  message: Record<string, unknown>,
): Invocation {
  const id = rest.snowflake();
  const token = `token-${id}`;
  return {
    id,
    token,
    payload: {
      ...base(id, token, where, user),
      type: 3,
      message,
      data: { custom_id: customId, component_type: 2 },
    },
  };
}

function base(id: string, token: string, where: { guild: string; channel: string }, user: TestUser) {
  return {
    id,
    token,
    application_id: APP_ID,
    version: 1,
    guild_id: where.guild,
    channel_id: where.channel,
    channel: { id: where.channel, type: 0, guild_id: where.guild, name: 'photos' },
    member: member(user),
    // The bot's own permissions in the channel: send messages, attach files, embed links.
    app_permissions: String((1n << 11n) | (1n << 15n) | (1n << 14n)),
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': where.guild },
    context: 0,
  };
}

/** A MESSAGE_CREATE of a user's message with attachments. */
export function userMessage(
  rest: RestEmulator,
  where: { guild: string; channel: string },
  user: TestUser,
  content: string,
  attachments: readonly AttachmentPayload[],
): Record<string, unknown> {
  // A message's member object comes without its user (the author is the user).
  const { user: author, ...memberOnly } = member(user);
  return {
    id: rest.snowflake(),
    channel_id: where.channel,
    guild_id: where.guild,
    author,
    member: memberOnly,
    content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments,
    embeds: [],
    components: [],
    pinned: false,
    type: 0,
    flags: 0,
  };
}
