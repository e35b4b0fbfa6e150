// The v1 index's accounts (docs/protocol-v1.md): sign-up at POST /v1/users/, which is also the first
// half of `docker login` — Docker 1.x posts the credentials, and only on the exact answer
// 400 "Username or email already exists" checks them at GET /v1/users/. Accounts are the same as
// the JSON API's (accounts/accounts.ts does the validation and hashing).
import { createAccount, updateAccount } from '../accounts/accounts.js';
import type { IndexConfig } from '../config/schema.js';
import type { IndexStore } from '../db/store.js';
import { IndexError } from '../http/errors.js';
import { loginRequired, type UserPrincipal } from './callers.js';

export type SignUpOutcome = 'created' | 'exists';

function bodyFields(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/**
 * Whether the name in a sign-up body is taken (by a user, or an organization: one name space).
 * Checked before anything else, and before the rate limits: an existing user's `docker login`
 * must get its 400 even when the email it sends would not pass validation, and that answer is
 * no failed login.
 */
export function signUpConflict(store: IndexStore, body: unknown): boolean {
  const { username } = bodyFields(body);
  return typeof username === 'string' && (store.users.byName(username) !== undefined || store.namespaces.byName(username) !== undefined);
}

export async function signUp(store: IndexStore, config: IndexConfig, body: unknown, remote: string | null): Promise<SignUpOutcome> {
  if (signUpConflict(store, body)) return 'exists';
  // 401, not 403: Docker then checks the credentials at GET /v1/users/, so `docker login` still
  // works for existing accounts when sign-up is closed ("private registries where /v1/users is
  // protected", docker 1.5 registry/auth.go).
  if (!config.accounts.signup) throw loginRequired('sign-up is closed; ask an admin for an account');
  const { username, email, password } = bodyFields(body);
  try {
    const user = await createAccount(store, { bcryptCost: config.accounts.bcryptCost }, { username, email, password });
    store.audit.record({ actor: user.username, action: 'user.create', target: user.username, detail: { via: 'v1' }, remote });
    return 'created';
  } catch (err) {
    // Taken between the check above and the insert (two sign-ups racing).
    if (err instanceof IndexError && err.code === 'NAME_TAKEN') return 'exists';
    throw err;
  }
}

/** PUT /v1/users/<u>/: a user changes their own email and/or password. */
export async function updateUser(store: IndexStore, config: IndexConfig, principal: UserPrincipal, username: string, body: unknown, remote: string | null): Promise<void> {
  if (username !== principal.user.username) {
    if (!store.users.byName(username)) throw new IndexError('NOT_FOUND', { message: `no such user: ${username}` });
    throw new IndexError('DENIED', { message: 'you may only change your own account' });
  }
  // As on the JSON API: account settings take the password, not a scoped access token.
  if (principal.accessToken) throw new IndexError('DENIED', { message: 'account settings need your password, not an access token' });
  const { email, password } = bodyFields(body);
  const changed = await updateAccount(store, { bcryptCost: config.accounts.bcryptCost }, principal.user, { email, password });
  for (const field of changed) store.audit.record({ actor: username, action: `user.${field}`, target: username, detail: { via: 'v1' }, remote });
}
