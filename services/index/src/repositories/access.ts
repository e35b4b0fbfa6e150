// Looking a repository up on behalf of a caller. A repository the caller may not pull is
// NOT_FOUND, exactly like one that does not exist, so private names never leak; the rights
// themselves come from permissions/grant.ts.
import type { IndexStore } from '../db/store.js';
import type { Repository } from '../db/repositories.js';
import { IndexError } from '../http/errors.js';
import { may, type Principal } from '../permissions/grant.js';

function notFound(name: string): IndexError {
  return new IndexError('NOT_FOUND', { message: `no such repository: ${name}`, detail: { repository: name } });
}

/** The repository if it exists and the caller may pull it; NOT_FOUND otherwise. */
export function visibleRepository(store: IndexStore, principal: Principal, name: string): Repository {
  const repo = store.repositories.byName(name);
  if (!repo || !may(store, principal, name, 'pull')) throw notFound(name);
  return repo;
}

/**
 * Administering a repository (settings, deletion, collaborators) takes the delete right. The
 * namespace's owner (user, or organization owner) and site admins hold it through grant.ts, and
 * a personal access token's cap applies here as it does at the registry.
 */
export function mayAdminister(store: IndexStore, principal: Principal, name: string): boolean {
  return may(store, principal, name, 'delete');
}

/** The repository if the caller may administer it: NOT_FOUND when invisible, DENIED when only visible. */
export function administeredRepository(store: IndexStore, principal: Principal, name: string): Repository {
  const repo = visibleRepository(store, principal, name);
  if (!mayAdminister(store, principal, name)) {
    throw new IndexError('DENIED', { message: `you may not administer ${name}`, detail: { repository: name } });
  }
  return repo;
}
