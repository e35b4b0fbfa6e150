// Webhook host names are looked up with c-ares (dns.Resolver: A and AAAA queries) rather than
// dns.lookup. dns.lookup runs getaddrinfo on libuv's small thread pool, which bcrypt, zlib and
// file I/O share: a tenant's name server that never answers would hold those threads for every
// tenant. A c-ares query holds no thread, and the delivery's connect timeout bounds the wait.
// /etc/hosts is not read, which suits a public webhook target; with private targets allowed the
// system's own lookup is used instead.
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { Resolver } from 'node:dns/promises';

export type LookupAll = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

function familiesOf(options: LookupOptions): (4 | 6)[] {
  const family = options.family;
  if (family === 4 || family === 'IPv4') return [4];
  if (family === 6 || family === 'IPv6') return [6];
  return [4, 6];
}

/** Every A and AAAA address of a name (IPv4 first), or the first query's error when none. */
export function resolverLookup(resolver: Resolver): LookupAll {
  return (hostname, options, callback) => {
    const queries = familiesOf(options).map(async (family) => {
      const addresses = family === 4 ? await resolver.resolve4(hostname) : await resolver.resolve6(hostname);
      return addresses.map((address): LookupAddress => ({ address, family }));
    });
    void Promise.allSettled(queries).then((results) => {
      const addresses = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (addresses.length > 0 || !failure) callback(addresses.length > 0 ? null : Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), addresses);
      else callback(failure.reason as NodeJS.ErrnoException, []);
    });
  };
}
