// Pull tokens the index mints for itself (the web UI reading an image's config from its
// registry): the same issuance as /token, under a dedicated service identity, for exactly one
// repository, and short-lived — never a user's credentials.
import type { SigningKey } from './keys.js';
import { issueToken } from './issue.js';
import type { IndexConfig } from '../config/schema.js';

/** The subject of the index's own tokens; no account can take it (usernames have no '$'). */
export const indexServiceSubject = '$wharf-index';
const ttlSeconds = 60;

export function selfPullToken(signingKeys: () => SigningKey[], token: IndexConfig['token'], repository: string): string | undefined {
  const [key] = signingKeys();
  if (!key) return undefined;
  return issueToken(key, { issuer: token.issuer, ttlSeconds }, indexServiceSubject, token.services[0]!, [{ type: 'repository', name: repository, actions: ['pull'] }]).token;
}
