// auth: htpasswd — HTTP Basic against bcrypt entries; a missing or wrong credential is 401 with
// `WWW-Authenticate: Basic realm=…`. bcrypt is deliberately slow, so a verified credential is
// remembered (as a SHA-256 of user and password, never the password) for a short while, within a
// byte budget.
import { createHash } from 'node:crypto';
import bcrypt from 'bcrypt';
import { ByteLru, RegistryError } from '@wharf/shared';
import { defaultAuthCacheBytes, type AccessController } from '../controller.js';
import { parseBasicAuth } from '@wharf/shared';

export interface HtpasswdOptions {
  realm: string;
  entries: Map<string, string>;
  /** How long a verified credential is trusted without bcrypt; 0 disables. */
  cacheMs?: number;
  now?: () => number;
  /** Bytes of verified credentials kept at most (cache.authBytes). */
  cacheBytes?: number;
}

/** A hash of a never-used password, so unknown users cost as much as known ones. */
const decoyHash = '$2b$10$.4cjWJxc0m3bBy7rx4QbAe0o9PNvcfPmUKtcX7G9r2D9fBtjoNr2C';
const cacheEntries = 10_000;

export function createHtpasswdController(options: HtpasswdOptions): AccessController {
  const verified = new ByteLru<number>({ maxBytes: options.cacheBytes ?? defaultAuthCacheBytes, maxEntries: cacheEntries });
  const cacheMs = options.cacheMs ?? 60_000;
  const now = options.now ?? Date.now;
  const challenge = (message: string) =>
    new RegistryError('UNAUTHORIZED', {
      message,
      headers: { 'WWW-Authenticate': `Basic realm=${JSON.stringify(options.realm)}` },
    });

  return {
    kind: 'htpasswd',
    async authorize(request, access) {
      const credentials = parseBasicAuth(request.headers.authorization);
      if (!credentials) throw challenge('authentication required');
      const key = createHash('sha256').update(`${credentials.user}\0${credentials.password}`).digest('hex');
      const until = verified.get(key);
      if (until !== undefined && until > now()) return { user: credentials.user, access };
      const hash = options.entries.get(credentials.user);
      const ok = await bcrypt.compare(credentials.password, hash ?? decoyHash);
      if (!ok || !hash) throw challenge('invalid username or password');
      if (cacheMs > 0) verified.set(key, now() + cacheMs);
      return { user: credentials.user, access };
    },
  };
}
