// auth: token — the Docker token authentication flow on the registry side. A request without a
// bearer token, with an invalid one, or with one that does not grant what the route needs gets
// 401 and a challenge naming the realm, service and needed scope. Verified tokens are cached
// until they expire, so the signature is checked once per token, not once per request.
import { createHash } from 'node:crypto';
import { accessAllows, type AccessRecord, type TokenClaims } from '@wharf/shared';
import type { AccessController } from '../controller.js';
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
}

const cacheLimit = 10_000;

export function createTokenController(options: TokenControllerOptions): AccessController {
  const now = options.now ?? Date.now;
  const verified = new Map<string, TokenClaims>();
  const verifyOptions = { keys: options.keys, issuer: options.issuer, service: options.service, leewaySeconds: options.leewaySeconds ?? 30, now };

  const claimsOf = async (token: string): Promise<TokenClaims> => {
    const key = createHash('sha256').update(token).digest('base64');
    const cached = verified.get(key);
    if (cached && cached.exp * 1000 + verifyOptions.leewaySeconds * 1000 > now()) return cached;
    verified.delete(key);
    const claims = await verifyToken(token, verifyOptions);
    if (verified.size >= cacheLimit) verified.delete(verified.keys().next().value as string);
    verified.set(key, claims);
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
