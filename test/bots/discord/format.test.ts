import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { downloadAttachments, MAX_ATTACHMENT_BYTES } from '../../../src/bots/discord/attachments.js';
import { clip, DISCORD_TEXT_LIMIT, esc, packText, progressText } from '../../../src/bots/discord/format.js';
import { startRestEmulator, type RestEmulator } from './rest-emulator.js';

describe('Discord text', () => {
  it('packs paragraphs into as few messages as fit, splitting long ones between words', () => {
    const para = (n: number) => `${'word '.repeat(n).trim()}.`;
    const blocks = ['# Title', para(100), para(500), para(30)];
    const messages = packText(blocks);
    expect(messages.every((m) => m.length <= DISCORD_TEXT_LIMIT)).toBe(true);
    // The long paragraph starts a message of its own; its tail shares one with the next paragraph.
    expect(messages.length).toBe(3);
    expect(messages[0]).toBe(`# Title\n\n${para(100)}`);
    expect(messages[2]?.endsWith(`\n\n${para(30)}`)).toBe(true);
    expect(messages.join(' ').replace(/\s+/g, ' ')).toBe(blocks.join(' ').replace(/\s+/g, ' '));
    expect(messages.every((m) => !/wor$|^d /.test(m))).toBe(true);
    // A paragraph with no spaces at all is still cut to the limit.
    expect(packText(['x'.repeat(4500)]).map((m) => m.length)).toEqual([2000, 2000, 500]);
  });

  it('clips at a line end and marks the cut', () => {
    const text = Array.from({ length: 300 }, (_, i) => `line ${i}`).join('\n');
    const clipped = clip(text);
    expect(clipped.length).toBeLessThanOrEqual(DISCORD_TEXT_LIMIT);
    expect(clipped.endsWith('\n…')).toBe(true);
    expect(clipped.split('\n').at(-2)).toMatch(/^line \d+$/);
    expect(clip('short')).toBe('short');
  });

  it('escapes what users typed and counts photos in words', () => {
    expect(esc('*bold* _x_ `code`')).toBe('\\*bold\\* \\_x\\_ \\`code\\`');
    expect(progressText(1, 1)).toBe('⏳ Processing 1/1 photo…');
    expect(progressText(3, 12)).toBe('⏳ Processing 3/12 photos…');
  });
});

describe('downloading attachments', () => {
  let rest: RestEmulator;
  beforeAll(async () => {
    rest = await startRestEmulator();
  });
  afterAll(async () => {
    await rest.close();
  });

  it('refuses non-images and oversized files before fetching, and names failed downloads', async () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const served = rest.attachment('a.jpg', jpeg);
    const neverFetched: typeof fetch = () => Promise.reject(new Error('must not be fetched'));
    const refused = await downloadAttachments(
      [
        { name: 'notes.txt', url: served.url, size: 10, contentType: 'text/plain' },
        { name: 'huge.jpg', url: served.url, size: MAX_ATTACHMENT_BYTES + 1, contentType: 'image/jpeg' },
      ],
      neverFetched,
    );
    expect(refused.uploads).toEqual([]);
    expect(refused.failures.map((f) => f.code)).toEqual(['UNSUPPORTED_FORMAT', 'FILE_TOO_LARGE']);

    const fetched = await downloadAttachments([
      { name: 'a.jpg', url: served.url, size: jpeg.length, contentType: 'image/jpeg' },
      // HEIC often comes untyped: the extension is enough.
      { name: 'gone.HEIC', url: `${served.url}-missing`, size: 10, contentType: null },
    ]);
    expect(fetched.uploads).toEqual([{ name: 'a.jpg', bytes: jpeg }]);
    expect(fetched.failures).toEqual([
      { name: 'gone.HEIC', code: 'IO_ERROR', message: 'download failed (HTTP 404)' },
    ]);
  });
});
