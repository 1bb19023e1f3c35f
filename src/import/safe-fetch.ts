/**
 * GET one URL for an import, with every guard on the connection itself: the host name is resolved once,
 * every address is checked (address-policy.ts), and the socket connects to the address that was
 * checked (a custom `lookup`), so a DNS answer that changes between check and connect (rebinding) cannot
 * slip through. Redirects are followed by hand, each hop checked again; bodies are cut at `maxBytes`;
 * the whole call is bounded by `signal`.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

import { AppError, ErrorCode } from '../core/errors.js';
import { type AddressPolicy, refusal } from './address-policy.js';

/** Resolves a host name to all of its addresses (default: the system resolver, as `dns.lookup`). */
export type Resolver = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses);
    });
  });

export interface FetchOptions {
  readonly policy: AddressPolicy;
  /** Bytes of body kept at most; a longer body is an error (`tooLarge`). */
  readonly maxBytes: number;
  /** Redirects followed at most (browsers allow 20; a photo page needs one or two). */
  readonly maxRedirects?: number;
  readonly signal: AbortSignal;
  readonly resolver?: Resolver;
  readonly userAgent: string;
  /** `Accept` header. */
  readonly accept?: string;
}

export interface Fetched {
  /** The URL after redirects. */
  readonly url: URL;
  readonly status: number;
  readonly contentType: string;
  readonly bytes: Uint8Array;
}

const DEFAULT_MAX_REDIRECTS = 5;

/** Why a URL was not fetched: refused by policy, too large, or a network failure. */
export function refused(url: string, reason: string): AppError {
  return new AppError(ErrorCode.BadArguments, `refused to fetch ${url}: ${reason}`, {
    url,
    importRefusal: reason,
  });
}

export function isRefusal(error: unknown): error is AppError {
  return error instanceof AppError && typeof error.context.importRefusal === 'string';
}

export async function safeFetch(input: string | URL, options: FetchOptions): Promise<Fetched> {
  let url = new URL(input);
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  for (let hop = 0; ; hop++) {
    const response = await fetchOnce(url, options);
    if (response.redirect === null) return response.fetched;
    if (hop >= maxRedirects) throw refused(url.href, 'too many redirects');
    url = new URL(response.redirect, url);
  }
}

function checkUrl(url: URL, policy: AddressPolicy): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw refused(url.href, `scheme ${url.protocol} is not http or https`);
  }
  if (url.username || url.password) throw refused(url.href, 'credentials in the URL');
  // An IP literal never goes through `lookup` (net.connect skips it): check it here.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const why = refusal(host, portOf(url), policy);
    if (why) throw refused(url.href, why);
  }
}

function portOf(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** A `lookup` for http.request that resolves, refuses any forbidden answer, and returns what it checked. */
function checkedLookup(url: URL, options: FetchOptions): LookupFunction {
  const resolver = options.resolver ?? systemResolver;
  const port = portOf(url);
  return (hostname, lookupOptions, callback) => {
    resolver(hostname).then(
      (addresses) => {
        // All answers are checked: a name that resolves to one public and one private address is
        // refused, since the connection could land on either.
        for (const a of addresses) {
          const why = refusal(a.address, port, options.policy);
          if (why) {
            callback(refused(url.href, `${hostname} resolves to ${a.address} (${why})`), '', 4);
            return;
          }
        }
        const first = addresses[0];
        if (!first) {
          callback(refused(url.href, `${hostname} has no address`), '', 4);
          return;
        }
        if (lookupOptions.all)
          callback(
            null,
            addresses.map((a) => ({ ...a })),
          );
        else callback(null, first.address, first.family);
      },
      (error: unknown) => {
        callback(new AppError(ErrorCode.Io, `cannot resolve ${hostname}`, { url: url.href }, error), '', 4);
      },
    );
  };
}

function fetchOnce(url: URL, options: FetchOptions): Promise<{ redirect: string | null; fetched: Fetched }> {
  checkUrl(url, options.policy);
  options.signal.throwIfAborted();
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: 'GET',
        // A fresh socket per request: a pooled one was connected under an earlier check.
        agent: false,
        lookup: checkedLookup(url, options),
        signal: options.signal,
        headers: {
          'user-agent': options.userAgent,
          accept: options.accept ?? '*/*',
          'accept-encoding': 'identity',
        },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (status >= 300 && status < 400 && location) {
          response.resume();
          resolve({ redirect: location, fetched: emptyFetched(url, status) });
          return;
        }
        const declared = Number(response.headers['content-length'] ?? NaN);
        if (declared > options.maxBytes) {
          response.destroy();
          reject(refused(url.href, `body of ${declared} bytes exceeds ${options.maxBytes}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            response.destroy();
            reject(refused(url.href, `body exceeds ${options.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        response.on('error', (error) => {
          reject(new AppError(ErrorCode.Io, `reading ${url.href} failed`, { url: url.href }, error));
        });
        response.on('end', () => {
          resolve({
            redirect: null,
            fetched: {
              url,
              status,
              contentType: (response.headers['content-type'] ?? '').toLowerCase(),
              bytes: new Uint8Array(Buffer.concat(chunks)),
            },
          });
        });
      },
    );
    request.on('error', (error) => {
      if (error instanceof AppError) reject(error);
      else if (options.signal.aborted) reject(refused(url.href, 'time limit reached'));
      else reject(new AppError(ErrorCode.Io, `fetching ${url.href} failed`, { url: url.href }, error));
    });
    request.end();
  });
}

function emptyFetched(url: URL, status: number): Fetched {
  return { url, status, contentType: '', bytes: new Uint8Array() };
}
