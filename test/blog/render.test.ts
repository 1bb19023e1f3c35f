import { describe, expect, it } from 'vitest';

import { renderHtml } from '../../src/blog/render-html.js';
import { renderMarkdown } from '../../src/blog/render-markdown.js';
import type { AlbumFacts, BlogPost } from '../../src/blog/types.js';

const facts: AlbumFacts = {
  photos: [
    {
      id: 'p1',
      path: 'chat/a b.jpg',
      time: '2022-08-14T14:12:31+03:00',
      timeSource: 'exif',
      gps: null,
      place: null,
      people: ['person-1'],
      strangerFaces: 0,
      group: false,
      bestOfBurst: 'p1',
      cameraTime: null,
      clockOff: false,
      sentAt: null,
      sender: null,
      caption: null,
      objects: [],
      figures: 0,
    },
  ],
  moments: [],
  people: [
    {
      id: 'person-1',
      label: 'Ann <Lee>',
      named: true,
      photoIds: ['p1'],
      faceCount: 1,
      representative: { photoId: 'p1', box: [0, 0, 10, 10] },
    },
  ],
  together: [],
  failures: [],
  span: { start: null, end: null },
  senders: [],
  language: 'en',
  audience: 'reader',
};

/** Text as a model might return it: markup in every field must come out as text. */
const post: BlogPost = {
  title: 'Tea <script>alert(1)</script> & cake',
  intro: 'An "intro".',
  sections: [
    {
      heading: 'At <b>noon</b>',
      text: 'We met & ate.',
      photos: ['p1'],
      people: ['Ann <Lee>'],
      captions: { p1: 'Ann "quoted" <Lee>' },
    },
  ],
  closing: 'Bye.',
  writer: 'model',
};

describe('renderers', () => {
  it('HTML escapes everything a model wrote and links only assets it was given', () => {
    const html = renderHtml(post, facts, {
      photo: (id) => `thumbs/${id}.jpg`,
      face: (id) => `faces/${id}.jpg`,
      contactSheet: null,
    });
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('Tea &lt;script&gt;alert(1)&lt;/script&gt; &amp; cake');
    expect(html).toContain('alt="Ann &quot;quoted&quot; &lt;Lee&gt;"');
    expect(html).toContain('src="thumbs/p1.jpg"');
    expect(html).toContain('src="faces/person-1.jpg"');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('Markdown links photos by URL-encoded path with the caption as alt text', () => {
    const md = renderMarkdown(post, facts);
    expect(md.startsWith('# Tea <script>')).toBe(true);
    expect(md).toContain('![Ann "quoted" <Lee>](chat/a%20b.jpg)');
    expect(md).toContain('## At <b>noon</b>');
  });
});
