/**
 * "Is this Anna?" after an album on Discord (services/suggestions.ts): one message per question with
 * both faces side by side (the album's unnamed person left, the named person right) and Yes / No
 * buttons, answered by `/person`'s button handler (commands/person-buttons.ts), with the same
 * permissions as on Telegram: Yes merges (message managers), No keeps apart (any member).
 */
import { suggestionQuestions } from '../../chat/suggestion-questions.js';
import type { AlbumResult } from '../../core/album.js';
import { describeError } from '../../core/errors.js';
import type { OutMessageWithButtons } from './command.js';
import { suggestionRow, who } from './commands/person-buttons.js';
import type { DiscordDeps } from './context.js';
import { esc } from './format.js';

/** The album's questions as messages (none when there is nothing to ask). */
export async function suggestionMessages(
  deps: DiscordDeps,
  tenant: string,
  result: AlbumResult,
): Promise<OutMessageWithButtons[]> {
  const questions = await suggestionQuestions(deps.services.people, deps.blobs, tenant, result);
  return questions.map(({ suggestion, person, candidate, picture }) => ({
    content: `Is this ${esc(candidate.name ?? `#${candidate.handle}`)}? ${who(person)} from this album (left) looks like ${who(candidate)} (right).`,
    files: picture ? [{ name: 'is-this-them.jpg', data: picture }] : [],
    components: [suggestionRow(suggestion)],
  }));
}

/**
 * Sends the album's questions after its post. The surface hands each message to `toPayload`
 * (command.ts), which carries the buttons along. Best effort: the album's answer is already posted, so
 * a failure here is logged, never reported as a failed album.
 */
export async function sendSuggestions(
  deps: DiscordDeps,
  tenant: string,
  result: AlbumResult,
  send: (message: OutMessageWithButtons) => Promise<void>,
): Promise<void> {
  try {
    for (const message of await suggestionMessages(deps, tenant, result)) await send(message);
  } catch (error) {
    const { code, message } = describeError(error);
    deps.log(`discord: album questions failed: ${code}: ${message}`, { tenant, level: 'error', code });
  }
}
