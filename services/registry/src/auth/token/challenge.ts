// The Bearer challenge (token.md "How to authenticate"): realm and service always; the scope the
// request needs, so the client can ask the token server for exactly that; and an RFC 6750 error
// when a token was presented but is invalid or too narrow.
import { formatScope, RegistryError, type AccessRecord } from '@wharf/shared';

export interface ChallengeOptions {
  realm: string;
  service: string;
}

export type ChallengeError = 'invalid_token' | 'insufficient_scope';

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

export function bearerChallenge(options: ChallengeOptions, access: AccessRecord[], error?: ChallengeError): string {
  const parts = [`realm=${quote(options.realm)}`, `service=${quote(options.service)}`];
  if (access.length) parts.push(`scope=${quote(access.map(formatScope).join(' '))}`);
  if (error) parts.push(`error=${quote(error)}`);
  return `Bearer ${parts.join(',')}`;
}

export function unauthorized(options: ChallengeOptions, access: AccessRecord[], message: string, error?: ChallengeError): RegistryError {
  return new RegistryError('UNAUTHORIZED', {
    message,
    headers: { 'WWW-Authenticate': bearerChallenge(options, access, error) },
  });
}
