// Verifies a registry bearer token (jwt.md "Verifying the token"): asymmetric algorithm only,
// a trusted signing key (x5c chain, embedded jwk or kid), issuer, audience, exp/nbf with a small
// leeway. Returns the claims; throws TokenInvalid with a reason otherwise.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { tokenAlgorithms, type AccessRecord, type TokenClaims } from '@wharf/shared';
import type { TrustedKeys } from './trusted-keys.js';

/** Why a token was refused, in few words: the label of the failure metric. */
export type TokenFailure = 'malformed' | 'algorithm' | 'untrusted_key' | 'signature' | 'expired' | 'not_yet_valid' | 'issuer' | 'audience' | 'no_expiry' | 'malformed_access' | 'invalid';

export class TokenInvalid extends Error {
  constructor(
    message: string,
    readonly reason: TokenFailure,
  ) {
    super(message);
  }
}

/** The failure a jsonwebtoken error stands for. */
function jwtFailure(err: Error): TokenFailure {
  if (err instanceof jwt.TokenExpiredError) return 'expired';
  if (err instanceof jwt.NotBeforeError) return 'not_yet_valid';
  if (/audience/.test(err.message)) return 'audience';
  if (/issuer/.test(err.message)) return 'issuer';
  if (/signature/.test(err.message)) return 'signature';
  return 'invalid';
}

export interface VerifyOptions {
  keys: TrustedKeys;
  issuer: string;
  service: string;
  leewaySeconds: number;
  now: () => number;
}

interface Header {
  alg?: unknown;
  kid?: unknown;
  x5c?: unknown;
  jwk?: unknown;
}

function decodeHeader(token: string): Header {
  const [encoded] = token.split('.');
  try {
    const header = JSON.parse(Buffer.from(encoded ?? '', 'base64url').toString('utf8')) as unknown;
    if (typeof header === 'object' && header !== null) return header as Header;
  } catch {
    // reported below
  }
  throw new TokenInvalid('malformed token header', 'malformed');
}

async function signingKey(header: Header, keys: TrustedKeys, now: Date): Promise<KeyObject> {
  if (Array.isArray(header.x5c) && header.x5c.every((c) => typeof c === 'string')) {
    const key = keys.byChain(header.x5c as string[], now);
    if (key) return key;
  }
  if (typeof header.jwk === 'object' && header.jwk !== null) {
    try {
      const key = createPublicKey({ key: header.jwk as JsonWebKey, format: 'jwk' });
      if (await keys.isTrusted(key)) return key;
    } catch {
      // not a usable key; try the kid
    }
  }
  if (typeof header.kid === 'string') {
    const key = await keys.byKid(header.kid);
    if (key) return key;
  }
  throw new TokenInvalid('token is not signed by a trusted key', 'untrusted_key');
}

function isAccessList(value: unknown): value is AccessRecord[] {
  return (
    Array.isArray(value) &&
    value.every(
      (r) =>
        typeof r === 'object' && r !== null &&
        typeof (r as AccessRecord).type === 'string' &&
        typeof (r as AccessRecord).name === 'string' &&
        Array.isArray((r as AccessRecord).actions) &&
        (r as AccessRecord).actions.every((a) => typeof a === 'string'),
    )
  );
}

export async function verifyToken(token: string, options: VerifyOptions): Promise<TokenClaims> {
  const header = decodeHeader(token);
  if (typeof header.alg !== 'string' || !(tokenAlgorithms as readonly string[]).includes(header.alg)) {
    throw new TokenInvalid(`algorithm ${JSON.stringify(header.alg)} is not accepted`, 'algorithm');
  }
  const key = await signingKey(header, options.keys, new Date(options.now()));
  let payload: jwt.JwtPayload;
  try {
    payload = jwt.verify(token, key, {
      algorithms: [header.alg as jwt.Algorithm],
      issuer: options.issuer,
      audience: options.service,
      clockTolerance: options.leewaySeconds,
      clockTimestamp: Math.floor(options.now() / 1000),
    }) as jwt.JwtPayload;
  } catch (err) {
    throw new TokenInvalid((err as Error).message, jwtFailure(err as Error));
  }
  if (typeof payload.exp !== 'number') throw new TokenInvalid('token has no expiry', 'no_expiry');
  const access = payload.access ?? [];
  if (!isAccessList(access)) throw new TokenInvalid('access claim is malformed', 'malformed_access');
  return { ...(payload as TokenClaims), access };
}
