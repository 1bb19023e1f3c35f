/** The Discord bot's slice of the configuration, parsed with everything else by src/config.ts. */
export interface DiscordConfig {
  /** DISCORD_TOKEN. Never logged. */
  readonly token: string;
  /** DISCORD_APPLICATION_ID: needed with the token (commands are registered for it). */
  readonly applicationId: string;
  /** DISCORD_GUILD_ID: register the commands in one server, where they appear at once; null = global. */
  readonly guildId: string | null;
  /** DISCORD_WATCH_CHANNELS: channel ids whose image messages are albums. */
  readonly watchChannels: ReadonlySet<string>;
  /** DISCORD_API_BASE: another REST base URL (the tests' emulator); null = Discord's. */
  readonly apiBase: string | null;
}
