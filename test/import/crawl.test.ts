/**
 * The crawler against a local site: nested pages to a depth, robots.txt, small images skipped, and the
 * address guard on every hop: a redirect to another loopback port is refused unless that origin is
 * allow-listed (test mode), a redirect to 169.254.169.254 always is, and a host name that resolves to a
 * forbidden address is refused before any byte is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { isAppError } from '../../src/core/errors.js';
import { addressPolicy, STRICT_POLICY } from '../../src/import/address-policy.js';
import { crawl } from '../../src/import/crawl.js';
import type { Resolver } from '../../src/import/safe-fetch.js';
import { startSite, type Site } from './support/site.js';

describe('crawl', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startSite();
  });
  afterAll(async () => {
    await site.close();
  });

  const img = (name: string) => `${site.origin}/img/${name}`;

  it('collects img, srcset and og:image from the page and its same-origin links, one level deep', async () => {
    const result = await crawl(`${site.origin}/`, { policy: addressPolicy([`127.0.0.1:${site.port}`]) });
    expect(result.pages).toEqual([`${site.origin}/`, `${site.origin}/gallery/page2.html`]);
    expect(result.images.map((i) => i.url)).toEqual([
      img('kit.jpg'),
      img('obama.jpg'),
      img('biden.jpg'),
      img('obama2.jpg'),
    ]);
    expect(result.images.every((i) => Math.min(i.width, i.height) >= 200)).toBe(true);
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.url.replace(site.origin, ''), s.reason]));
    expect(reasons).toMatchObject({
      '/img/icon.png': 'smaller than 200 px',
      '/private/hidden.html': 'disallowed by robots.txt',
      '/to-loopback': 'loopback',
      '/to-metadata': 'link-local (cloud metadata)',
    });
    // Commented-out and scripted markup is not read; the other host and page 3 are never fetched.
    expect(site.requests).not.toContain('/img/commented-out.jpg');
    expect(site.requests).not.toContain('/img/scripted.jpg');
    expect(site.requests).not.toContain('/gallery/page3.html');
    expect(site.requests).not.toContain('/private/hidden.html');
    expect(site.requests.some((r) => r.startsWith('other:'))).toBe(false);
  });

  it('follows the redirect to another loopback origin only when test mode allows that origin', async () => {
    const result = await crawl(`${site.origin}/`, {
      policy: addressPolicy([`127.0.0.1:${site.port}`, `127.0.0.1:${site.otherPort}`]),
      limits: { maxDepth: 0 },
    });
    expect(result.images.map((i) => i.url)).toContain(`${site.origin}/to-loopback`);
    expect(site.requests).toContain('other:/secret.jpg');
    // The metadata address stays refused whatever the allow-list says.
    expect(result.skipped).toContainEqual({
      url: `${site.origin}/to-metadata`,
      reason: 'link-local (cloud metadata)',
    });
    expect(() => addressPolicy(['169.254.169.254:80'])).toThrow(/only loopback/);
    expect(() => addressPolicy(['10.0.0.1:80'])).toThrow(/only loopback/);
  });

  it('refuses loopback outright without test mode', async () => {
    const before = site.requests.length;
    const error = await crawl(`${site.origin}/`, { policy: STRICT_POLICY }).catch((e: unknown) => e);
    expect(isAppError(error) && error.context.importRefusal).toBe('loopback');
    expect(site.requests.length).toBe(before);
  });

  it('checks resolved addresses and connects to the checked one (DNS rebinding)', async () => {
    const resolveTo =
      (...addresses: string[]): Resolver =>
      () =>
        Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
    const policy = addressPolicy([`127.0.0.1:${site.port}`]);
    const url = `http://gallery.test:${site.port}/`;
    for (const resolver of [
      resolveTo('169.254.169.254'),
      resolveTo('93.184.216.34', '10.1.2.3'),
      resolveTo('::ffff:127.0.0.2'),
    ]) {
      const before = site.requests.length;
      const error = await crawl(url, { policy, resolver }).catch((e: unknown) => e);
      expect(isAppError(error) && typeof error.context.importRefusal).toBe('string');
      expect(site.requests.length).toBe(before);
    }
    // A name resolving to the allowed origin works: the socket goes to the address that was checked.
    const ok = await crawl(url, {
      policy,
      resolver: resolveTo('127.0.0.1'),
      limits: { maxDepth: 0, maxImages: 1 },
    });
    expect(ok.images).toHaveLength(1);
  });

  it('keeps to the image, page and byte limits', async () => {
    const policy = addressPolicy([`127.0.0.1:${site.port}`]);
    const two = await crawl(`${site.origin}/`, { policy, limits: { maxImages: 2 } });
    expect(two.images).toHaveLength(2);
    expect(two.skipped.filter((s) => s.reason.startsWith('image limit'))).not.toHaveLength(0);
    const onePage = await crawl(`${site.origin}/`, { policy, limits: { maxPages: 1 } });
    expect(onePage.pages).toHaveLength(1);
    const small = await crawl(`${site.origin}/`, { policy, limits: { maxImageBytes: 50_000 } });
    expect(small.images.length).toBeLessThan(4);
    expect(small.skipped.some((s) => s.reason.includes('exceeds 50000'))).toBe(true);
  });
});
