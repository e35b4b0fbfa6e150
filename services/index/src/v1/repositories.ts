// The v1 index's repository calls (docs/protocol-v1.md, "Index routes"): starting a push (creating
// the repository if the caller may), listing and recording images, and the two-step delete.
// Rights come from grant.ts, exactly as for the v2 token server; tokens from tokens.ts.
//
// The delete flow (spec, "Delete"; the seed's scenario C) is told apart by a pending-delete row:
//   1. DELETE …/<r>/ (Basic, delete right): marks <r> pending for `v1.tokenTtl` and answers
//      202 with an access=delete token; the repository stays fully usable meanwhile.
//   2. The registry presents that token at PUT …/<r>/auth before deleting: the index answers
//      200 "OK" and marks the pending delete authorized.
//   3. DELETE …/<r>/ again: with an authorized, unexpired pending delete the index removes every
//      record of <r> and answers 200. Without one (the registry was never told, or too long
//      ago) it starts over at step 1 — so a retried first step never removes records by itself.
import { durationMs, type V1Access } from '@wharf/shared';
import type { IndexConfig } from '../config/schema.js';
import type { IndexStore } from '../db/store.js';
import type { Repository } from '../db/repositories.js';
import { IndexError } from '../http/errors.js';
import { anonymous, may, namespaceOf, type Principal, type RepoAction } from '../permissions/grant.js';
import { createRepository, deleteRepository } from '../repositories/repositories.js';
import { loginRequired, tokenChallenge, type UserPrincipal, type V1Caller } from './callers.js';
import { listedImages, parseImageList } from './images.js';
import { checkV1Token, issueV1Token } from './tokens.js';

export interface V1Context {
  store: IndexStore;
  config: IndexConfig;
  remote: string | null;
}

export type DeleteOutcome = { stage: 'accepted'; token: string } | { stage: 'deleted' };

const accessFor: Record<RepoAction, V1Access> = { pull: 'read', push: 'write', delete: 'delete' };

function noSuchRepository(name: string): IndexError {
  return new IndexError('NOT_FOUND', { message: `no such repository: ${name}`, detail: { repository: name } });
}

function actorName(principal: Principal): string | null {
  return principal.kind === 'user' ? principal.user.username : null;
}

function denied(ctx: V1Context, principal: Principal, name: string, action: RepoAction): IndexError {
  ctx.store.audit.record({ actor: actorName(principal), action: 'v1.token', outcome: 'denied', target: name, detail: { access: accessFor[action] }, remote: ctx.remote });
  return principal.kind === 'anonymous' ? loginRequired() : new IndexError('DENIED', { message: `you may not ${action} ${name}`, detail: { repository: name } });
}

function issue(ctx: V1Context, holder: Principal, repo: Repository, access: V1Access, now = new Date()): string {
  const token = issueV1Token(ctx.store, holder, repo, access, durationMs(ctx.config.v1.tokenTtl), now);
  ctx.store.audit.record({ actor: actorName(holder), action: 'v1.token', target: repo.name, detail: { access }, remote: ctx.remote });
  return token;
}

/**
 * Who may take `action` on an existing repository: a Basic user or anonymous caller by grant.ts,
 * a token holder by a valid token of one of `accesses` (401 when it is not, as the registry's
 * validation contract expects). A repository the caller may not pull answers exactly as a
 * missing one (404, or for a token the 401 of a forged one), as the JSON API does
 * (repositories/access.ts), so the answers never tell whether a private name exists.
 */
function authorize(ctx: V1Context, caller: V1Caller, name: string, action: RepoAction, accesses: readonly V1Access[]): { repo: Repository; holder: Principal } {
  if (caller.kind === 'token') {
    const check = checkV1Token(ctx.store, caller.token, name, accesses);
    if (check.valid) return { repo: check.repo, holder: check.holder };
    ctx.store.audit.record({ action: 'v1.token.check', outcome: 'denied', target: name, detail: { reason: check.reason }, remote: ctx.remote });
    throw new IndexError('UNAUTHORIZED', { message: `invalid token: ${check.reason}`, headers: tokenChallenge });
  }
  const principal = caller.kind === 'password' ? caller.principal : anonymous;
  const repo = ctx.store.repositories.byName(name);
  if (!repo || !may(ctx.store, principal, name, 'pull')) throw noSuchRepository(name);
  if (!may(ctx.store, principal, name, action)) throw denied(ctx, principal, name, action);
  return { repo, holder: principal };
}

/**
 * One-segment names live in `library`, a reserved name no account or organization can take, so
 * its namespace is created on the first push there: as an organization without members, where
 * grant.ts lets only site admins push (the spec: "only available to docker admins").
 */
function ensureLibraryNamespace(ctx: V1Context, name: string, principal: UserPrincipal): void {
  if (namespaceOf(name) !== 'library' || ctx.store.namespaces.byName('library')) return;
  ctx.store.namespaces.insert('library', 'org', null, 'Official images');
  ctx.store.audit.record({ actor: principal.user.username, action: 'org.create', target: 'library', detail: { by: 'v1' }, remote: ctx.remote });
}

/** PUT …/<r>/: the push starts; answers the write token. */
export function startPush(ctx: V1Context, principal: UserPrincipal, name: string, body: unknown): string {
  const { store } = ctx;
  if (!may(store, principal, name, 'push')) throw denied(ctx, principal, name, 'push');
  const images = parseImageList(body);
  return store.transaction(() => {
    let repo = store.repositories.byName(name);
    if (!repo) {
      ensureLibraryNamespace(ctx, name, principal);
      createRepository(store, { user: principal.user, principal, remote: ctx.remote }, { name }, ctx.config.repositories.defaultVisibility, ctx.config.repositories.maxListedReferences);
      repo = store.repositories.byName(name)!;
    }
    // The spec's "initialized" state: ids known, checksums still empty until the push ends.
    store.v1.recordImages(repo.id, images);
    return issue(ctx, principal, repo, 'write');
  });
}

/**
 * GET …/<r>/images: the image list, with a read token when asked (X-Docker-Token: true). Called
 * with `Authorization: Token …` it is the registry's validation call: 200 only for a valid read
 * or write token of exactly <r>, and it never issues another token.
 */
export function listImages(ctx: V1Context, caller: V1Caller, name: string, wantsToken: boolean): { images: ReturnType<typeof listedImages>; token?: string } {
  const { repo, holder } = authorize(ctx, caller, name, 'pull', ['read', 'write']);
  const images = listedImages(ctx.store, repo);
  return wantsToken && caller.kind !== 'token' ? { images, token: issue(ctx, holder, repo, 'read') } : { images };
}

/** PUT …/<r>/images: the push ends; records the checksums it carries (Docker 1.5 sends none). */
export function recordImages(ctx: V1Context, caller: V1Caller, name: string, body: unknown): void {
  const { store } = ctx;
  const { repo, holder } = authorize(ctx, caller, name, 'push', ['write']);
  const images = parseImageList(body);
  store.transaction(() => {
    store.v1.recordImages(repo.id, images);
    store.repositories.touch(repo.id);
    store.audit.record({ actor: actorName(holder), action: 'push', target: repo.name, detail: { via: 'v1', images: images.length, checksums: images.filter((i) => i.checksum).length }, remote: ctx.remote });
  });
}

/** DELETE …/<r>/: step 1 or step 3 of the delete flow (see the header). */
export function deleteV1Repository(ctx: V1Context, caller: V1Caller, name: string, now = new Date()): DeleteOutcome {
  const { store } = ctx;
  if (caller.kind === 'anonymous') throw loginRequired();
  const { repo, holder } = authorize(ctx, caller, name, 'delete', ['delete']);
  // Only users ever hold the delete right (grant.ts), so this is a guard for the types.
  if (holder.kind !== 'user') throw loginRequired();
  const pending = store.v1.pendingDelete(repo.id);
  if (pending?.authorizedAt && new Date(pending.expiresAt) > now) {
    // Removes the repository; its v1 tokens, images and pending delete go with it (cascade).
    deleteRepository(store, { user: holder.user, principal: holder, remote: ctx.remote }, name);
    return { stage: 'deleted' };
  }
  return store.transaction(() => {
    store.v1.markPendingDelete(repo.id, holder.user.id, new Date(now.getTime() + durationMs(ctx.config.v1.tokenTtl)).toISOString());
    store.audit.record({ actor: holder.user.username, action: 'repository.delete.request', target: repo.name, detail: { via: 'v1' }, remote: ctx.remote });
    return { stage: 'accepted', token: issue(ctx, holder, repo, 'delete', now) };
  });
}

/**
 * PUT …/<r>/auth: a registry checks a delete token before deleting (step 2). 403 when invalid,
 * a missing repository included (no token is valid for it), so the answer does not tell it apart.
 */
export function authorizeDelete(ctx: V1Context, caller: V1Caller, name: string): void {
  const { store } = ctx;
  const check = caller.kind === 'token' ? checkV1Token(store, caller.token, name, ['delete']) : ({ valid: false, reason: 'no token' } as const);
  if (!check.valid) {
    store.audit.record({ action: 'v1.token.check', outcome: 'denied', target: name, detail: { reason: check.reason, access: 'delete' }, remote: ctx.remote });
    throw new IndexError('DENIED', { message: `not a valid delete token for ${name}: ${check.reason}` });
  }
  store.v1.markDeleteAuthorized(check.repo.id);
  store.audit.record({ actor: actorName(check.holder), action: 'repository.delete.authorize', target: name, detail: { via: 'v1' }, remote: ctx.remote });
}
