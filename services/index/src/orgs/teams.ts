// Teams: named groups of an organization's members, each holding read, write or admin on some of
// the organization's own repositories (grant.ts turns those into pull, push, delete). Owners
// manage teams; members may look at them.
import type { IndexStore } from '../db/store.js';
import type { Namespace, Team } from '../db/namespaces.js';
import type { RepoPermission } from '../db/repositories.js';
import { IndexError } from '../http/errors.js';
import { namespaceOf, type Principal } from '../permissions/grant.js';
import { existingUser, oneOf, recordChange, type Actor } from '../repositories/actor.js';
import { repoPermissions } from '../repositories/collaborators.js';
import { findOrg, isOrgMember, requireOrgOwner } from './orgs.js';

const teamNameGrammar = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface TeamView {
  name: string;
  createdAt: string;
  members: string[];
  repositories: { repository: string; permission: RepoPermission }[];
}

function teamView(store: IndexStore, team: Team): TeamView {
  return { name: team.name, createdAt: team.createdAt, members: store.namespaces.teamMembers(team.id), repositories: store.repositories.teamPermissions(team.id) };
}

function findTeam(store: IndexStore, org: Namespace, name: string): Team {
  const team = store.namespaces.team(org.id, name);
  if (!team) throw new IndexError('NOT_FOUND', { message: `no team ${name} in ${org.name}`, detail: { team: name } });
  return team;
}

/** The organization and team an owner is about to change. */
function ownedTeam(store: IndexStore, actor: Actor, orgName: string, teamName: string): { org: Namespace; team: Team } {
  const org = findOrg(store, orgName);
  requireOrgOwner(store, actor, org);
  return { org, team: findTeam(store, org, teamName) };
}

export function listTeams(store: IndexStore, principal: Principal, orgName: string): TeamView[] {
  const org = findOrg(store, orgName);
  if (principal.kind !== 'user') throw new IndexError('UNAUTHORIZED', { message: 'sign in first' });
  if (!isOrgMember(store, principal, org)) throw new IndexError('DENIED', { message: `only members of ${orgName} see its teams`, detail: { org: orgName } });
  return store.namespaces.teams(org.id).map((t) => teamView(store, t));
}

export function createTeam(store: IndexStore, actor: Actor, orgName: string, name: unknown): TeamView {
  if (typeof name !== 'string' || !teamNameGrammar.test(name)) {
    throw new IndexError('INVALID_FIELD', { message: 'name must be 1 to 64 lowercase letters, digits, "-" or "_", starting with a letter or digit', detail: { field: 'name' } });
  }
  return store.transaction(() => {
    const org = findOrg(store, orgName);
    requireOrgOwner(store, actor, org);
    if (store.namespaces.team(org.id, name)) throw new IndexError('NAME_TAKEN', { message: `${orgName} already has a team ${name}`, detail: { field: 'name' } });
    const team = store.namespaces.insertTeam(org.id, name);
    recordChange(store, actor, 'team.create', `${orgName}/${name}`);
    return teamView(store, team);
  });
}

export function deleteTeam(store: IndexStore, actor: Actor, orgName: string, teamName: string): void {
  store.transaction(() => {
    const { team } = ownedTeam(store, actor, orgName, teamName);
    store.namespaces.deleteTeam(team.id);
    recordChange(store, actor, 'team.delete', `${orgName}/${teamName}`);
  });
}

export function addTeamMember(store: IndexStore, actor: Actor, orgName: string, teamName: string, username: string): void {
  store.transaction(() => {
    const { org, team } = ownedTeam(store, actor, orgName, teamName);
    const user = existingUser(store, username);
    if (store.namespaces.role(org.id, user.id) === undefined) {
      throw new IndexError('CONFLICT', { message: `${username} must be a member of ${orgName} first`, detail: { username } });
    }
    store.namespaces.addTeamMember(team.id, user.id);
    recordChange(store, actor, 'team.member.add', `${orgName}/${teamName}`, { username });
  });
}

export function removeTeamMember(store: IndexStore, actor: Actor, orgName: string, teamName: string, username: string): void {
  store.transaction(() => {
    const { team } = ownedTeam(store, actor, orgName, teamName);
    const user = existingUser(store, username);
    if (!store.namespaces.removeTeamMember(team.id, user.id)) {
      throw new IndexError('NOT_FOUND', { message: `${username} is not in team ${teamName}`, detail: { username } });
    }
    recordChange(store, actor, 'team.member.remove', `${orgName}/${teamName}`, { username });
  });
}

/** The organization's own repository of that name; a team never reaches outside its organization. */
function orgRepository(store: IndexStore, org: Namespace, name: string) {
  const repo = namespaceOf(name) === org.name ? store.repositories.byName(name) : undefined;
  if (!repo) throw new IndexError('NOT_FOUND', { message: `${org.name} has no repository ${name}`, detail: { repository: name } });
  return repo;
}

export function setTeamPermission(store: IndexStore, actor: Actor, orgName: string, teamName: string, repository: string, permission: unknown): void {
  const checked = oneOf(permission, repoPermissions, 'permission');
  store.transaction(() => {
    const { org, team } = ownedTeam(store, actor, orgName, teamName);
    const repo = orgRepository(store, org, repository);
    store.repositories.setTeamPermission(team.id, repo.id, checked);
    recordChange(store, actor, 'team.permission.set', `${orgName}/${teamName}`, { repository, permission: checked });
  });
}

export function removeTeamPermission(store: IndexStore, actor: Actor, orgName: string, teamName: string, repository: string): void {
  store.transaction(() => {
    const { org, team } = ownedTeam(store, actor, orgName, teamName);
    const repo = orgRepository(store, org, repository);
    if (!store.repositories.removeTeamPermission(team.id, repo.id)) {
      throw new IndexError('NOT_FOUND', { message: `team ${teamName} holds no permission on ${repository}`, detail: { repository } });
    }
    recordChange(store, actor, 'team.permission.remove', `${orgName}/${teamName}`, { repository });
  });
}
