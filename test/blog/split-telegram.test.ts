import { describe, expect, it } from 'vitest';

import {
  escapeHtml,
  packMessages,
  TELEGRAM_CAPTION_LIMIT,
  TELEGRAM_TEXT_LIMIT,
  toTelegram,
} from '../../src/blog/split-telegram.js';
import type { AlbumFacts, BlogPost } from '../../src/blog/types.js';

const facts: AlbumFacts = {
  photos: Array.from({ length: 30 }, (_, i) => ({
    id: `p${i + 1}`,
    path: `chat/photo ${i + 1}.jpg`,
    time: null,
    timeSource: 'none' as const,
    gps: null,
    place: null,
    people: [],
    strangerFaces: 0,
    group: false,
    bestOfBurst: `p${i + 1}`,
    cameraTime: null,
    clockOff: false,
    sentAt: null,
    sender: null,
    caption: null,
    objects: [],
    figures: 0,
  })),
  moments: [],
  people: [],
  together: [],
  failures: [],
  span: { start: null, end: null },
  senders: [],
  language: 'en',
  audience: 'reader',
};

/** A long post with markup-looking text: 30 sections of ~700 characters with <, > and &. */
function longPost(): BlogPost {
  const sentence = 'Tom & Jerry <b>ran</b> past the "old" mill, 3 < 5 > 2. ';
  return {
    title: 'A <long> day & night',
    intro: sentence.repeat(3),
    sections: facts.photos.map((p, i) => ({
      heading: `Part ${i + 1} <${i}>`,
      text: sentence.repeat(12),
      photos: [p.id],
      people: [],
      captions: { [p.id]: `Caption & ${'x'.repeat(i === 0 ? 2000 : 10)}` },
    })),
    closing: 'The end & goodbye.',
    writer: 'offline',
  };
}

const unescape = (s: string): string =>
  s
    .replace(/<\/?b>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

describe('Telegram output', () => {
  it('escapes the three characters parse_mode HTML reserves', () => {
    expect(escapeHtml('a < b && c > "d"')).toBe('a &lt; b &amp;&amp; c &gt; "d"');
  });

  it('splits a long post into messages within 4096 characters without losing text (HTML)', () => {
    const post = longPost();
    const out = toTelegram(post, facts, { html: true });
    expect(out.parseMode).toBe('HTML');
    expect(out.messages.length).toBeGreaterThan(1);
    for (const m of out.messages) {
      expect(m.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
      // Every tag opened is closed in the same message, and no entity is cut.
      expect((m.match(/<b>/g) ?? []).length).toBe((m.match(/<\/b>/g) ?? []).length);
      expect(m).not.toMatch(/&(?!amp;|lt;|gt;)/);
      expect(m.replace(/<\/?b>/g, '')).not.toMatch(/[<>]/);
    }
    const text = unescape(out.messages.join('\n\n'));
    expect(text).toContain('A <long> day & night');
    for (const s of post.sections) expect(text).toContain(s.text.trim());
    expect(text).toContain(post.closing);
  });

  it('keeps captions within 1024 characters and maps them to album paths', () => {
    const out = toTelegram(longPost(), facts, { html: true });
    expect(out.captions).toHaveLength(30);
    expect(out.captions[0]!.path).toBe('chat/photo 1.jpg');
    for (const c of out.captions) expect(c.caption.length).toBeLessThanOrEqual(TELEGRAM_CAPTION_LIMIT);
    expect(out.captions[1]!.caption).toBe('Caption &amp; xxxxxxxxxx');
  });

  it('plain text variant: no escaping, headings stand out in capitals', () => {
    const out = toTelegram(longPost(), facts, { html: false });
    expect(out.parseMode).toBeNull();
    expect(out.messages[0]).toMatch(/^A <LONG> DAY & NIGHT\n\n/);
    for (const m of out.messages) expect(m.length).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
  });

  it('cuts by lines, then words, then characters, measuring after rendering', () => {
    const render = (s: string): string => `<i>${escapeHtml(s)}</i>`;
    const out = packMessages([{ text: `${'&'.repeat(30)} ${'word '.repeat(20)}`, render }], 40, '\n');
    for (const m of out) {
      expect(m.length).toBeLessThanOrEqual(40);
      expect(m).toMatch(/^<i>.*<\/i>$/);
    }
    // Nothing lost: the unbreakable run of 30 '&' (150 characters escaped) is cut into pieces.
    const joined = out.map((m) => m.slice(3, -4).replace(/&amp;/g, '&')).join('');
    expect(joined.replace(/\s/g, '')).toBe(`${'&'.repeat(30)}${'word'.repeat(20)}`);
    expect(out[0]).toBe(`<i>${'&amp;'.repeat(6)}</i>`);
  });
});
