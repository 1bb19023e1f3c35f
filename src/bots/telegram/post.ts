/**
 * The blog post of an album as Telegram messages: the chat's post (src/chat/album-post.ts, one way to
 * write it for every surface) as HTML messages under 4096 characters.
 */
import { toTelegram } from '../../blog/split-telegram.js';
import type { ChatPost } from '../../chat/album-post.js';

/** HTML messages, each within Telegram's 4096 characters. */
export function postMessages(written: ChatPost): string[] {
  return toTelegram(written.post, written.facts, { html: true }).messages;
}
