/**
 * Images and links of an HTML page: `<img src>`, `srcset` candidates (of `<img>` and `<source>`),
 * `og:image` / `twitter:image` meta tags, and `<a href>` links, resolved against `<base href>` or the
 * page URL. A tag scanner rather than a DOM: we only need attribute values, and scripts, styles and
 * comments are cut out first so that markup inside them is not mistaken for tags.
 */
export interface PageLinks {
  /** Absolute http(s) URLs of images, in page order, without duplicates. */
  readonly images: readonly string[];
  /** Absolute http(s) URLs of linked pages, without fragments or duplicates. */
  readonly links: readonly string[];
}

const TAG_RE = /<(img|source|meta|a|base)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi;
const ATTR_RE = /([^\s"'=<>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

export function extractPage(html: string, pageUrl: URL): PageLinks {
  const cleaned = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|template|noscript)\b[\s\S]*?<\/\1\s*>/gi, ' ');
  let base = pageUrl;
  const images = new Set<string>();
  const links = new Set<string>();
  const add = (set: Set<string>, value: string | undefined) => {
    const url = absolute(value, base);
    if (url) set.add(url);
  };
  for (const match of cleaned.matchAll(TAG_RE)) {
    const tag = (match[1] ?? '').toLowerCase();
    const attrs = parseAttributes(match[2] ?? '');
    switch (tag) {
      case 'base': {
        const href = absolute(attrs.get('href'), pageUrl);
        if (href) base = new URL(href);
        break;
      }
      case 'img':
        add(images, attrs.get('src') ?? attrs.get('data-src'));
        for (const candidate of srcsetUrls(attrs.get('srcset'))) add(images, candidate);
        break;
      case 'source':
        for (const candidate of srcsetUrls(attrs.get('srcset'))) add(images, candidate);
        break;
      case 'meta': {
        const name = (attrs.get('property') ?? attrs.get('name') ?? '').toLowerCase();
        if (name === 'og:image' || name === 'og:image:url' || name === 'twitter:image') {
          add(images, attrs.get('content'));
        }
        break;
      }
      case 'a': {
        const url = absolute(attrs.get('href'), base);
        if (url) links.add(url.replace(/#.*$/, ''));
        break;
      }
    }
  }
  return { images: [...images], links: [...links] };
}

function parseAttributes(source: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of source.matchAll(ATTR_RE)) {
    const name = (m[1] ?? '').toLowerCase();
    if (!attrs.has(name)) attrs.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return attrs;
}

/** The entities that appear in URLs: `&amp;` above all, plus numeric references. */
function decodeEntities(value: string): string {
  return value
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Every URL of a srcset (`a.jpg 1x, b.jpg 2x` or `a.jpg 480w, ...`): the larger ones find more faces. */
export function srcsetUrls(srcset: string | undefined): string[] {
  if (!srcset) return [];
  return srcset
    .split(/,\s+/)
    .map((candidate) => candidate.trim().split(/\s+/)[0] ?? '')
    .filter((url) => url.length > 0);
}

function absolute(value: string | undefined, base: URL): string | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (trimmed === '' || /^(data|javascript|mailto|tel|blob):/i.test(trimmed)) return null;
  try {
    const url = new URL(trimmed, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
