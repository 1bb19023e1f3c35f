/**
 * Images and links of an HTML page: `<img src>`, `srcset` candidates (of `<img>` and `<source>`),
 * `og:image` / `twitter:image` meta tags, and `<a href>` links, resolved against `<base href>` or the
 * page URL.
 *
 * htmlparser2's tokenizer does the reading: one pass, linear in the page whatever its markup (the
 * regular expressions before it backtracked quadratically on unclosed tags and comments: a 72 KB page
 * held the event loop for 6.5 s). It knows raw-text elements (script, style) and comments, and decodes
 * entities as the HTML standard does (an out-of-range `&#x110000;` becomes U+FFFD instead of throwing).
 * Because the pass is linear (well under a second for a hostile 2 MiB page here), nothing heavy is left
 * to move off the event loop; the page is still fed in slices and the import's signal is checked between
 * them, so the import's time limit also stops a parse.
 */
import { Parser } from 'htmlparser2';

import { AppError, ErrorCode } from '../core/errors.js';

/** Characters fed to the tokenizer between two looks at the abort signal. */
const SLICE = 64 * 1024;

export interface PageLinks {
  /** Absolute http(s) URLs of images, in page order, without duplicates. */
  readonly images: readonly string[];
  /** Absolute http(s) URLs of linked pages, without fragments or duplicates. */
  readonly links: readonly string[];
}

export function extractPage(html: string, pageUrl: URL, signal?: AbortSignal): PageLinks {
  let base = pageUrl;
  let baseSeen = false;
  const images = new Set<string>();
  const links = new Set<string>();
  const add = (set: Set<string>, value: string | undefined) => {
    const url = absolute(value, base);
    if (url) set.add(url);
  };
  // Inside these, a `<img>` in the text is not an image of the page.
  let hidden = 0;
  const HIDING = new Set(['template', 'noscript']);
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (HIDING.has(name)) hidden += 1;
        if (hidden > 0) return;
        switch (name) {
          case 'base': {
            // Only the first <base href> counts (HTML §4.2.3).
            const href = baseSeen ? null : absolute(attrs.href, pageUrl);
            if (href) {
              base = new URL(href);
              baseSeen = true;
            }
            break;
          }
          case 'img':
            // One image per <img>: its largest candidate finds the most faces.
            add(images, bestCandidate(attrs.srcset, attrs.src ?? attrs['data-src']));
            break;
          case 'source':
            add(images, bestCandidate(attrs.srcset, undefined));
            break;
          case 'meta': {
            const kind = (attrs.property ?? attrs.name ?? '').toLowerCase();
            if (kind === 'og:image' || kind === 'og:image:url' || kind === 'twitter:image') {
              add(images, attrs.content);
            }
            break;
          }
          case 'a': {
            const url = absolute(attrs.href, base);
            if (url) links.add(url.replace(/#.*$/, ''));
            break;
          }
        }
      },
      onclosetag(name) {
        if (HIDING.has(name) && hidden > 0) hidden -= 1;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  for (let at = 0; at < html.length; at += SLICE) {
    if (signal?.aborted) {
      throw new AppError(ErrorCode.Io, 'the import time limit ended while reading a page', {
        page: pageUrl.href,
        importRefusal: 'time limit reached',
      });
    }
    parser.write(html.slice(at, at + SLICE));
  }
  parser.end();
  return { images: [...images], links: [...links] };
}

export interface SrcsetCandidate {
  readonly url: string;
  /** Width descriptor (`480w`), or null. */
  readonly width: number | null;
  /** Density descriptor (`2x`); 1 when the candidate has none. */
  readonly density: number;
}

/**
 * The candidates of a `srcset`, by the HTML standard's parsing algorithm (§4.8.4.3.10): a URL is a run
 * of non-space characters (it may contain commas: `a,1.jpg 2x`), descriptors follow up to the next
 * comma outside parentheses, and candidates may be separated by a bare comma (`a.jpg 1x,b.jpg 2x`).
 */
export function parseSrcset(srcset: string | undefined): SrcsetCandidate[] {
  if (!srcset) return [];
  const out: SrcsetCandidate[] = [];
  const s = srcset;
  let i = 0;
  const isSpace = (c: string | undefined) =>
    c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
  while (i < s.length) {
    while (i < s.length && (isSpace(s[i]) || s[i] === ',')) i++;
    if (i >= s.length) break;
    const start = i;
    while (i < s.length && !isSpace(s[i])) i++;
    let url = s.slice(start, i);
    const descriptors: string[] = [];
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      let current = '';
      let inParens = false;
      for (; i < s.length; i++) {
        const c = s[i] ?? '';
        if (inParens) {
          if (c === ')') inParens = false;
          current += c;
        } else if (c === '(') {
          inParens = true;
          current += c;
        } else if (c === ',') {
          i++;
          break;
        } else if (isSpace(c)) {
          if (current) descriptors.push(current);
          current = '';
        } else current += c;
      }
      if (current) descriptors.push(current);
    }
    if (url === '') continue;
    let width: number | null = null;
    let density = 1;
    for (const d of descriptors) {
      const m = /^(\d+(?:\.\d+)?)([wx])$/i.exec(d);
      if (!m) continue;
      if (m[2]?.toLowerCase() === 'w') width = Number(m[1]);
      else density = Number(m[1]);
    }
    out.push({ url, width, density });
  }
  return out;
}

/** The largest candidate (widest, else densest); `src` counts as a 1x candidate. */
function bestCandidate(srcset: string | undefined, src: string | undefined): string | undefined {
  const candidates = parseSrcset(srcset);
  if (src?.trim()) candidates.push({ url: src.trim(), width: null, density: 1 });
  let best: SrcsetCandidate | undefined;
  for (const c of candidates) {
    if (!best) best = c;
    else if (c.width !== null || best.width !== null) {
      if ((c.width ?? 0) > (best.width ?? 0)) best = c;
    } else if (c.density > best.density) best = c;
  }
  return best?.url;
}

/**
 * The page's text in its declared charset: the Content-Type header's `charset`, else a `<meta charset>`
 * or `http-equiv` declaration in the first 1024 bytes (the HTML standard's prescan window), else a BOM,
 * else UTF-8. An unknown label falls back to UTF-8 rather than failing the import.
 */
export function decodePage(bytes: Uint8Array, contentType: string): string {
  const label =
    /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType)?.[1] ??
    /<meta[^>]{0,200}?charset\s*=\s*["']?([\w.:-]+)/i.exec(
      Buffer.from(bytes.subarray(0, 1024)).toString('latin1'),
    )?.[1] ??
    'utf-8';
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
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
