// Keeps webhook deliveries away from the index's own network: loopback, private, link-local
// (cloud metadata at 169.254.169.254), carrier-grade NAT, documentation, benchmarking, multicast
// and unspecified addresses are refused unless the operator allows them. An IPv6 address that
// carries an IPv4 address (mapped, compatible, translated, NAT64, 6to4, Teredo, ISATAP) reaches
// that IPv4 host through a translator or tunnel, so it is judged by the IPv4 address it carries.
// The check runs inside the connection's own DNS lookup (resolver-lookup.ts), so a name cannot
// resolve to a public address when checked and a private one when connected.
import type { LookupAddress, LookupOptions } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { embeddedIpv4, ipv6Words } from './embedded-ipv4.js';
import { resolverLookup, type LookupAll } from './resolver-lookup.js';

const forbiddenV4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24],
  ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  forbiddenV4.addSubnet(network, prefix, 'ipv4');
}
// IPv6 ranges that are not the public internet in themselves. The embedding prefixes (::/96,
// ::ffff:0:0/96, 64:ff9b::/96, 2002::/16, Teredo) are absent: their embedded address decides.
const forbiddenV6 = new BlockList();
for (const [network, prefix] of [
  ['::1', 128], ['64:ff9b:1::', 48], ['100::', 64], ['2001:2::', 48], ['2001:10::', 28], ['2001:20::', 28], ['2001:db8::', 32], ['3fff::', 20],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) {
  forbiddenV6.addSubnet(network, prefix, 'ipv6');
}

export function isForbiddenAddress(address: string): boolean {
  // A zone id (fe80::1%eth0) only says which interface; the address decides.
  const bare = address.replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 0) return true;
  if (family === 4) return forbiddenV4.check(bare, 'ipv4');
  const words = ipv6Words(bare);
  if (embeddedIpv4(words).some((v4) => forbiddenV4.check(v4, 'ipv4'))) return true;
  return forbiddenV6.check(bare, 'ipv6');
}

/** A host named by a literal address or "localhost" that is forbidden: refused at registration. */
export function isForbiddenHost(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  return isIP(bare) !== 0 && isForbiddenAddress(bare);
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dns.lookup for http.request that fails when any address `lookup` resolves to is forbidden. */
export function makeGuardedLookup(lookup: LookupAll) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    lookup(hostname, options, (err, addresses) => {
      if (err) return callback(err, []);
      const bad = addresses.find((a) => isForbiddenAddress(a.address));
      if (bad) {
        const refused = Object.assign(new Error(`${hostname} resolves to ${bad.address}, a private or local address; webhooks may not target it`), { code: 'EWHARFFORBIDDEN' });
        return callback(refused, []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };
}

export const guardedLookup = makeGuardedLookup(resolverLookup(new Resolver()));
