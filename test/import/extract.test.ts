import { describe, expect, it } from 'vitest';

import { extractPage } from '../../src/import/extract.js';

describe('extractPage', () => {
  it('resolves img, srcset, og:image and links against <base>, skipping data: and fragments', () => {
    const page = new URL('https://photos.example/trips/2024/index.html');
    const { images, links } = extractPage(
      `<head><meta content="https://cdn.example/og.jpg" property="og:image"><base href="/media/"></head>
       <img src='a.jpg?x=1&amp;y=2'><img src="data:image/png;base64,AAAA">
       <img srcset="s-480.jpg 480w, s-960.jpg 960w" src="s.jpg">
       <a href="../next.html#photos">next</a><a href="mailto:x@y">mail</a>
       <IMG SRC=/abs.jpg>`,
      page,
    );
    expect(images).toEqual([
      'https://cdn.example/og.jpg',
      'https://photos.example/media/a.jpg?x=1&y=2',
      'https://photos.example/media/s.jpg',
      'https://photos.example/media/s-480.jpg',
      'https://photos.example/media/s-960.jpg',
      'https://photos.example/abs.jpg',
    ]);
    expect(links).toEqual(['https://photos.example/next.html']);
  });
});
