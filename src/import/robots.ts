/**
 * robots.txt as RFC 9309 reads it, by robots-parser: the group for our user agent (else `*`), the
 * longest matching Allow/Disallow rule wins, Allow wins a tie, `*` and `$` in patterns, and paths and
 * patterns compared after percent-encoding normalisation (the hand-written matcher before it let
 * `/%70rivate/` through a `Disallow: /private/`). Pure: fetching the file is the crawler's job.
 */
import { createRequire } from 'node:module';

export interface RobotsRules {
  isAllowed(pathAndQuery: string): boolean;
}

export const ALLOW_ALL: RobotsRules = { isAllowed: () => true };
export const DISALLOW_ALL: RobotsRules = { isAllowed: () => false };

/**
 * The package is CommonJS (`module.exports = function`) while its typings declare an ES default export,
 * which TypeScript's NodeNext resolution then cannot call: load it with require and type what we use.
 */
type RobotsParser = (
  url: string,
  text: string,
) => { isAllowed(url: string, userAgent?: string): boolean | undefined };
const robotsParser = createRequire(import.meta.url)('robots-parser') as RobotsParser;

/** robots-parser matches full URLs of the file's origin; paths are checked under this stand-in. */
const ORIGIN = 'https://robots.invalid';

/** Parses robots.txt for `userAgent` (its product token, e.g. `faceblog`; matched case-insensitively). */
export function parseRobots(text: string, userAgent: string): RobotsRules {
  const robots = robotsParser(`${ORIGIN}/robots.txt`, text);
  return {
    isAllowed(pathAndQuery: string): boolean {
      if (pathAndQuery === '/robots.txt') return true;
      const path = normalise(pathAndQuery.startsWith('/') ? pathAndQuery : `/${pathAndQuery}`);
      // undefined only for another origin, which cannot happen here; treat it as a refusal.
      return robots.isAllowed(`${ORIGIN}${path}`, userAgent) ?? false;
    },
  };
}

/**
 * RFC 3986 §6.2.2: percent-encoded unreserved characters mean the characters themselves (`/%70rivate`
 * is `/private`), and hex digits compare in upper case. robots-parser leaves the former encoded.
 */
function normalise(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : escape.toUpperCase();
  });
}
