// Verifies a registry bearer token (jwt.md "Verifying the token"): asymmetric algorithm only,
// a trusted signing key (x5c chain, embedded jwk or kid), issuer, audience, exp/nbf with a small
// leeway. Returns the claims; throws TokenInvalid with a reason otherwise.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { tokenAlgorithms, type AccessRecord, type TokenClaims } from '@wharf/shared';
import type { TrustedKeys } from './trusted-keys.js';

export class TokenInvalid extends Error {}

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
  throw new TokenInvalid('malformed token header');
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
  throw new TokenInvalid('token is not signed by a trusted key');
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
    throw new TokenInvalid(`algorithm ${JSON.stringify(header.alg)} is not accepted`);
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
    throw new TokenInvalid((err as Error).message);
  }
  if (typeof payload.exp !== 'number') throw new TokenInvalid('token has no expiry');
  const access = payload.access ?? [];
  if (!isAccessList(access)) throw new TokenInvalid('access claim is malformed');
  return { ...(payload as TokenClaims), access };
}
