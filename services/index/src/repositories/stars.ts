// Stars: a signed-in user's mark on a repository they can see. Starring twice is one star.
import type { IndexStore } from '../db/store.js';
import { visibleRepository } from './access.js';
import { recordChange, type Actor } from './actor.js';

export function starRepository(store: IndexStore, actor: Actor, name: string): void {
  store.transaction(() => {
    const repo = visibleRepository(store, actor.principal, name);
    store.repositories.star(repo.id, actor.user.id);
    recordChange(store, actor, 'repository.star', name);
  });
}

export function unstarRepository(store: IndexStore, actor: Actor, name: string): void {
  store.transaction(() => {
    const repo = visibleRepository(store, actor.principal, name);
    store.repositories.unstar(repo.id, actor.user.id);
    recordChange(store, actor, 'repository.unstar', name);
  });
}
