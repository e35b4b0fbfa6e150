// Accounts: sign-up (bcrypt, a namespace of one's own), authentication by password or by
// personal access token, and deletion (which revokes everything the account held).
import bcrypt from 'bcrypt';
import type { IndexStore } from '../db/store.js';
import type { User } from '../db/users.js';
import type { AccessToken } from '../db/tokens.js';
import { IndexError } from '../http/errors.js';
import { usernameProblem } from './usernames.js';
import { findAccessToken, looksLikeAccessToken } from './access-tokens.js';

export interface AccountOptions {
  bcryptCost: number;
}

const emailGrammar = /^[^\s@]+@[^\s@]+$/;
/** A hash of a random password, so a login for an unknown name costs as much as a real one. */
let decoyHash: string | undefined;

export function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < 8 || password.length > 72) {
    throw new IndexError('INVALID_FIELD', { message: 'password must be 8 to 72 characters', detail: { field: 'password' } });
  }
  return password;
}

export function checkEmail(email: unknown): string {
  if (typeof email !== 'string' || email.length > 254 || !emailGrammar.test(email)) {
    throw new IndexError('INVALID_FIELD', { message: 'email is not a valid address', detail: { field: 'email' } });
  }
  return email;
}

export async function createAccount(
  store: IndexStore,
  options: AccountOptions,
  input: { username: unknown; email: unknown; password: unknown; isAdmin?: boolean },
): Promise<User> {
  const username = typeof input.username === 'string' ? input.username : '';
  const problem = usernameProblem(username);
  if (problem) throw new IndexError('INVALID_FIELD', { message: `username ${problem}`, detail: { field: 'username' } });
  const email = checkEmail(input.email);
  const password = checkPassword(input.password);
  const hash = await bcrypt.hash(password, options.bcryptCost);
  return store.transaction(() => {
    if (store.users.byName(username) || store.namespaces.byName(username)) {
      throw new IndexError('NAME_TAKEN', { message: `the name ${username} is taken`, detail: { field: 'username' } });
    }
    const user = store.users.insert(username, email, hash, input.isAdmin ?? false);
    store.namespaces.insert(username, 'user', user.id);
    return user;
  });
}

export interface Authenticated {
  user: User;
  /** Set when the secret was a personal access token: its permission caps every grant. */
  accessToken?: AccessToken;
}

/**
 * Checks a username and a secret that is either the password or a personal access token.
 * Returns undefined for any failure, without saying which part was wrong.
 */
export async function authenticate(store: IndexStore, username: string, secret: string): Promise<Authenticated | undefined> {
  const user = store.users.byName(username);
  if (looksLikeAccessToken(secret)) {
    const token = findAccessToken(store, secret);
    if (!user || user.disabled || !token || token.userId !== user.id) return undefined;
    store.tokens.touchAccessToken(token.id);
    return { user, accessToken: token };
  }
  decoyHash ??= await bcrypt.hash('decoy-password-never-used', 10);
  const ok = await bcrypt.compare(secret, user?.passwordHash ?? decoyHash);
  if (!ok || !user || user.disabled) return undefined;
  return { user };
}

export async function changePassword(store: IndexStore, options: AccountOptions, user: User, password: unknown): Promise<void> {
  const hash = await bcrypt.hash(checkPassword(password), options.bcryptCost);
  store.users.update(user.id, { passwordHash: hash });
}

/** Deletes an account with its namespace, repositories and tokens; later token requests fail. */
export function deleteAccount(store: IndexStore, user: User): void {
  store.transaction(() => {
    const namespace = store.namespaces.byName(user.username);
    if (namespace) store.namespaces.delete(namespace.id);
    store.users.delete(user.id);
  });
}
