import { describe, expect, it } from 'vitest';

import { parseRobots } from '../../src/import/robots.js';

describe('parseRobots (RFC 9309)', () => {
  const text = `# comment
User-agent: Googlebot
Disallow: /

User-agent: *
User-agent: faceblog-old
Disallow: /private/
Allow: /private/public-*.html$
Disallow: /*.cgi

user-agent: FaceBlog
disallow: /albums/drafts
allow: /albums/drafts/ok
`;

  it('uses the group of our product token, longest rule wins, Allow wins ties', () => {
    const ours = parseRobots(text, 'faceblog');
    expect(ours.isAllowed('/private/x.html')).toBe(true);
    expect(ours.isAllowed('/albums/drafts/1')).toBe(false);
    expect(ours.isAllowed('/albums/drafts/ok/1')).toBe(true);
    expect(ours.isAllowed('/robots.txt')).toBe(true);
  });

  it('falls back to * with wildcards and end anchors', () => {
    const other = parseRobots(text, 'somebot');
    expect(other.isAllowed('/private/x.html')).toBe(false);
    expect(other.isAllowed('/private/public-1.html')).toBe(true);
    expect(other.isAllowed('/private/public-1.html?x')).toBe(false);
    expect(other.isAllowed('/a/b.cgi?q')).toBe(false);
    expect(other.isAllowed('/gallery/')).toBe(true);
  });

  it('allows everything with an empty Disallow or no file content', () => {
    expect(parseRobots('User-agent: *\nDisallow:\n', 'faceblog').isAllowed('/x')).toBe(true);
    expect(parseRobots('', 'faceblog').isAllowed('/x')).toBe(true);
  });
});
