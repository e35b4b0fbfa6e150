// Comments on a repository: anyone who can see it reads them, any signed-in user who can see it
// writes one, and a comment is deleted by its author, a repository admin or a site admin.
import type { IndexStore } from '../db/store.js';
import type { Comment } from '../db/repositories.js';
import { IndexError } from '../http/errors.js';
import type { Principal } from '../permissions/grant.js';
import { mayAdminister, visibleRepository } from './access.js';
import { isSiteAdmin, recordChange, type Actor } from './actor.js';

export const maxCommentLength = 5000;

export interface CommentView {
  id: number;
  author: string;
  body: string;
  createdAt: string;
}

const view = (c: Comment): CommentView => ({ id: c.id, author: c.author, body: c.body, createdAt: c.createdAt });

/**
 * Page `page` of n comments counted from the newest (each page oldest first), and how many there
 * are: anyone signed in may comment on a public repository, so its comments are never read whole.
 */
export function listComments(store: IndexStore, principal: Principal, name: string, paging: { n: number; page: number }): { comments: CommentView[]; total: number } {
  const repo = visibleRepository(store, principal, name);
  return { comments: store.repositories.comments(repo.id, paging.n, (paging.page - 1) * paging.n).map(view), total: store.repositories.commentCount(repo.id) };
}

export function addComment(store: IndexStore, actor: Actor, name: string, body: unknown): CommentView {
  if (typeof body !== 'string' || body.trim() === '' || body.length > maxCommentLength) {
    throw new IndexError('INVALID_FIELD', { message: `body must be 1 to ${maxCommentLength} characters`, detail: { field: 'body' } });
  }
  return store.transaction(() => {
    const repo = visibleRepository(store, actor.principal, name);
    const comment = store.repositories.addComment(repo.id, actor.user.id, body);
    recordChange(store, actor, 'comment.create', name, { id: comment.id });
    return view(comment);
  });
}

/** Whether the principal may delete a comment by `author` on the repository: its author, a
 * repository admin or a site admin (the UI asks this to show the button, deleteComment to act). */
export function mayDeleteComment(store: IndexStore, principal: Principal, name: string, author: string): boolean {
  if (principal.kind !== 'user') return false;
  return principal.user.username === author || isSiteAdmin(principal) || mayAdminister(store, principal, name);
}

export function deleteComment(store: IndexStore, actor: Actor, name: string, id: string): void {
  store.transaction(() => {
    const repo = visibleRepository(store, actor.principal, name);
    const comment = /^\d{1,15}$/.test(id) ? store.repositories.comment(Number(id)) : undefined;
    if (!comment || comment.repositoryId !== repo.id) {
      throw new IndexError('NOT_FOUND', { message: `no comment ${id} on ${name}`, detail: { comment: id } });
    }
    if (!mayDeleteComment(store, actor.principal, name, comment.author)) throw new IndexError('DENIED', { message: 'only the author or an admin may delete a comment', detail: { comment: id } });
    store.repositories.deleteComment(comment.id);
    recordChange(store, actor, 'comment.delete', name, { id: comment.id, author: comment.author });
  });
}
