/**
 * "Take the photos from this page": fetch the page and, up to `maxDepth` links away, the pages it links
 * on the same origin; collect their images; download those big enough to hold a face. Every fetch goes
 * through safeFetch (address checks on the connection itself) and robots.txt of its origin, and the
 * whole crawl is bounded in pages, bytes, images and time.
 */
import sharp from 'sharp';

import { AppError, ErrorCode } from '../core/errors.js';
import type { AddressPolicy } from './address-policy.js';
import { decodePage, extractPage } from './extract.js';
import { ALLOW_ALL, DISALLOW_ALL, parseRobots, type RobotsRules } from './robots.js';
import { isRefusal, refused, safeFetch, type Resolver } from './safe-fetch.js';

export interface CrawlLimits {
  /** Link hops from the first page (0 = that page only). Default 1. */
  readonly maxDepth: number;
  /** Pages fetched at most, the first included. Default 20. */
  readonly maxPages: number;
  /** Images kept at most. Default 50. */
  readonly maxImages: number;
  /** Bytes downloaded at most, pages and images together. Default 100 MiB. */
  readonly maxTotalBytes: number;
  /** Bytes of one page at most. Default 2 MiB (large pages are rarely galleries). */
  readonly maxPageBytes: number;
  /** Bytes of one image at most. Default 20 MiB, the Telegram Bot API's own download limit. */
  readonly maxImageBytes: number;
  /**
   * Images whose shorter side is below this are skipped: icons, avatars and spacer pixels. Default
   * 200 px: below that a face is under the ~20 px the local pack's detector finds reliably once it is
   * one face among several in the picture.
   */
  readonly minImageSide: number;
  /** The whole crawl, downloads included. Default 60 s. */
  readonly timeoutMs: number;
}

export const DEFAULT_CRAWL_LIMITS: CrawlLimits = {
  maxDepth: 1,
  maxPages: 20,
  maxImages: 50,
  maxTotalBytes: 100 * 1024 * 1024,
  maxPageBytes: 2 * 1024 * 1024,
  maxImageBytes: 20 * 1024 * 1024,
  minImageSide: 200,
  timeoutMs: 60_000,
};

/** RFC 9309 asks crawlers to parse at least 500 KiB of robots.txt; we read that much and no more. */
const MAX_ROBOTS_BYTES = 500 * 1024;
/** Product token matched against robots.txt User-agent lines. */
export const ROBOTS_TOKEN = 'faceblog';
const USER_AGENT = 'faceblog-import/0.1 (+robots.txt respected)';

export interface CrawlOptions {
  readonly policy: AddressPolicy;
  readonly limits?: Partial<CrawlLimits>;
  readonly resolver?: Resolver;
  readonly signal?: AbortSignal;
}

export interface CrawledImage {
  readonly url: string;
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface Skipped {
  readonly url: string;
  readonly reason: string;
}

export interface CrawlResult {
  /** Pages fetched, in order. */
  readonly pages: readonly string[];
  readonly images: readonly CrawledImage[];
  readonly skipped: readonly Skipped[];
  readonly bytes: number;
}

export async function crawl(start: string, options: CrawlOptions): Promise<CrawlResult> {
  const limits = { ...DEFAULT_CRAWL_LIMITS, ...options.limits };
  let startUrl: URL;
  try {
    startUrl = new URL(start);
  } catch (error) {
    throw new AppError(ErrorCode.BadArguments, 'not a URL', { url: start }, error);
  }
  const signal = options.signal
    ? AbortSignal.any([options.signal, AbortSignal.timeout(limits.timeoutMs)])
    : AbortSignal.timeout(limits.timeoutMs);
  const pages: string[] = [];
  const images: CrawledImage[] = [];
  const skipped: Skipped[] = [];
  const robots = new Map<string, RobotsRules>();
  let bytes = 0;

  const fetchOptions = (maxBytes: number, accept: string) => ({
    policy: options.policy,
    maxBytes: Math.max(0, Math.min(maxBytes, limits.maxTotalBytes - bytes)),
    signal,
    userAgent: USER_AGENT,
    accept,
    ...(options.resolver ? { resolver: options.resolver } : {}),
  });

  async function rulesFor(url: URL): Promise<RobotsRules> {
    const known = robots.get(url.origin);
    if (known) return known;
    let rules: RobotsRules;
    try {
      const got = await safeFetch(new URL('/robots.txt', url.origin), {
        ...fetchOptions(MAX_ROBOTS_BYTES, 'text/plain'),
        maxBytes: MAX_ROBOTS_BYTES,
      });
      // RFC 9309 §2.3.1: 4xx means no rules; 5xx means the site is unavailable: crawl nothing.
      if (got.status >= 200 && got.status < 300) {
        rules = parseRobots(Buffer.from(got.bytes).toString('utf8'), ROBOTS_TOKEN);
      } else rules = got.status >= 400 && got.status < 500 ? ALLOW_ALL : DISALLOW_ALL;
    } catch (error) {
      if (isRefusal(error)) throw error;
      rules = DISALLOW_ALL;
    }
    robots.set(url.origin, rules);
    return rules;
  }

  async function allowed(url: URL): Promise<boolean> {
    return (await rulesFor(url)).isAllowed(`${url.pathname}${url.search}`);
  }

  const imageUrls: string[] = [];
  const seenImages = new Set<string>();
  const queue: Array<{ url: string; depth: number }> = [{ url: startUrl.href, depth: 0 }];
  const seenPages = new Set([startUrl.href]);
  while (queue.length > 0 && pages.length < limits.maxPages && !signal.aborted) {
    const next = queue.shift();
    if (!next) break;
    const url = new URL(next.url);
    const first = pages.length === 0 && next.depth === 0;
    try {
      if (!(await allowed(url))) throw refused(url.href, 'disallowed by robots.txt');
      const page = await safeFetch(url, fetchOptions(limits.maxPageBytes, 'text/html,image/*;q=0.9'));
      bytes += page.bytes.length;
      if (page.status < 200 || page.status >= 300) throw refused(url.href, `HTTP ${page.status}`);
      pages.push(page.url.href);
      if (page.contentType.startsWith('image/')) {
        // A link straight to a photo: the photo is the album.
        await keepImage(page.url.href, page.bytes);
        continue;
      }
      if (!page.contentType.includes('html')) throw refused(url.href, `not HTML (${page.contentType})`);
      const found = extractPage(decodePage(page.bytes, page.contentType), page.url, signal);
      for (const image of found.images) {
        if (!seenImages.has(image)) {
          seenImages.add(image);
          imageUrls.push(image);
        }
      }
      if (next.depth >= limits.maxDepth) continue;
      for (const link of found.links) {
        // Same origin as the page the user named: a gallery's own pages, not the rest of the web.
        if (new URL(link).origin !== startUrl.origin || seenPages.has(link)) continue;
        seenPages.add(link);
        queue.push({ url: link, depth: next.depth + 1 });
      }
    } catch (error) {
      // The page the user named must work; a linked page that fails is only skipped.
      if (first) throw error;
      skipped.push({ url: url.href, reason: reasonOf(error) });
    }
  }

  async function keepImage(url: string, body: Uint8Array): Promise<void> {
    const size = await imageSize(body);
    if (!size) {
      skipped.push({ url, reason: 'not a readable image' });
      return;
    }
    if (Math.min(size.width, size.height) < limits.minImageSide) {
      skipped.push({ url, reason: `smaller than ${limits.minImageSide} px` });
      return;
    }
    images.push({ url, bytes: body, ...size });
  }

  for (const image of imageUrls) {
    if (images.length >= limits.maxImages) {
      skipped.push({ url: image, reason: `image limit of ${limits.maxImages} reached` });
      continue;
    }
    if (signal.aborted) {
      skipped.push({ url: image, reason: 'time limit reached' });
      continue;
    }
    if (bytes >= limits.maxTotalBytes) {
      skipped.push({ url: image, reason: `byte limit of ${limits.maxTotalBytes} reached` });
      continue;
    }
    try {
      const url = new URL(image);
      if (!(await allowed(url))) throw refused(url.href, 'disallowed by robots.txt');
      const got = await safeFetch(url, fetchOptions(limits.maxImageBytes, 'image/*'));
      bytes += got.bytes.length;
      if (got.status < 200 || got.status >= 300) throw refused(url.href, `HTTP ${got.status}`);
      await keepImage(image, got.bytes);
    } catch (error) {
      skipped.push({ url: image, reason: reasonOf(error) });
    }
  }
  return { pages, images, skipped, bytes };
}

function reasonOf(error: unknown): string {
  if (isRefusal(error)) return String(error.context.importRefusal);
  return error instanceof Error ? error.message : String(error);
}

/** Width and height from the header (no decode); null when it is no image sharp can read. */
async function imageSize(bytes: Uint8Array): Promise<{ width: number; height: number } | null> {
  try {
    const meta = await sharp(bytes).metadata();
    return meta.width && meta.height ? { width: meta.width, height: meta.height } : null;
  } catch {
    return null;
  }
}
