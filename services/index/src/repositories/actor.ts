// Who performs a change through the JSON API, and the audit entry every change writes. The logic
// modules (repositories/, orgs/) take an Actor so the audit record lands in the same transaction
// as the change it describes.
import type { IndexStore } from '../db/store.js';
import type { User } from '../db/users.js';
import { IndexError } from '../http/errors.js';
import type { Principal } from '../permissions/grant.js';

export interface Actor {
  user: User;
  principal: Principal;
  remote: string | null;
}

export function recordChange(store: IndexStore, actor: Actor, action: string, target: string, detail: Record<string, unknown> = {}): void {
  store.audit.record({ actor: actor.user.username, action, target, detail, remote: actor.remote });
}

/** Site-admin powers outside the registry need a password login, not a personal access token. */
export function isSiteAdmin(principal: Principal): boolean {
  return principal.kind === 'user' && principal.user.isAdmin && !principal.user.disabled && !principal.accessToken;
}

/** A user by name, or NOT_FOUND naming the field the name came from. */
export function existingUser(store: IndexStore, username: string): User {
  const user = store.users.byName(username);
  if (!user) throw new IndexError('NOT_FOUND', { message: `no such user: ${username}`, detail: { username } });
  return user;
}

/** One of the allowed string values, or INVALID_FIELD naming the field. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new IndexError('INVALID_FIELD', { message: `${field} must be one of ${allowed.join(', ')}`, detail: { field } });
  }
  return value as T;
}

/** An optional string of at most `max` characters (undefined when absent). */
export function optionalText(value: unknown, max: number, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > max) {
    throw new IndexError('INVALID_FIELD', { message: `${field} must be a string of at most ${max} characters`, detail: { field } });
  }
  return value;
}
