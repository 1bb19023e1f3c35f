/** Every slash command the bot registers and answers, in the order Discord lists them. */
import type { SlashCommand } from '../command.js';
import { albumCommand } from './album.js';
import { blogCommand } from './blog.js';
import { findCommand } from './find.js';
import { forgetCommand } from './forget.js';
import { nameCommand } from './name.js';
import { peopleCommand } from './people.js';
import { personCommand } from './person.js';
import { statsCommand } from './stats.js';

export const commands: readonly SlashCommand[] = [
  albumCommand,
  blogCommand,
  peopleCommand,
  personCommand,
  nameCommand,
  findCommand,
  forgetCommand,
  statsCommand,
];
