import type { AlbumFacts, BlogPost } from './types.js';

/** Telegram Bot API limits: message text 4096 characters, media caption 1024 (after entity parsing). */
export const TELEGRAM_TEXT_LIMIT = 4096;
export const TELEGRAM_CAPTION_LIMIT = 1024;

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Packs blocks into messages of at most `limit` characters, breaking between blocks first, then
 * between lines, then between words; a single word longer than the limit is cut. `render` turns a
 * piece of plain text into what is sent (escaped, wrapped in tags), so the limit holds after escaping
 * and no tag or entity is ever cut.
 */
export function packMessages(
  blocks: readonly { readonly text: string; readonly render: (plain: string) => string }[],
  limit = TELEGRAM_TEXT_LIMIT,
  joiner = '\n\n',
): string[] {
  const pieces: string[] = [];
  for (const b of blocks) pieces.push(...splitPlain(b.text, b.render, limit));
  const messages: string[] = [];
  let current = '';
  for (const p of pieces) {
    if (current === '') current = p;
    else if (current.length + joiner.length + p.length <= limit) current += joiner + p;
    else {
      messages.push(current);
      current = p;
    }
  }
  if (current !== '') messages.push(current);
  return messages;
}

function splitPlain(text: string, render: (plain: string) => string, limit: number): string[] {
  if (render(text).length <= limit) return [render(text)];
  for (const sep of ['\n', ' ']) {
    const parts = text.split(sep);
    if (parts.length < 2) continue;
    const out: string[] = [];
    let current = '';
    for (const part of parts) {
      const next = current === '' ? part : current + sep + part;
      if (render(next).length <= limit) current = next;
      else {
        if (current !== '') out.push(...splitPlain(current, render, limit));
        current = part;
      }
    }
    if (current !== '') out.push(...splitPlain(current, render, limit));
    return out;
  }
  // One unbreakable word: cut by characters until each rendered piece fits.
  const out: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    let n = Math.min(rest.length, limit);
    while (n > 1 && render(rest.slice(0, n)).length > limit) n--;
    out.push(render(rest.slice(0, n)));
    rest = rest.slice(n);
  }
  return out;
}

export interface TelegramPost {
  /** Text messages in order, each within 4096 characters. */
  readonly messages: string[];
  /** Caption per photo (album path), each within 1024 characters, for sending the photos as a media group. */
  readonly captions: { readonly path: string; readonly caption: string }[];
  readonly parseMode: 'HTML' | null;
}

/** The post as Telegram messages: plain Markdown-free text, or HTML for parse_mode HTML. */
export function toTelegram(post: BlogPost, facts: AlbumFacts, opts: { html: boolean }): TelegramPost {
  const esc = opts.html ? escapeHtml : (s: string) => s;
  const bold = (s: string): string => (opts.html ? `<b>${escapeHtml(s)}</b>` : s.toUpperCase());
  const blocks: { text: string; render: (s: string) => string }[] = [
    { text: post.title, render: bold },
    { text: post.intro, render: esc },
  ];
  for (const s of post.sections) {
    blocks.push({ text: s.heading, render: bold });
    blocks.push({ text: s.text, render: esc });
  }
  blocks.push({ text: post.closing, render: esc });
  const pathOf = new Map(facts.photos.map((p) => [p.id, p.path]));
  const captions = post.sections.flatMap((s) =>
    s.photos.map((id) => ({
      path: pathOf.get(id) ?? id,
      caption: packMessages([{ text: s.captions[id] ?? '', render: esc }], TELEGRAM_CAPTION_LIMIT)[0] ?? '',
    })),
  );
  return {
    messages: packMessages(blocks.filter((b) => b.text.trim() !== '')),
    captions,
    parseMode: opts.html ? 'HTML' : null,
  };
}
