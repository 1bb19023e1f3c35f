/**
 * Chat text for Discord: progress lines, people and failure lists, and splitting long text into
 * messages. Everything a user sent (file names, person names) is escaped so it cannot format or ping.
 */
import { escapeMarkdown } from 'discord.js';

/** Discord's cap on a message's `content`. */
export const DISCORD_TEXT_LIMIT = 2000;
/** Files per message, and per interaction response (Discord API). */
export const DISCORD_FILES_LIMIT = 10;

export function esc(text: string): string {
  // Mentions are inert anyway (allowedMentions none on every reply); this stops formatting.
  return escapeMarkdown(text);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function progressText(done: number, total: number): string {
  return `⏳ Processing ${done}/${plural(total, 'photo')}…`;
}

/** Cuts text to the limit at a line end where it can, marking the cut. */
export function clip(text: string, limit = DISCORD_TEXT_LIMIT): string {
  if (text.length <= limit) return text;
  const room = limit - 2;
  const cut = text.lastIndexOf('\n', room);
  return `${text.slice(0, cut > room / 2 ? cut : room)}\n…`;
}

/**
 * Blocks (paragraphs) joined into as few messages as fit the limit; a block longer than the limit is
 * split at a line end or a space, never inside a word when one is near.
 */
export function packText(blocks: readonly string[], limit = DISCORD_TEXT_LIMIT): string[] {
  const pieces: string[] = [];
  for (const block of blocks) {
    let rest = block.trim();
    while (rest.length > limit) {
      let cut = rest.lastIndexOf('\n', limit);
      if (cut < limit / 2) cut = rest.lastIndexOf(' ', limit);
      if (cut < limit / 2) cut = limit;
      pieces.push(rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
    }
    if (rest) pieces.push(rest);
  }
  const messages: string[] = [];
  for (const piece of pieces) {
    const last = messages.at(-1);
    if (last !== undefined && last.length + 2 + piece.length <= limit)
      messages[messages.length - 1] = `${last}\n\n${piece}`;
    else messages.push(piece);
  }
  return messages;
}

export interface FailureLine {
  readonly name: string;
  readonly code: string;
  readonly message: string;
}

export function failureText(failures: readonly FailureLine[]): string {
  if (failures.length === 0) return '';
  const lines = failures.map((f) => `• ${esc(f.name)}: ${esc(f.message)} (${f.code})`);
  return [`**Could not use ${plural(failures.length, 'file')}:**`, ...lines].join('\n');
}
