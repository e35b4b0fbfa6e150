// Organizations: namespaces owned by their members with the owner role. The creator becomes the
// first owner; owners (and site admins) rename and delete; anyone may see that an organization
// exists, only its members (and site admins) see who is in it.
import { usernameProblem } from '../accounts/usernames.js';
import type { IndexStore } from '../db/store.js';
import type { Namespace, OrgRole } from '../db/namespaces.js';
import { IndexError } from '../http/errors.js';
import type { Principal } from '../permissions/grant.js';
import { isSiteAdmin, optionalText, recordChange, type Actor } from '../repositories/actor.js';

export const maxDisplayNameLength = 100;

export interface OrgView {
  name: string;
  displayName: string;
  createdAt: string;
  /** Present for members and site admins only. */
  members?: { username: string; role: OrgRole }[];
}

/** The organization of that name, or NOT_FOUND (a user's namespace is not an organization). */
export function findOrg(store: IndexStore, name: string): Namespace {
  const org = store.namespaces.byName(name);
  if (!org || org.kind !== 'org') throw new IndexError('NOT_FOUND', { message: `no such organization: ${name}`, detail: { org: name } });
  return org;
}

export function isOrgMember(store: IndexStore, principal: Principal, org: Namespace): boolean {
  if (principal.kind !== 'user') return false;
  return isSiteAdmin(principal) || store.namespaces.role(org.id, principal.user.id) !== undefined;
}

/** Whether the principal runs the organization: one of its owners, or a site admin. */
export function isOrgOwner(store: IndexStore, principal: Principal, org: Namespace): boolean {
  if (principal.kind !== 'user') return false;
  return isSiteAdmin(principal) || store.namespaces.role(org.id, principal.user.id) === 'owner';
}

/** Throws DENIED unless the actor owns the organization (or is a site admin). */
export function requireOrgOwner(store: IndexStore, actor: Actor, org: Namespace): void {
  if (isOrgOwner(store, actor.principal, org)) return;
  throw new IndexError('DENIED', { message: `only owners of ${org.name} may do this`, detail: { org: org.name } });
}

export function orgView(store: IndexStore, principal: Principal, org: Namespace): OrgView {
  const view: OrgView = { name: org.name, displayName: org.displayName, createdAt: org.createdAt };
  if (isOrgMember(store, principal, org)) view.members = store.namespaces.members(org.id);
  return view;
}

export function createOrg(store: IndexStore, actor: Actor, input: { name: unknown; displayName?: unknown }): OrgView {
  const name = typeof input.name === 'string' ? input.name : '';
  const problem = usernameProblem(name);
  if (problem) throw new IndexError('INVALID_FIELD', { message: `name ${problem}`, detail: { field: 'name' } });
  const displayName = optionalText(input.displayName, maxDisplayNameLength, 'displayName') ?? '';
  const org = store.transaction(() => {
    // Users and organizations share one namespace space: "alice/app" must mean one thing.
    if (store.users.byName(name) || store.namespaces.byName(name) || store.namespaces.isRetired(name)) {
      throw new IndexError('NAME_TAKEN', { message: `the name ${name} is taken`, detail: { field: 'name' } });
    }
    const created = store.namespaces.insert(name, 'org', null, displayName);
    store.namespaces.setMember(created.id, actor.user.id, 'owner');
    recordChange(store, actor, 'org.create', name, { displayName });
    return created;
  });
  return orgView(store, actor.principal, org);
}

export function describeOrg(store: IndexStore, principal: Principal, name: string): OrgView {
  return orgView(store, principal, findOrg(store, name));
}

export function updateOrg(store: IndexStore, actor: Actor, name: string, input: { displayName?: unknown }): OrgView {
  const displayName = optionalText(input.displayName, maxDisplayNameLength, 'displayName');
  const org = store.transaction(() => {
    const found = findOrg(store, name);
    requireOrgOwner(store, actor, found);
    if (displayName !== undefined) store.namespaces.setDisplayName(found.id, displayName);
    recordChange(store, actor, 'org.update', name, { displayName });
    return store.namespaces.byId(found.id)!;
  });
  return orgView(store, actor.principal, org);
}

/** Deletes the organization with its teams and repositories (the database cascades). */
export function deleteOrg(store: IndexStore, actor: Actor, name: string): void {
  store.transaction(() => {
    const org = findOrg(store, name);
    requireOrgOwner(store, actor, org);
    store.namespaces.delete(org.id);
    recordChange(store, actor, 'org.delete', name);
  });
}
