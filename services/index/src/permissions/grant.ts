// Who may do what (the one place these rules live; the token server, the JSON API, v1 and the UI
// all ask here). A grant is the intersection of what was asked and what is allowed (jwt.md):
// anonymous pulls public repositories; a namespace's owner (user, or organization owner) does
// everything in it; collaborators and teams have read → pull, write → push, admin → delete; site
// admins have everything; a personal access token caps its holder's rights to its permission.
import { isRepositoryName, type AccessRecord } from '@wharf/shared';
import type { IndexStore } from '../db/store.js';
import type { PullableScope, RepoPermission } from '../db/repositories.js';
import type { AccessToken, TokenPermission } from '../db/tokens.js';
import type { User } from '../db/users.js';

export type Principal = { kind: 'anonymous' } | { kind: 'user'; user: User; accessToken?: AccessToken };

export type RepoAction = 'pull' | 'push' | 'delete';

const permissionActions: Record<RepoPermission, RepoAction[]> = {
  read: ['pull'],
  write: ['pull', 'push'],
  admin: ['pull', 'push', 'delete'],
};

const tokenCaps: Record<TokenPermission, RepoAction[]> = {
  read: ['pull'],
  'read-write': ['pull', 'push'],
  'read-write-delete': ['pull', 'push', 'delete'],
};

export const anonymous: Principal = { kind: 'anonymous' };

/**
 * Rules that depend on how the index is set up. `proxiedPull`: with an upstream index chained
 * (config upstream.tokenPolicy), a name in no local namespace is the upstream's, served by the
 * pull-through registry: pulling it is for signed-in users ('authenticated') or for everyone
 * ('anonymous'); nobody pushes or deletes there (the registry refuses those anyway).
 */
export interface GrantRules {
  proxiedPull?: 'authenticated' | 'anonymous' | undefined;
}

export function namespaceOf(repository: string): string {
  return repository.split('/')[0] ?? '';
}

/**
 * The actions a principal may take on a repository (existing or not yet created). A name outside
 * the shared grammar names no repository and gets nothing: its first component is not its
 * namespace (`bobby/../alice/x`).
 */
export function allowedActions(store: IndexStore, principal: Principal, repository: string, rules: GrantRules = {}): Set<RepoAction> {
  const allowed = new Set<RepoAction>();
  if (!isRepositoryName(repository)) return allowed;
  const repo = store.repositories.byName(repository);
  if (repo?.visibility === 'public') allowed.add('pull');
  // A deleted account's or organization's name stays local: its images are still stored here.
  const local = store.namespaces.byName(namespaceOf(repository)) !== undefined || store.namespaces.isRetired(namespaceOf(repository));
  if (rules.proxiedPull && !local) {
    const signedIn = principal.kind === 'user' && !principal.user.disabled;
    if (rules.proxiedPull === 'anonymous' || signedIn) allowed.add('pull');
    return allowed;
  }
  if (principal.kind !== 'user' || principal.user.disabled) return allowed;
  const { user } = principal;
  const grantAll = () => permissionActions.admin.forEach((a) => allowed.add(a));
  if (user.isAdmin) grantAll();
  const namespace = store.namespaces.byName(namespaceOf(repository));
  if (namespace?.kind === 'user' && namespace.ownerUserId === user.id) grantAll();
  if (namespace?.kind === 'org' && store.namespaces.role(namespace.id, user.id) === 'owner') grantAll();
  if (repo) {
    const held = [store.repositories.collaborator(repo.id, user.id), ...store.repositories.teamPermissionsOf(repo.id, user.id)];
    for (const permission of held) if (permission) permissionActions[permission].forEach((a) => allowed.add(a));
  }
  if (principal.accessToken) {
    const cap = tokenCaps[principal.accessToken.permission];
    for (const action of [...allowed]) if (!cap.includes(action)) allowed.delete(action);
  }
  return allowed;
}

export function may(store: IndexStore, principal: Principal, repository: string, action: RepoAction): boolean {
  return allowedActions(store, principal, repository).has(action);
}

/** What a token may carry: for each asked record, the asked actions that are allowed. */
export function grantAccess(store: IndexStore, principal: Principal, asked: AccessRecord[], rules: GrantRules = {}): AccessRecord[] {
  const granted: AccessRecord[] = [];
  for (const record of asked) {
    let actions: string[] = [];
    if (record.type === 'repository') {
      const allowed = allowedActions(store, principal, record.name, rules);
      actions = record.actions.filter((a) => allowed.has(a as RepoAction));
      // "*" (skopeo delete asks for it) means every action: granted whole when all are allowed,
      // otherwise as the allowed actions it stands for.
      if (record.actions.includes('*')) {
        const all = permissionActions.admin;
        actions = all.every((a) => allowed.has(a)) ? ['*'] : [...new Set([...actions, ...all.filter((a) => allowed.has(a))])];
      }
    } else if (record.type === 'registry' && record.name === 'catalog') {
      const admin = principal.kind === 'user' && principal.user.isAdmin && !principal.user.disabled && !principal.accessToken;
      actions = admin ? record.actions.filter((a) => a === '*') : [];
    }
    if (actions.length) granted.push({ type: record.type, name: record.name, actions });
  }
  return granted;
}

/**
 * Which repositories the principal may pull, as data a query filters by (search, listings; db/
 * repositories.ts: pullableClause). The same rules as allowedActions: every permission and every
 * access-token cap includes pull.
 */
export function pullScope(store: IndexStore, principal: Principal): PullableScope {
  if (principal.kind !== 'user' || principal.user.disabled) return { all: false, namespaces: [], repositoryIds: [] };
  const { user } = principal;
  if (user.isAdmin) return { all: true };
  const ownedNamespaces = [user.username, ...store.namespaces.orgsOf(user.id).filter((o) => o.role === 'owner').map((o) => o.name)];
  return { all: false, namespaces: ownedNamespaces, repositoryIds: [...store.repositories.repositoryIdsWithPermission(user.id)] };
}
