// Who calls a v1 route: nobody, a user by HTTP Basic (password or personal access token), or the
// holder of an X-Docker-Token (`Authorization: Token …`). Basic failures are told apart as the
// v1 spec wants (401 bad credentials, 403 "Account is not Active"), and every attempt is audited.
import bcrypt from 'bcrypt';
import { parseBasicAuth, v1TokenFromHeader, type BasicCredentials, type V1Token } from '@wharf/shared';
import { authenticate } from '../accounts/accounts.js';
import { findAccessToken, looksLikeAccessToken } from '../accounts/access-tokens.js';
import type { IndexStore } from '../db/store.js';
import type { User } from '../db/users.js';
import type { AccessToken } from '../db/tokens.js';
import { IndexError } from '../http/errors.js';

export type UserPrincipal = { kind: 'user'; user: User; accessToken?: AccessToken };

export type V1Caller =
  | { kind: 'anonymous' }
  | { kind: 'password'; principal: UserPrincipal }
  /** `token` is undefined when the header's value does not parse: it then validates as nothing. */
  | { kind: 'token'; token: V1Token | undefined };

export const basicChallenge = { 'WWW-Authenticate': 'Basic realm="wharf"' };
export const tokenChallenge = { 'WWW-Authenticate': 'Token' };

export function loginRequired(message = 'login required'): IndexError {
  return new IndexError('UNAUTHORIZED', { message, headers: basicChallenge });
}

/** Whether a user whose account is disabled sent their real secret (403, not 401). */
async function isInactiveAccount(store: IndexStore, credentials: BasicCredentials): Promise<boolean> {
  const user = store.users.byName(credentials.user);
  if (!user?.disabled) return false;
  if (looksLikeAccessToken(credentials.password)) return findAccessToken(store, credentials.password)?.userId === user.id;
  return bcrypt.compare(credentials.password, user.passwordHash);
}

export async function logIn(store: IndexStore, credentials: BasicCredentials, remote: string | null): Promise<UserPrincipal> {
  const found = await authenticate(store, credentials.user, credentials.password);
  if (!found) {
    // Checked only after a failure, so it costs nothing on the ordinary path, and a wrong
    // password for a disabled account stays a plain 401 (guessers learn nothing).
    const inactive = await isInactiveAccount(store, credentials);
    store.audit.record({ actor: credentials.user, action: 'login', outcome: 'denied', detail: { via: 'v1', reason: inactive ? 'inactive' : 'credentials' }, remote });
    if (inactive) throw new IndexError('DENIED', { message: 'account is not active' });
    throw loginRequired('invalid username or password');
  }
  store.users.update(found.user.id, { lastLoginAt: new Date().toISOString() });
  store.audit.record({ actor: found.user.username, action: 'login', detail: { via: 'v1', accessToken: found.accessToken?.name }, remote });
  return found.accessToken ? { kind: 'user', user: found.user, accessToken: found.accessToken } : { kind: 'user', user: found.user };
}

export async function identifyCaller(store: IndexStore, authorization: string | undefined, remote: string | null): Promise<V1Caller> {
  const header = authorization?.trim();
  if (!header) return { kind: 'anonymous' };
  // Docker 1.5 sends `Authorization: Token ` with nothing after it when the index gave it no
  // token; that carries no claim, so it is anonymous (never more than sending no header).
  if (/^token$/i.test(header)) return { kind: 'anonymous' };
  if (/^token\s/i.test(header)) return { kind: 'token', token: v1TokenFromHeader(header) };
  const credentials = parseBasicAuth(header);
  if (!credentials) throw loginRequired('only Basic or Token credentials are accepted');
  return { kind: 'password', principal: await logIn(store, credentials, remote) };
}

/** The Basic user, or 401: routes that take a password and nothing else. */
export function requirePassword(caller: V1Caller): UserPrincipal {
  if (caller.kind !== 'password') throw loginRequired();
  return caller.principal;
}
