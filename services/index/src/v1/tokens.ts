// X-Docker-Tokens (docs/protocol-v1.md): `signature=<random>,repository="<ns>/<repo>",access=…`.
// The signature is 32 random bytes, stored only as its SHA-256; the row says whose it is, for
// which repository and access, until when. A token is not single-use: Docker reuses it for every
// request of a push or pull and registries re-validate it, so it lives for `v1.tokenTtl`.
// Validation asks grant.ts again every time: a holder who lost the right loses the token too.
import { randomBytes } from 'node:crypto';
import { formatV1Token, normalizeV1Name, type V1Access, type V1Token } from '@wharf/shared';
import { hashSecret } from '../accounts/access-tokens.js';
import type { IndexStore } from '../db/store.js';
import type { Repository } from '../db/repositories.js';
import type { V1TokenRecord } from '../db/v1.js';
import { anonymous, may, type Principal, type RepoAction } from '../permissions/grant.js';

/** The right a token of each access stands for; the holder must still have it. */
export const rightOf: Record<V1Access, RepoAction> = { read: 'pull', write: 'push', delete: 'delete' };

export type TokenCheck = { valid: true; holder: Principal; access: V1Access; repo: Repository } | { valid: false; reason: string };

export function issueV1Token(store: IndexStore, holder: Principal, repo: Repository, access: V1Access, ttlMs: number, now = new Date()): string {
  const signature = randomBytes(32).toString('hex');
  store.v1.purgeExpiredTokens(now.toISOString());
  store.v1.insertToken({
    signatureHash: hashSecret(signature),
    repositoryId: repo.id,
    userId: holder.kind === 'user' ? holder.user.id : null,
    accessTokenId: holder.kind === 'user' ? (holder.accessToken?.id ?? null) : null,
    access,
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
  });
  return formatV1Token({ signature, repository: repo.name, access });
}

/** The principal a token speaks for, if its user and personal access token are still good. */
function holderOf(store: IndexStore, record: V1TokenRecord, now: Date): Principal | undefined {
  if (record.userId === null) return anonymous;
  const user = store.users.byId(record.userId);
  if (!user || user.disabled) return undefined;
  if (record.accessTokenId === null) return { kind: 'user', user };
  const pat = store.tokens.accessTokenById(record.accessTokenId);
  if (!pat || pat.revokedAt || (pat.expiresAt && new Date(pat.expiresAt) <= now)) return undefined;
  return { kind: 'user', user, accessToken: pat };
}

/**
 * Whether `token` is, right now, a token for exactly the repository `name` with one of the
 * `accepted` accesses, issued by this index, unexpired, and held by someone who still has the
 * matching right. `name` may name no repository: the answer is then the one a forged signature
 * gets, so a token's refusal never tells whether a repository exists.
 */
export function checkV1Token(
  store: IndexStore,
  token: V1Token | undefined,
  name: string,
  accepted: readonly V1Access[],
  now = new Date(),
): TokenCheck {
  const invalid = (reason: string): TokenCheck => ({ valid: false, reason });
  if (!token) return invalid('malformed token');
  if (normalizeV1Name(token.repository) !== name) return invalid(`token is for ${token.repository}`);
  if (!accepted.includes(token.access)) return invalid(`an access=${token.access} token does not allow this`);
  const record = store.v1.tokenBySignatureHash(hashSecret(token.signature));
  const repo = store.repositories.byName(name);
  // The signature is the secret; repository and access in the header must match what it was
  // issued for, so a client cannot turn a read token into a write token by editing the text.
  if (!record || !repo || record.repositoryId !== repo.id || record.access !== token.access) return invalid('unknown token');
  if (new Date(record.expiresAt) <= now) return invalid('token expired');
  const holder = holderOf(store, record, now);
  if (!holder) return invalid("the token's user or access token is no longer valid");
  if (!may(store, holder, repo.name, rightOf[record.access])) return invalid(`the holder may no longer ${rightOf[record.access]} ${repo.name}`);
  return { valid: true, holder, access: record.access, repo };
}
