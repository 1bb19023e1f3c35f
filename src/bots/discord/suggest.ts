/**
 * "Is this Anna?" after an album on Discord (services/suggestions.ts): one message per question with
 * both faces side by side (the album's unnamed person left, the named person right) and Yes / No
 * buttons, answered by `/person`'s button handler (commands/person-buttons.ts), with the same
 * permissions as on Telegram: Yes merges (message managers), No keeps apart (any member).
 */
import { renderContactSheet, type SheetEntry } from '../../blog/contact-sheet.js';
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
  const people = deps.services.people;
  const suggestions = await people.suggestions(tenant, result);
  if (suggestions.length === 0) return [];
  const byId = new Map((await people.listPeople(tenant)).map((p) => [p.id, p]));
  const out: OutMessageWithButtons[] = [];
  for (const s of suggestions) {
    const person = byId.get(s.personId);
    const candidate = byId.get(s.candidateId);
    if (!person || !candidate) continue;
    const tiles: SheetEntry[] = [];
    for (const [key, p] of [
      [s.faceKey, person],
      [s.candidateFaceKey, candidate],
    ] as const) {
      const face = key ? await deps.blobs.get(key) : null;
      if (face) tiles.push({ label: p.name ?? `#${p.handle}`, face: Buffer.from(face) });
    }
    out.push({
      content: `Is this ${esc(candidate.name ?? `#${candidate.handle}`)}? ${who(person)} from this album (left) looks like ${who(candidate)} (right).`,
      // Both faces or no picture: a question about one face alone would show only half of it.
      files:
        tiles.length === 2 ? [{ name: 'is-this-them.jpg', data: await renderContactSheet(tiles, 2) }] : [],
      components: [suggestionRow(s)],
    });
  }
  return out;
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
