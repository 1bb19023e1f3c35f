/** The command menu and the bot's descriptions, registered with the Bot API at start. */
import type { BotCommand } from 'grammy/types';

export const COMMANDS: readonly BotCommand[] = [
  { command: 'start', description: 'What this bot does' },
  { command: 'help', description: 'How to use it, with examples' },
  { command: 'blog', description: 'Write the post again (reply to an album for that one)' },
  { command: 'people', description: 'Who is in this chat’s photos' },
  { command: 'person', description: 'One person with buttons: /person 7 or /person Anna' },
  { command: 'photos', description: 'Someone’s photos: /photos Anna' },
  { command: 'name', description: 'Name someone: /name 7 Anna' },
  { command: 'merge', description: 'Join two people: /merge 4 1' },
  { command: 'hide', description: 'Hide someone from /people: /hide 9' },
  { command: 'find', description: 'Find a person’s photos from a selfie' },
  { command: 'forget', description: 'Forget a person, your own face, or everything' },
  { command: 'stats', description: 'What I keep for this chat' },
];

/** setMyDescription: shown in an empty chat with the bot (at most 512 characters). */
export const DESCRIPTION =
  'Send me a photo album (here or in a group) and I write a short blog post about it and find the ' +
  'people in it. Name people with one tap, find someone’s photos with a selfie, and forget anything ' +
  'at any time.';

/** setMyShortDescription: on the bot's profile (at most 120 characters). */
export const SHORT_DESCRIPTION = 'Photo albums into blog posts, and who is in them.';
