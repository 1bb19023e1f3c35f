/** The command menu, registered with setMyCommands at start. */
import type { BotCommand } from 'grammy/types';

export const COMMANDS: readonly BotCommand[] = [
  { command: 'start', description: 'What this bot does' },
  { command: 'help', description: 'How to use it, and privacy mode in groups' },
  { command: 'blog', description: 'Write the post for the last album again' },
  { command: 'people', description: 'The people in this chat’s photos, numbered' },
  { command: 'name', description: 'Name someone: /name 2 Anna' },
  { command: 'merge', description: 'Join two people: /merge 4 1' },
  { command: 'find', description: 'Find a person’s photos from a selfie' },
  { command: 'forget', description: 'Forget a person (/forget 2) or everything (/forget all)' },
  { command: 'stats', description: 'What I keep for this chat' },
];
