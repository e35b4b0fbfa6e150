// The keys a registry trusts to sign tokens: a certificate bundle (Distribution's
// `rootcertbundle`: keys are found by libtrust key ID, or through an `x5c` chain ending at a
// bundled certificate) and/or a JWKS document fetched from the token server (keys by `kid`).
import { createPublicKey, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { libtrustKeyId } from '@wharf/shared';

export interface TrustedKeys {
  /** The key with this id; for JWKS sources a miss may trigger a (rate-limited) refetch. */
  byKid(kid: string): Promise<KeyObject | undefined>;
  /** The leaf key of an x5c chain, if the chain ends at a trusted certificate. */
  byChain(x5c: string[], now: Date): KeyObject | undefined;
  /** Whether an embedded public key is one of the trusted ones. */
  isTrusted(key: KeyObject): Promise<boolean>;
  /** How many keys are loaded now (0 until a JWKS is first fetched): readiness. */
  size(): number;
}

export function splitPemCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

export async function loadCertificateBundle(path: string): Promise<X509Certificate[]> {
  const certs = splitPemCertificates(await readFile(path, 'utf8'));
  if (certs.length === 0) throw new Error(`no certificates in ${path}`);
  return certs;
}

function spki(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

function chainLeaf(roots: X509Certificate[], x5c: string[], now: Date): KeyObject | undefined {
  try {
    const chain = x5c.map((der) => new X509Certificate(Buffer.from(der, 'base64')));
    const valid = (c: X509Certificate) => new Date(c.validFrom) <= now && now <= new Date(c.validTo);
    if (chain.length === 0 || !chain.every(valid)) return undefined;
    // Only a CA certificate vouches for another (as Go's x509 Verify in Distribution): otherwise
    // whoever holds the key of any plain certificate the bundled CA issued could sign a
    // certificate for a key of their own and mint tokens with it.
    for (let i = 0; i < chain.length - 1; i++) {
      const issuer = chain[i + 1]!;
      if (!issuer.ca || !chain[i]!.checkIssued(issuer) || !chain[i]!.verify(issuer.publicKey)) return undefined;
    }
    const last = chain.at(-1)!;
    const anchored = roots.some(
      (root) => root.fingerprint256 === last.fingerprint256 || (root.ca && last.checkIssued(root) && last.verify(root.publicKey)),
    );
    return anchored ? chain[0]!.publicKey : undefined;
  } catch {
    return undefined;
  }
}

export function certificateKeys(roots: X509Certificate[]): TrustedKeys {
  const byId = new Map(roots.map((c) => [libtrustKeyId(c.publicKey), c.publicKey]));
  const known = new Set(roots.map((c) => spki(c.publicKey)));
  return {
    byKid: async (kid) => byId.get(kid),
    byChain: (x5c, now) => chainLeaf(roots, x5c, now),
    isTrusted: async (key) => known.has(spki(key)),
    size: () => known.size,
  };
}

export interface JwksOptions {
  url: string;
  /** Least time between two fetches caused by unknown kids. */
  minRefetchMs: number;
  fetch?: typeof fetch;
  now?: () => number;
}

export interface JwksKeys extends TrustedKeys {
  /** Fetches the document; rejects when the source is unreachable or malformed. */
  refresh(): Promise<void>;
}

export function jwksKeys(options: JwksOptions): JwksKeys {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  let keys = new Map<string, KeyObject>();
  let lastFetch = -Infinity;
  let inFlight: Promise<void> | undefined;

  const refresh = (): Promise<void> => {
    inFlight ??= (async () => {
      lastFetch = now();
      const response = await doFetch(options.url, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`JWKS ${options.url} answered ${response.status}`);
      const doc = (await response.json()) as { keys?: (JsonWebKey & { kid?: string })[] };
      if (!Array.isArray(doc.keys)) throw new Error(`JWKS ${options.url} has no keys array`);
      const next = new Map<string, KeyObject>();
      for (const jwk of doc.keys) {
        if (typeof jwk.kid !== 'string') continue;
        try {
          next.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
        } catch {
          // A key this runtime cannot use is skipped; the others still count.
        }
      }
      keys = next;
    })().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  return {
    refresh,
    async byKid(kid) {
      const key = keys.get(kid);
      if (key || now() - lastFetch < options.minRefetchMs) return key;
      await refresh().catch(() => undefined);
      return keys.get(kid);
    },
    byChain: () => undefined,
    async isTrusted(key) {
      const wanted = spki(key);
      return [...keys.values()].some((k) => spki(k) === wanted);
    },
    size: () => keys.size,
  };
}

/** Trust either source: a key is found if any source has it. */
export function combineKeys(sources: TrustedKeys[]): TrustedKeys {
  return {
    async byKid(kid) {
      for (const s of sources) {
        const key = await s.byKid(kid);
        if (key) return key;
      }
      return undefined;
    },
    byChain(x5c, now) {
      for (const s of sources) {
        const key = s.byChain(x5c, now);
        if (key) return key;
      }
      return undefined;
    },
    async isTrusted(key) {
      for (const s of sources) if (await s.isTrusted(key)) return true;
      return false;
    },
    size: () => sources.reduce((sum, s) => sum + s.size(), 0),
  };
}
