// Signs registry bearer tokens (jwt.md): iss, sub, aud, exp, nbf, iat, jti and the granted
// access, with the newest signing key; the header names the key by kid.
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AccessRecord, TokenClaims } from '@wharf/shared';
import type { SigningKey } from './keys.js';

export interface IssueOptions {
  issuer: string;
  ttlSeconds: number;
  now?: () => number;
}

export interface IssuedToken {
  token: string;
  expiresIn: number;
  issuedAt: string;
  claims: TokenClaims;
}

export function issueToken(key: SigningKey, options: IssueOptions, subject: string, audience: string, access: AccessRecord[]): IssuedToken {
  const nowMs = (options.now ?? Date.now)();
  const now = Math.floor(nowMs / 1000);
  const claims: TokenClaims = {
    iss: options.issuer,
    sub: subject,
    aud: audience,
    exp: now + options.ttlSeconds,
    nbf: now - 1,
    iat: now,
    jti: randomUUID(),
    access,
  };
  const token = jwt.sign(claims, key.privateKey, { algorithm: key.algorithm, header: { alg: key.algorithm, typ: 'JWT', kid: key.kid } });
  return { token, expiresIn: options.ttlSeconds, issuedAt: new Date(now * 1000).toISOString(), claims };
}
