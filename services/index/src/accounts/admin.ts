// What a site admin does to other accounts (the JSON API and the web UI both call these): make
// or unmake admins, disable or enable, delete. Disabling ends the account's refresh tokens, v1
// tokens and browser sessions at once.
import type { IndexStore } from '../db/store.js';
import type { User } from '../db/users.js';
import { IndexError } from '../http/errors.js';
import { existingUser } from '../repositories/actor.js';
import { deleteAccount } from './accounts.js';

export function adminUpdateUser(store: IndexStore, admin: User, username: string, input: { isAdmin?: unknown; disabled?: unknown }, remote: string | null): User {
  const target = existingUser(store, username);
  for (const field of ['isAdmin', 'disabled'] as const) {
    if (input[field] !== undefined && typeof input[field] !== 'boolean') {
      throw new IndexError('INVALID_FIELD', { message: `${field} must be true or false`, detail: { field } });
    }
  }
  const fields = { isAdmin: input.isAdmin as boolean | undefined, disabled: input.disabled as boolean | undefined };
  store.transaction(() => {
    store.users.update(target.id, fields);
    if (fields.disabled === true) {
      store.tokens.revokeRefreshTokens(target.id);
      store.v1.deleteTokensOfUser(target.id);
      store.sessions.deleteForUser(target.id);
    }
    // Only the checked fields: the input is the caller's and may carry anything (a password).
    store.audit.record({ actor: admin.username, action: 'user.update', target: target.username, detail: fields, remote });
  });
  return store.users.byId(target.id)!;
}

export function adminDeleteUser(store: IndexStore, admin: User, username: string, remote: string | null): void {
  const target = existingUser(store, username);
  deleteAccount(store, target);
  store.audit.record({ actor: admin.username, action: 'user.delete', target: target.username, remote });
}
