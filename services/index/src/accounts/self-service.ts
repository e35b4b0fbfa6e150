// What a person does with their own account, whichever door they use (the JSON API, the web UI):
// sign up, change email or password, create and revoke personal access tokens. Each change is
// audited here, so the two doors can never disagree about the rule or the record.
import type { IndexStore } from '../db/store.js';
import type { AccessToken } from '../db/tokens.js';
import type { User } from '../db/users.js';
import { IndexError } from '../http/errors.js';
import type { Principal } from '../permissions/grant.js';
import { isSiteAdmin } from '../repositories/actor.js';
import { createAccessToken } from './access-tokens.js';
import { createAccount, updateAccount, type AccountOptions } from './accounts.js';

export interface SignupOptions extends AccountOptions {
  /** Whether anyone may sign up; when false only site admins create accounts. */
  signup: boolean;
}

/** Sign-up by anyone (when open) or account creation by a site admin (who may make admins). */
export async function signUp(
  store: IndexStore,
  options: SignupOptions,
  caller: Principal,
  input: { username: unknown; email: unknown; password: unknown; isAdmin?: unknown },
  remote: string | null,
): Promise<User> {
  const byAdmin = isSiteAdmin(caller);
  if (!options.signup && !byAdmin) throw new IndexError('DENIED', { message: 'sign-up is closed; ask an admin' });
  const user = await createAccount(store, options, { username: input.username, email: input.email, password: input.password, isAdmin: byAdmin && input.isAdmin === true });
  store.audit.record({ actor: caller.kind === 'user' ? caller.user.username : user.username, action: 'user.create', target: user.username, remote });
  return user;
}

/** Changes the caller's email and/or password; returns the account as it now is. */
export async function changeOwnAccount(store: IndexStore, options: AccountOptions, user: User, input: { email?: unknown; password?: unknown }, remote: string | null): Promise<User> {
  const changed = await updateAccount(store, options, user, input);
  for (const field of changed) store.audit.record({ actor: user.username, action: `user.${field}`, target: user.username, remote });
  return store.users.byId(user.id)!;
}

export function issueAccessToken(store: IndexStore, user: User, input: { name: unknown; permission: unknown; expiresAt?: unknown }, remote: string | null): { token: AccessToken; secret: string } {
  const issued = createAccessToken(store, user.id, input);
  store.audit.record({ actor: user.username, action: 'token.create', target: issued.token.name, detail: { permission: issued.token.permission }, remote });
  return issued;
}

export function revokeOwnAccessToken(store: IndexStore, user: User, id: unknown, remote: string | null): void {
  const token = typeof id === 'string' && /^\d{1,15}$/.test(id) ? store.tokens.accessTokenById(Number(id)) : undefined;
  if (!token || token.userId !== user.id) throw new IndexError('NOT_FOUND', { message: 'no such token' });
  store.tokens.revokeAccessToken(token.id);
  store.audit.record({ actor: user.username, action: 'token.revoke', target: token.name, remote });
}
