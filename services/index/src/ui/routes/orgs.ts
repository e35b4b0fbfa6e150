// Organizations in the UI: create one, and on its page (owners only) its display name, members
// and roles, teams with their members and repository permissions, and deletion. Every action
// is the JSON API's function from orgs/.
import express, { type Request, type Response, type Router } from 'express';
import type { Namespace } from '../../db/namespaces.js';
import type { IndexStore } from '../../db/store.js';
import { IndexError } from '../../http/errors.js';
import { removeOrgMember, setOrgMember } from '../../orgs/members.js';
import { createOrg, deleteOrg, describeOrg, isOrgOwner, updateOrg } from '../../orgs/orgs.js';
import { addTeamMember, createTeam, deleteTeam, listTeams, removeTeamMember, removeTeamPermission, setTeamPermission } from '../../orgs/teams.js';
import type { Principal } from '../../permissions/grant.js';
import { contextOf, signedInUser } from '../context.js';
import { formAction, formField, sendPage } from '../respond.js';
import { newOrgPage, type OrgSectionData } from '../views/orgs.js';
import type { UiDependencies } from '../router.js';
import { uiActor } from './repository.js';

const field = (req: Request, name: string) => formField(req, name, true);

/** What the organization's page shows the caller: members and teams to members, forms to owners. */
export function orgSectionData(store: IndexStore, principal: Principal, org: Namespace): OrgSectionData {
  const view = describeOrg(store, principal, org.name);
  if (!view.members) return { org: view, owner: false, teams: [], repositories: [] };
  return {
    org: view,
    owner: isOrgOwner(store, principal, org),
    teams: listTeams(store, principal, org.name),
    repositories: store.repositories.inNamespace(org.id).map((r) => r.name),
  };
}

export function orgRoutes({ store, sessions }: UiDependencies): Router {
  const router = express.Router();
  const param = (req: Request, name: string) => String(req.params[name]);
  const org = (req: Request) => param(req, 'org');
  const back = (req: Request) => `/n/${org(req)}`;
  const act = (fn: (req: Request, res: Response) => string) => formAction(sessions, back, fn);

  router.get('/orgs/new', (_req, res) => {
    // Like /new: a visitor is sent to log in first, not shown a form that can only fail.
    signedInUser(res);
    sendPage(res, newOrgPage(contextOf(res)));
  });
  router.post('/orgs/new', formAction(sessions, () => '/orgs/new', (req, res) => {
    const created = createOrg(store, uiActor(req, res), { name: field(req, 'name'), displayName: field(req, 'displayName') });
    res.locals.redirect = `/n/${created.name}`;
    return `Organization ${created.name} created.`;
  }));

  router.post('/n/:org/-/display-name', act((req, res) => (updateOrg(store, uiActor(req, res), org(req), { displayName: field(req, 'displayName') }), 'Display name saved.')));
  router.post('/n/:org/-/members', act((req, res) => {
    setOrgMember(store, uiActor(req, res), org(req), field(req, 'username'), field(req, 'role'));
    return `${field(req, 'username')} is now ${field(req, 'role') === 'owner' ? 'an owner' : 'a member'}.`;
  }));
  router.post('/n/:org/-/members/:username/remove', act((req, res) => (removeOrgMember(store, uiActor(req, res), org(req), param(req, 'username')), `${param(req, 'username')} removed.`)));
  router.post('/n/:org/-/teams', act((req, res) => `Team ${createTeam(store, uiActor(req, res), org(req), field(req, 'name')).name} created.`));
  router.post('/n/:org/-/teams/:team/delete', act((req, res) => (deleteTeam(store, uiActor(req, res), org(req), param(req, 'team')), `Team ${param(req, 'team')} deleted.`)));
  router.post('/n/:org/-/teams/:team/members', act((req, res) => {
    addTeamMember(store, uiActor(req, res), org(req), param(req, 'team'), field(req, 'username'));
    return `${field(req, 'username')} added to ${param(req, 'team')}.`;
  }));
  router.post('/n/:org/-/teams/:team/members/:username/remove', act((req, res) => {
    removeTeamMember(store, uiActor(req, res), org(req), param(req, 'team'), param(req, 'username'));
    return `${param(req, 'username')} removed from ${param(req, 'team')}.`;
  }));
  router.post('/n/:org/-/teams/:team/repositories', act((req, res) => {
    setTeamPermission(store, uiActor(req, res), org(req), param(req, 'team'), field(req, 'repository'), field(req, 'permission'));
    return `${param(req, 'team')} may now ${field(req, 'permission')} ${field(req, 'repository')}.`;
  }));
  router.post('/n/:org/-/teams/:team/repositories/remove', act((req, res) => {
    removeTeamPermission(store, uiActor(req, res), org(req), param(req, 'team'), field(req, 'repository'));
    return `${param(req, 'team')} no longer has access to ${field(req, 'repository')}.`;
  }));
  router.post('/n/:org/-/delete', act((req, res) => {
    if (field(req, 'confirm') !== org(req)) throw new IndexError('INVALID_FIELD', { message: `type ${org(req)} to confirm the deletion` });
    deleteOrg(store, uiActor(req, res), org(req));
    res.locals.redirect = '/';
    return `${org(req)} deleted.`;
  }));

  return router;
}
