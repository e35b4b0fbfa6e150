// A repository's collaborators: users given read (pull), write (pull, push) or admin (pull,
// push, delete) on it. Only those who may administer the repository see or change the list.
import type { IndexStore } from '../db/store.js';
import type { RepoPermission } from '../db/repositories.js';
import { IndexError } from '../http/errors.js';
import type { Principal } from '../permissions/grant.js';
import { administeredRepository } from './access.js';
import { existingUser, oneOf, recordChange, type Actor } from './actor.js';

export const repoPermissions: readonly RepoPermission[] = ['read', 'write', 'admin'];

export function listCollaborators(store: IndexStore, principal: Principal, name: string): { username: string; permission: RepoPermission }[] {
  return store.repositories.collaborators(administeredRepository(store, principal, name).id);
}

export function setCollaborator(store: IndexStore, actor: Actor, name: string, username: string, permission: unknown): void {
  const checked = oneOf(permission, repoPermissions, 'permission');
  store.transaction(() => {
    const repo = administeredRepository(store, actor.principal, name);
    const user = existingUser(store, username);
    store.repositories.setCollaborator(repo.id, user.id, checked);
    recordChange(store, actor, 'collaborator.set', name, { username, permission: checked });
  });
}

export function removeCollaborator(store: IndexStore, actor: Actor, name: string, username: string): void {
  store.transaction(() => {
    const repo = administeredRepository(store, actor.principal, name);
    const user = existingUser(store, username);
    if (!store.repositories.removeCollaborator(repo.id, user.id)) {
      throw new IndexError('NOT_FOUND', { message: `${username} is not a collaborator on ${name}`, detail: { username } });
    }
    recordChange(store, actor, 'collaborator.remove', name, { username });
  });
}
