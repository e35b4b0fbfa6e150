// Personal access tokens: "wharf_pat_" + 32 random bytes (base64url). Shown once at creation,
// stored as a SHA-256 hash, usable as the password of `docker login`, revocable, may expire.
import { createHash, randomBytes } from 'node:crypto';
import type { IndexStore } from '../db/store.js';
import type { AccessToken, TokenPermission } from '../db/tokens.js';
import { IndexError } from '../http/errors.js';

const prefix = 'wharf_pat_';
const permissions: readonly TokenPermission[] = ['read', 'read-write', 'read-write-delete'];

export function looksLikeAccessToken(secret: string): boolean {
  return secret.startsWith(prefix) && secret.length === prefix.length + 43;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** The token whose secret this is, if it is valid now (not revoked, not expired). */
export function findAccessToken(store: IndexStore, secret: string, now = new Date()): AccessToken | undefined {
  const token = store.tokens.accessTokenByHash(hashSecret(secret));
  if (!token || token.revokedAt) return undefined;
  if (token.expiresAt && new Date(token.expiresAt) <= now) return undefined;
  return token;
}

export function createAccessToken(
  store: IndexStore,
  userId: number,
  input: { name: unknown; permission: unknown; expiresAt?: unknown },
): { token: AccessToken; secret: string } {
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name.length < 1 || name.length > 100) {
    throw new IndexError('INVALID_FIELD', { message: 'token name must be 1 to 100 characters', detail: { field: 'name' } });
  }
  const permission = input.permission ?? 'read';
  if (typeof permission !== 'string' || !permissions.includes(permission as TokenPermission)) {
    throw new IndexError('INVALID_FIELD', { message: `permission must be one of ${permissions.join(', ')}`, detail: { field: 'permission' } });
  }
  let expiresAt: string | null = null;
  if (input.expiresAt !== undefined && input.expiresAt !== null && input.expiresAt !== '') {
    const when = typeof input.expiresAt === 'string' ? new Date(input.expiresAt) : new Date(NaN);
    if (Number.isNaN(when.getTime()) || when <= new Date()) {
      throw new IndexError('INVALID_FIELD', { message: 'expiresAt must be a future ISO 8601 time', detail: { field: 'expiresAt' } });
    }
    expiresAt = when.toISOString();
  }
  const secret = prefix + randomBytes(32).toString('base64url');
  return store.transaction(() => {
    if (store.tokens.accessTokens(userId).some((t) => t.name === name)) {
      throw new IndexError('NAME_TAKEN', { message: `you already have a token named ${name}`, detail: { field: 'name' } });
    }
    return { token: store.tokens.insertAccessToken(userId, name, permission as TokenPermission, hashSecret(secret), expiresAt), secret };
  });
}
