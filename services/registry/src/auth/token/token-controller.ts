// auth: token — the Docker token authentication flow on the registry side. A request without a
// bearer token, with an invalid one, or with one that does not grant what the route needs gets
// 401 and a challenge naming the realm, service and needed scope. Verified tokens are cached
// until they expire, so the signature is checked once per token, not once per request, within a
// byte budget: a token's claims can be as large as a request header allows.
import { createHash } from 'node:crypto';
import { accessAllows, ByteLru, type AccessRecord, type TokenClaims } from '@wharf/shared';
import { defaultAuthCacheBytes, type AccessController } from '../controller.js';
import { unauthorized, type ChallengeOptions } from './challenge.js';
import type { TrustedKeys } from './trusted-keys.js';
import { TokenInvalid, verifyToken, type TokenFailure } from './verify-token.js';

export interface TokenControllerOptions extends ChallengeOptions {
  issuer: string;
  keys: TrustedKeys;
  leewaySeconds?: number;
  now?: () => number;
  /** Told why a presented token was refused (metrics). A request without a token is no failure: it is the challenge. */
  onFailure?: (reason: TokenFailure | 'insufficient_scope') => void;
  /** Bytes of verified tokens' claims kept at most (cache.authBytes). */
  cacheBytes?: number;
}

const cacheEntries = 10_000;

interface Verified {
  claims: TokenClaims;
  /** What the claims hold in memory, estimated from the token they were decoded from. */
  bytes: number;
}

export function createTokenController(options: TokenControllerOptions): AccessController {
  const now = options.now ?? Date.now;
  const verified = new ByteLru<Verified>({ maxBytes: options.cacheBytes ?? defaultAuthCacheBytes, maxEntries: cacheEntries, sizeOf: (v) => v.bytes });
  const verifyOptions = { keys: options.keys, issuer: options.issuer, service: options.service, leewaySeconds: options.leewaySeconds ?? 30, now };

  const claimsOf = async (token: string): Promise<TokenClaims> => {
    const key = createHash('sha256').update(token).digest('base64');
    const cached = verified.get(key)?.claims;
    if (cached && cached.exp * 1000 + verifyOptions.leewaySeconds * 1000 > now()) return cached;
    verified.delete(key);
    const claims = await verifyToken(token, verifyOptions);
    // Decoded JSON costs about twice its text (one-byte strings plus the objects around them).
    verified.set(key, { claims, bytes: 2 * token.length });
    return claims;
  };

  return {
    kind: 'token',
    notReady: () => (options.keys.size() === 0 ? 'no token signing keys loaded' : undefined),
    async authorize(request, access: AccessRecord[]) {
      const header = request.headers.authorization;
      const match = header ? /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header) : null;
      if (!match) throw unauthorized(options, access, 'authentication required');
      let claims: TokenClaims;
      try {
        claims = await claimsOf(match[1]!);
      } catch (err) {
        if (!(err instanceof TokenInvalid)) throw err;
        options.onFailure?.(err.reason);
        throw unauthorized(options, access, `invalid token: ${err.message}`, 'invalid_token');
      }
      const missing = access.filter((r) => !r.actions.every((a) => accessAllows(claims.access, r.type, r.name, a)));
      if (missing.length) {
        options.onFailure?.('insufficient_scope');
        throw unauthorized(options, access, 'insufficient scope', 'insufficient_scope');
      }
      return { user: claims.sub, access };
    },
  };
}
