// Organizations, their members and teams over the JSON API. Every change needs a password
// login (requireAccountOwner), as account settings do: a personal access token's cap speaks of
// images, not of who may run an organization.
//
//   POST /api/orgs {name, displayName}     GET|PATCH|DELETE /api/orgs/<org>
//   PUT|DELETE /api/orgs/<org>/members/<username> {role: owner|member}
//   POST|GET /api/orgs/<org>/teams {name}  DELETE /api/orgs/<org>/teams/<team>
//   PUT|DELETE /api/orgs/<org>/teams/<team>/members/<username>
//   PUT|DELETE /api/orgs/<org>/teams/<team>/repositories/<namespace>/<name...> {permission}
import express, { type Request, type Response, type Router } from 'express';
import { principalOf, requireAccountOwner } from '../middleware/authenticate.js';
import { removeOrgMember, setOrgMember } from '../../orgs/members.js';
import { createOrg, deleteOrg, describeOrg, updateOrg } from '../../orgs/orgs.js';
import {
  addTeamMember,
  createTeam,
  deleteTeam,
  listTeams,
  removeTeamMember,
  removeTeamPermission,
  setTeamPermission,
} from '../../orgs/teams.js';
import type { ApiDependencies } from './api.js';
import { actorOf, bodyOf } from './repositories.js';

export function orgRoutes({ store }: ApiDependencies): Router {
  const router = express.Router();
  const owner = (req: Request, res: Response) => actorOf(req, res, requireAccountOwner(res));
  const done = (res: Response) => void res.status(204).end();
  // Express 5 hands a wildcard parameter over as its segments.
  const repositoryParam = (req: Request) => (req.params.repository as unknown as string[]).filter(Boolean).join('/');

  router.post('/api/orgs', (req, res) => {
    const body = bodyOf(req);
    res.status(201).json(createOrg(store, owner(req, res), { name: body.name, displayName: body.displayName }));
  });
  router.get('/api/orgs/:org', (req, res) => {
    res.json(describeOrg(store, principalOf(res), req.params.org));
  });
  router.patch('/api/orgs/:org', (req, res) => {
    res.json(updateOrg(store, owner(req, res), req.params.org, { displayName: bodyOf(req).displayName }));
  });
  router.delete('/api/orgs/:org', (req, res) => {
    deleteOrg(store, owner(req, res), req.params.org);
    done(res);
  });

  router.put('/api/orgs/:org/members/:username', (req, res) => {
    setOrgMember(store, owner(req, res), req.params.org, req.params.username, bodyOf(req).role);
    done(res);
  });
  router.delete('/api/orgs/:org/members/:username', (req, res) => {
    removeOrgMember(store, owner(req, res), req.params.org, req.params.username);
    done(res);
  });

  router.post('/api/orgs/:org/teams', (req, res) => {
    res.status(201).json(createTeam(store, owner(req, res), req.params.org, bodyOf(req).name));
  });
  router.get('/api/orgs/:org/teams', (req, res) => {
    res.json({ teams: listTeams(store, principalOf(res), req.params.org) });
  });
  router.delete('/api/orgs/:org/teams/:team', (req, res) => {
    deleteTeam(store, owner(req, res), req.params.org, req.params.team);
    done(res);
  });
  router.put('/api/orgs/:org/teams/:team/members/:username', (req, res) => {
    addTeamMember(store, owner(req, res), req.params.org, req.params.team, req.params.username);
    done(res);
  });
  router.delete('/api/orgs/:org/teams/:team/members/:username', (req, res) => {
    removeTeamMember(store, owner(req, res), req.params.org, req.params.team, req.params.username);
    done(res);
  });
  router.put('/api/orgs/:org/teams/:team/repositories/*repository', (req, res) => {
    setTeamPermission(store, owner(req, res), req.params.org, req.params.team, repositoryParam(req), bodyOf(req).permission);
    done(res);
  });
  router.delete('/api/orgs/:org/teams/:team/repositories/*repository', (req, res) => {
    removeTeamPermission(store, owner(req, res), req.params.org, req.params.team, repositoryParam(req));
    done(res);
  });

  return router;
}
