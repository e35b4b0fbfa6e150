// Accounts: sign-up (bcrypt, a namespace of one's own), authentication by password or by
// personal access token, and deletion (which revokes everything the account held).
import bcrypt from 'bcrypt';
import type { IndexStore } from '../db/store.js';
import type { User } from '../db/users.js';
import type { AccessToken } from '../db/tokens.js';
import { IndexError } from '../http/errors.js';
import { usernameProblem } from './usernames.js';
import { PasswordCache } from './password-cache.js';
import { findAccessToken, looksLikeAccessToken } from './access-tokens.js';

export interface AccountOptions {
  bcryptCost: number;
}

const emailGrammar = /^[^\s@]+@[^\s@]+$/;
/** One password cache per index (per store), so instances never share verified credentials. */
const caches = new WeakMap<IndexStore, PasswordCache>();
function cacheOf(store: IndexStore): PasswordCache {
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = new PasswordCache()));
  return cache;
}

/** A hash of a random password, so a login for an unknown name costs as much as a real one. */
const decoyHash = '$2b$10$.4cjWJxc0m3bBy7rx4QbAe0o9PNvcfPmUKtcX7G9r2D9fBtjoNr2C';

/** bcrypt reads only the first 72 bytes: longer passwords would silently match their prefix. */
const maxPasswordBytes = 72;

export function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < 8 || Buffer.byteLength(password, 'utf8') > maxPasswordBytes) {
    throw new IndexError('INVALID_FIELD', { message: `password must be 8 characters to ${maxPasswordBytes} bytes`, detail: { field: 'password' } });
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
    if (store.users.byName(username) || store.namespaces.byName(username) || store.namespaces.isRetired(username)) {
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
  if (!user) {
    await bcrypt.compare(secret, decoyHash);
    return undefined;
  }
  const ok = await cacheOf(store).verify(user.id, user.passwordHash, secret, () => bcrypt.compare(secret, user.passwordHash));
  return ok && !user.disabled ? { user } : undefined;
}

/**
 * Changes an account's email and/or password. Everything is checked before anything is written,
 * so a rejected request changes nothing; a new password also revokes the refresh tokens and v1
 * tokens issued on the strength of the old one. Returns the names of the fields changed.
 */
export async function updateAccount(
  store: IndexStore,
  options: AccountOptions,
  user: User,
  input: { email?: unknown; password?: unknown },
): Promise<('email' | 'password')[]> {
  const email = input.email === undefined ? undefined : checkEmail(input.email);
  const passwordHash = input.password === undefined ? undefined : await bcrypt.hash(checkPassword(input.password), options.bcryptCost);
  store.transaction(() => {
    store.users.update(user.id, { email, passwordHash });
    if (passwordHash !== undefined) {
      store.tokens.revokeRefreshTokens(user.id);
      // v1 tokens live up to index.v1.tokenTtl: they were issued on the old password too.
      store.v1.deleteTokensOfUser(user.id);
      // Browser sessions too: whoever knew the old password is signed out everywhere.
      store.sessions.deleteForUser(user.id);
    }
  });
  const changed: ('email' | 'password')[] = [];
  if (email !== undefined) changed.push('email');
  if (passwordHash !== undefined) changed.push('password');
  return changed;
}

/**
 * Sets an account's password from the command line (no old password: the operator runs it on
 * the index's own database); signs the account out everywhere, as a change through the API does.
 */
export async function setPassword(store: IndexStore, options: AccountOptions, username: string, password: string): Promise<void> {
  const user = store.users.byName(username);
  if (!user) throw new IndexError('NOT_FOUND', { message: `no account named ${username}` });
  await updateAccount(store, options, user, { password });
  store.audit.record({ actor: null, action: 'user.password', target: user.username, detail: { via: 'cli' } });
}

/**
 * Deletes an account with its namespace, repositories and tokens; later token requests fail.
 * The last owner of an organization cannot go: the organization would be left with nobody who
 * may run it (the same rule that stops removing its last owner).
 */
export function deleteAccount(store: IndexStore, user: User): void {
  store.transaction(() => {
    const stranded = store.namespaces.orgsOf(user.id).filter((org) => org.role === 'owner' && store.namespaces.countOwners(org.id) === 1);
    if (stranded.length > 0) {
      throw new IndexError('CONFLICT', {
        message: `${user.username} is the last owner of ${stranded.map((o) => o.name).join(', ')}; add another owner or delete the organization first`,
        detail: { orgs: stranded.map((o) => o.name) },
      });
    }
    const namespace = store.namespaces.byName(user.username);
    if (namespace) store.namespaces.delete(namespace.id);
    store.users.delete(user.id);
  });
}
