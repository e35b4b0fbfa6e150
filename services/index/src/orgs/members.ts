// Organization membership. An organization always keeps at least one owner: demoting or removing
// the last one is CONFLICT. Leaving an organization also means leaving its teams, since team
// permissions must not outlive membership.
import type { IndexStore } from '../db/store.js';
import type { Namespace, OrgRole } from '../db/namespaces.js';
import type { User } from '../db/users.js';
import { IndexError } from '../http/errors.js';
import { existingUser, oneOf, recordChange, type Actor } from '../repositories/actor.js';
import { findOrg, requireOrgOwner } from './orgs.js';

const roles: readonly OrgRole[] = ['owner', 'member'];

function refuseLosingLastOwner(store: IndexStore, org: Namespace, user: User): void {
  if (store.namespaces.role(org.id, user.id) === 'owner' && store.namespaces.countOwners(org.id) === 1) {
    throw new IndexError('CONFLICT', { message: `${user.username} is the last owner of ${org.name}`, detail: { username: user.username } });
  }
}

export function setOrgMember(store: IndexStore, actor: Actor, orgName: string, username: string, role: unknown): void {
  const checked = oneOf(role, roles, 'role');
  store.transaction(() => {
    const org = findOrg(store, orgName);
    requireOrgOwner(store, actor, org);
    const user = existingUser(store, username);
    if (checked !== 'owner') refuseLosingLastOwner(store, org, user);
    store.namespaces.setMember(org.id, user.id, checked);
    recordChange(store, actor, 'org.member.set', orgName, { username, role: checked });
  });
}

export function removeOrgMember(store: IndexStore, actor: Actor, orgName: string, username: string): void {
  store.transaction(() => {
    const org = findOrg(store, orgName);
    requireOrgOwner(store, actor, org);
    const user = existingUser(store, username);
    if (store.namespaces.role(org.id, user.id) === undefined) {
      throw new IndexError('NOT_FOUND', { message: `${username} is not a member of ${orgName}`, detail: { username } });
    }
    refuseLosingLastOwner(store, org, user);
    for (const team of store.namespaces.teams(org.id)) store.namespaces.removeTeamMember(team.id, user.id);
    store.namespaces.removeMember(org.id, user.id);
    recordChange(store, actor, 'org.member.remove', orgName, { username });
  });
}
