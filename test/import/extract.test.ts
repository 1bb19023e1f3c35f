import { describe, expect, it } from 'vitest';

import { decodePage, extractPage, parseSrcset } from '../../src/import/extract.js';
import { parseRobots } from '../../src/import/robots.js';

describe('extractPage', () => {
  it('resolves img, srcset, og:image and links against <base>, skipping data: and fragments', () => {
    const page = new URL('https://photos.example/trips/2024/index.html');
    const { images, links } = extractPage(
      `<head><meta content="https://cdn.example/og.jpg" property="og:image"><base href="/media/"></head>
       <img src='a.jpg?x=1&amp;y=2'><img src="data:image/png;base64,AAAA">
       <img srcset="s-480.jpg 480w, s-960.jpg 960w" src="s.jpg">
       <a href="../next.html#photos">next</a><a href="mailto:x@y">mail</a>
       <script>document.write('<img src="in-script.jpg">')</script><!-- <img src="in-comment.jpg"> -->
       <IMG SRC=/abs.jpg>`,
      page,
    );
    // One image per <img>: the largest candidate of its srcset.
    expect(images).toEqual([
      'https://cdn.example/og.jpg',
      'https://photos.example/media/a.jpg?x=1&y=2',
      'https://photos.example/media/s-960.jpg',
      'https://photos.example/abs.jpg',
    ]);
    expect(links).toEqual(['https://photos.example/next.html']);
  });

  it('keeps the larger image of a density srcset, with or without a space after the comma', () => {
    const page = new URL('https://p.example/');
    expect(extractPage('<img srcset="a.jpg 1x, b.jpg 2x">', page).images).toEqual([
      'https://p.example/b.jpg',
    ]);
    expect(extractPage('<img srcset="a.jpg 1x,b.jpg 2x" src="a.jpg">', page).images).toEqual([
      'https://p.example/b.jpg',
    ]);
    expect(parseSrcset('x,1.jpg 2x, y.jpg 480w,z.jpg')).toEqual([
      { url: 'x,1.jpg', width: null, density: 2 },
      { url: 'y.jpg', width: 480, density: 1 },
      { url: 'z.jpg', width: null, density: 1 },
    ]);
  });

  it('does not throw on an entity past U+10FFFF', () => {
    const { images } = extractPage('<img src="a&#x110000;b.jpg">', new URL('https://p.example/'));
    expect(images).toHaveLength(1);
  });

  // The regular expressions before backtracked on unclosed tags and comments: a 72 KB page held the
  // event loop for 6.5 s. The test's own timeout is the clock; no duration is asserted.
  it('reads pathological 2 MiB pages in one pass', { timeout: 5000 }, () => {
    const page = new URL('https://p.example/');
    const mib = 2 * 1024 * 1024;
    for (const unit of ['<img a', '<!--', '<script>', `<img src="x.jpg" alt='`, '<a href=']) {
      const html = unit.repeat(Math.ceil(mib / unit.length));
      expect(() => extractPage(html, page)).not.toThrow();
    }
  });

  it('stops reading a page once the import signal is aborted', () => {
    const controller = new AbortController();
    controller.abort();
    expect(() =>
      extractPage('<img src="a.jpg">'.repeat(10_000), new URL('https://p.example/'), controller.signal),
    ).toThrow(/time limit/);
  });

  it('decodes the page in its declared charset', () => {
    // "Café" in windows-1252: é is 0xE9, invalid as UTF-8.
    const bytes = new Uint8Array([
      ...Buffer.from('<meta charset="windows-1252"><a href="/caf'),
      0xe9,
      ...Buffer.from('">x</a>'),
    ]);
    const links = extractPage(decodePage(bytes, 'text/html'), new URL('https://p.example/')).links;
    expect(links).toEqual(['https://p.example/caf%C3%A9']);
    const header = decodePage(new Uint8Array([0x63, 0x61, 0x66, 0xe9]), 'text/html; charset=ISO-8859-1');
    expect(header).toBe('café');
  });
});

describe('robots.txt through robots-parser', () => {
  it('matches percent-encoded paths against the rules', () => {
    const rules = parseRobots('User-agent: *\nDisallow: /private/\n', 'faceblog');
    expect(rules.isAllowed('/private/a.jpg')).toBe(false);
    expect(rules.isAllowed('/%70rivate/a.jpg')).toBe(false);
    expect(rules.isAllowed('/public/a.jpg')).toBe(true);
  });
});
