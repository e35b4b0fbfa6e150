// The webhook address guard judges an IPv6 address that carries an IPv4 address (mapped,
// compatible, translated, NAT64, 6to4, Teredo, ISATAP) by the IPv4 address it reaches, and the
// same check covers a URL's literal address and every address a name resolves to.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { isForbiddenAddress, isForbiddenHost, makeGuardedLookup } from './target-guard.js';

const refused = [
  // Plain IPv4 and IPv6 ranges that are not the public internet.
  '127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255',
  '192.0.0.8', '198.18.0.1', '192.0.2.1', '::1', '::', 'fe80::1', 'fe80::1%eth0', 'fc00::1', 'fd12:3456::1', 'ff02::1', 'fec0::1', '100::1', '2001:db8::1',
  // IPv4-compatible (::/96).
  '::7f00:1', '::127.0.0.1', '::a00:1', '::10.0.0.1', '::a9fe:a9fe',
  // IPv4-mapped (::ffff:0:0/96) and IPv4-translated (::ffff:0:0:0/96).
  '::ffff:10.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254', '::ffff:0:10.0.0.1', '::ffff:0:a9fe:a9fe',
  // NAT64, well-known prefix (64:ff9b::/96) and the local-use prefix (64:ff9b:1::/48).
  '64:ff9b::7f00:1', '64:ff9b::a9fe:a9fe', '64:ff9b::10.1.2.3', '64:ff9b::c0a8:101', '64:ff9b:1::808:808', '64:ff9b:1:abcd::1',
  // 6to4 (2002::/16) with a private IPv4 address in bits 16-47.
  '2002:a00:1::', '2002:0a00:0001::', '2002:7f00:1::1', '2002:a9fe:a9fe::1', '2002:c0a8:101:1::1',
  // Teredo (2001::/32): server IPv4 in bits 32-63, client IPv4 inverted in the last 32 bits.
  '2001:0:a00:1::808:808', '2001:0:808:808::80ff:fefe', '2001:0:808:808:0:0:f5ff:fffe',
  // ISATAP interface ids carrying an IPv4 address.
  '2001:4860:1::5efe:a00:1', '2001:4860:1:0:200:5efe:7f00:1',
  // Not an address at all.
  'not-an-address',
];

const allowed = [
  '8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '2001:4860:4860::8888',
  '::ffff:8.8.8.8', '64:ff9b::808:808', '64:ff9b::8.8.8.8', '2002:808:808::1', '2001:0:808:808::f7f7:f7f7',
];

describe('webhook target guard', () => {
  it('refuses every non-public address, judging embedded IPv4 addresses by what they reach', () => {
    const wronglyAllowed = refused.filter((address) => !isForbiddenAddress(address));
    assert.deepEqual(wronglyAllowed, []);
  });

  it('allows public addresses, including public IPv4 addresses carried in IPv6', () => {
    const wronglyRefused = allowed.filter((address) => isForbiddenAddress(address));
    assert.deepEqual(wronglyRefused, []);
  });

  it('refuses the same addresses as URL hosts (bracketed IPv6 literals)', () => {
    for (const address of ['::7f00:1', '64:ff9b::a9fe:a9fe', '::ffff:10.0.0.1', '2002:0a00:0001::']) {
      const host = new URL(`http://[${address}]:8080/hook`).hostname;
      assert.equal(isForbiddenHost(host), true, host);
    }
    assert.equal(isForbiddenHost(new URL('http://[2606:4700:4700::1111]/').hostname), false);
    assert.equal(isForbiddenHost('hooks.example.com'), false, 'names are checked when they are looked up');
    assert.equal(isForbiddenHost('localhost'), true);
  });

  it('refuses a name when any address it resolves to is forbidden, embedded forms included', async () => {
    const resolvingTo = (addresses: string[]) =>
      makeGuardedLookup((_hostname, _options, callback) => callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))));
    const lookup = (answers: string[]) =>
      new Promise<{ err: NodeJS.ErrnoException | null; address: string | LookupAddress[] }>((resolve) =>
        resolvingTo(answers)('hooks.example.com', {}, (err, address) => resolve({ err, address })),
      );
    for (const answers of [['64:ff9b::7f00:1'], ['8.8.8.8', '::a00:1'], ['2002:a9fe:a9fe::1'], ['::ffff:192.168.0.1']]) {
      const { err } = await lookup(answers);
      assert.equal(err?.code, 'EWHARFFORBIDDEN', answers.join());
    }
    const { err, address } = await lookup(['64:ff9b::808:808']);
    assert.equal(err, null);
    assert.equal(address, '64:ff9b::808:808');
  });
});
