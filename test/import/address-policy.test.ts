import { describe, expect, it } from 'vitest';

import { addressPolicy, refusal, STRICT_POLICY } from '../../src/import/address-policy.js';

describe('address policy', () => {
  it('refuses private, loopback, link-local, metadata and their IPv6 and mapped forms', () => {
    const refused = [
      '127.0.0.1',
      '127.1.2.3',
      '10.0.0.5',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      'fc00::1',
      '::ffff:127.0.0.1',
      '::ffff:a9fe:a9fe',
      '::ffff:10.0.0.1',
    ];
    for (const address of refused) expect(refusal(address, 80, STRICT_POLICY), address).not.toBeNull();
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111']) {
      expect(refusal(address, 443, STRICT_POLICY), address).toBeNull();
    }
    expect(refusal('169.254.169.254', 80, STRICT_POLICY)).toBe('link-local (cloud metadata)');
  });

  it('allows only global unicast: IPv6 forms that embed an IPv4 address are refused', () => {
    const refused = [
      '::7f00:1', // IPv4-compatible 127.0.0.1
      '::127.0.0.1',
      '2002:a9fe:a9fe::1', // 6to4 of 169.254.169.254
      '2002:7f00:1::',
      '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo
      '64:ff9b::a9fe:a9fe', // NAT64 well-known prefix
      '64:ff9b:1::a00:1', // NAT64 local-use prefix
      '::ffff:0:a9fe:a9fe', // SIIT ::ffff:0:0:0/96
      '::ffff:0:7f00:1',
      '100::1', // discard
      '2001:db8::1', // documentation
      '3fff::1',
      'ff02::1',
      'fec0::1',
    ];
    for (const address of refused) expect(refusal(address, 80, STRICT_POLICY), address).not.toBeNull();
    for (const address of ['2a00:1450:4001:80b::200e', '2606:4700:4700::1111', '2001:4860:4860::8888']) {
      expect(refusal(address, 443, STRICT_POLICY), address).toBeNull();
    }
  });

  it('allows only the listed loopback origins in test mode', () => {
    const policy = addressPolicy(['127.0.0.1:8123', '[::1]:8124']);
    expect(refusal('127.0.0.1', 8123, policy)).toBeNull();
    expect(refusal('::ffff:127.0.0.1', 8123, policy)).toBeNull();
    expect(refusal('::1', 8124, policy)).toBeNull();
    expect(refusal('127.0.0.1', 8124, policy)).toBe('loopback');
    expect(refusal('169.254.169.254', 80, policy)).not.toBeNull();
    expect(() => addressPolicy(['192.168.0.1:80'])).toThrow();
    expect(() => addressPolicy(['localhost:80'])).toThrow();
  });
});
