/**
 * Which addresses an import may connect to. A URL from a user must never reach our own network: only
 * global unicast is allowed. For IPv4 that is everything outside the special-purpose ranges below; for
 * IPv6 it is 2000::/3 minus the special ranges inside it (6to4, Teredo and the other IETF assignments,
 * documentation), so every IPv6 form that embeds an IPv4 address (IPv4-compatible `::7f00:1`, SIIT
 * `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::/96` and `64:ff9b:1::/48`, 6to4 `2002::/16`, Teredo `2001::/32`)
 * is refused without listing them. IPv4-mapped `::ffff:a.b.c.d` is checked as the IPv4 address it is.
 * The check runs on the address a socket will connect to (see safe-fetch.ts), never on a host name.
 */
import { BlockList, isIP } from 'node:net';

import { AppError, ErrorCode } from '../core/errors.js';

/** Ranges no import may reach; sources: RFC 6890 (special-purpose registries), RFC 4193, RFC 4291. */
const BLOCKED_V4: ReadonlyArray<readonly [string, number, string]> = [
  ['0.0.0.0', 8, 'this network'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved and broadcast'],
];
/** IANA IPv6 special-purpose registry entries inside 2000::/3 (RFC 6890 and its updates). */
const BLOCKED_V6: ReadonlyArray<readonly [string, number, string]> = [
  ['2001::', 23, 'IETF protocol assignments (Teredo 2001::/32 embeds an IPv4 address)'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4 (embeds an IPv4 address)'],
  ['3fff::', 20, 'documentation'],
];
const GLOBAL_V6 = new BlockList();
GLOBAL_V6.addSubnet('2000::', 3, 'ipv6');

const blocked = new BlockList();
for (const [net, prefix] of BLOCKED_V4) blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of BLOCKED_V6) blocked.addSubnet(net, prefix, 'ipv6');

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** `::ffff:a.b.c.d` and `::ffff:7f00:1` are IPv4 addresses in disguise: check them as IPv4. */
function unmapped(address: string): string {
  const lower = address.toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const hi = parseInt(hex[1], 16);
    const lo = parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return address;
}

export interface AddressPolicy {
  /**
   * Loopback origins (`127.0.0.1:8123`) that tests may reach; empty in production. Only loopback can be
   * listed: a private or metadata address can never be allowed.
   */
  readonly allowLoopback: readonly string[];
}

export const STRICT_POLICY: AddressPolicy = { allowLoopback: [] };

/** Checks the allow-list once, so that a mistake fails at start, not on the first import. */
export function addressPolicy(allowLoopback: readonly string[] = []): AddressPolicy {
  for (const origin of allowLoopback) {
    const { address, port } = splitOrigin(origin);
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (!isIP(address) || !loopback.check(address, family) || !(port > 0 && port < 65536)) {
      throw new AppError(ErrorCode.BadConfig, 'only loopback address:port origins can be allowed', {
        origin,
      });
    }
  }
  return { allowLoopback: [...allowLoopback] };
}

function splitOrigin(origin: string): { address: string; port: number } {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(origin);
  if (bracketed?.[1] && bracketed[2]) return { address: bracketed[1], port: Number(bracketed[2]) };
  const i = origin.lastIndexOf(':');
  return { address: origin.slice(0, i), port: Number(origin.slice(i + 1)) };
}

/** Why the address is refused, or null when an import may connect to it on this port. */
export function refusal(address: string, port: number, policy: AddressPolicy): string | null {
  const plain = unmapped(address);
  const family = isIP(plain);
  if (family === 0) return 'not an IP address';
  const kind = family === 6 ? 'ipv6' : 'ipv4';
  if (loopback.check(plain, kind)) {
    const origin = family === 6 ? `[${plain}]:${port}` : `${plain}:${port}`;
    return policy.allowLoopback.includes(origin) ? null : 'loopback';
  }
  if (family === 6 && !GLOBAL_V6.check(plain, 'ipv6')) {
    return 'not global unicast (IPv6 outside 2000::/3, or an IPv4 address embedded in IPv6)';
  }
  if (!blocked.check(plain, kind)) return null;
  const ranges = family === 6 ? BLOCKED_V6 : BLOCKED_V4;
  const hit = ranges.find(([net, prefix]) => {
    const one = new BlockList();
    one.addSubnet(net, prefix, kind);
    return one.check(plain, kind);
  });
  return hit?.[2] ?? 'blocked range';
}
