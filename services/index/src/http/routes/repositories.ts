// Repositories over the JSON API.
//
// Routing: names nest ("ns/a/b") and Express 5's path-to-regexp v8 cannot put a slash in a
// :param, so everything under /api/repositories/ reaches one wildcard route, whose segments
// repositories/paths.ts splits into a name and a sub-resource, read from the end:
//
//   POST   /api/repositories                               create {name, visibility, description}
//   GET    /api/repositories/<name>                        the repository with its tags
//   PATCH  /api/repositories/<name>                        {visibility, description}
//   DELETE /api/repositories/<name>
//   GET    /api/repositories/<name>/collaborators
//   PUT    /api/repositories/<name>/collaborators/<user>   {permission: read|write|admin}
//   DELETE /api/repositories/<name>/collaborators/<user>
//   PUT    /api/repositories/<name>/star    DELETE .../star
//   GET    /api/repositories/<name>/comments   POST .../comments {body}   DELETE .../comments/<id>
//   GET    /api/namespaces/<namespace>/repositories        the ones the caller may pull
//
// A known resource asked with another method is UNSUPPORTED (405).
import express, { type Request, type Response, type Router } from 'express';
import type { User } from '../../db/users.js';
import { IndexError } from '../errors.js';
import { principalOf, requireUser } from '../middleware/authenticate.js';
import type { Actor } from '../../repositories/actor.js';
import { listCollaborators, removeCollaborator, setCollaborator } from '../../repositories/collaborators.js';
import { addComment, deleteComment, listComments } from '../../repositories/comments.js';
import { parseRepositoryPath, type RepositoryPath } from '../../repositories/paths.js';
import {
  createRepository,
  deleteRepository,
  describeRepository,
  listNamespaceRepositories,
  updateRepository,
} from '../../repositories/repositories.js';
import { starRepository, unstarRepository } from '../../repositories/stars.js';
import { maxPageSize, parsePaging } from '../../search/search.js';
import type { ApiDependencies } from './api.js';

export function actorOf(req: Request, res: Response, user: User): Actor {
  return { user, principal: principalOf(res), remote: req.ip ?? null };
}

/** The JSON body as an object; anything else (absent, an array, a scalar) reads as no fields. */
export function bodyOf(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

type Handler = (req: Request, res: Response, path: RepositoryPath) => void;

export function repositoryRoutes({ config, store }: ApiDependencies): Router {
  const router = express.Router();
  const signedIn = (req: Request, res: Response) => actorOf(req, res, requireUser(res));
  const arg = (path: RepositoryPath) => path.argument ?? '';

  const handlers: Record<string, Handler> = {
    'GET repository': (_req, res, p) => void res.json(describeRepository(store, principalOf(res), p.repository, config.repositories.maxListedReferences)),
    'PATCH repository': (req, res, p) => void res.json(updateRepository(store, signedIn(req, res), p.repository, bodyOf(req), config.repositories.maxListedReferences)),
    'DELETE repository': (req, res, p) => {
      deleteRepository(store, signedIn(req, res), p.repository);
      res.status(204).end();
    },
    'GET collaborators': (_req, res, p) => void res.json({ collaborators: listCollaborators(store, principalOf(res), p.repository) }),
    'PUT collaborator': (req, res, p) => {
      setCollaborator(store, signedIn(req, res), p.repository, arg(p), bodyOf(req).permission);
      res.status(204).end();
    },
    'DELETE collaborator': (req, res, p) => {
      removeCollaborator(store, signedIn(req, res), p.repository, arg(p));
      res.status(204).end();
    },
    'PUT star': (req, res, p) => {
      starRepository(store, signedIn(req, res), p.repository);
      res.status(204).end();
    },
    'DELETE star': (req, res, p) => {
      unstarRepository(store, signedIn(req, res), p.repository);
      res.status(204).end();
    },
    'GET comments': (req, res, p) => {
      const paging = parsePaging({ n: req.query.n, page: req.query.page }, maxPageSize);
      res.json({ ...listComments(store, principalOf(res), p.repository, paging), page: paging.page, pageSize: paging.n });
    },
    'POST comments': (req, res, p) => void res.status(201).json(addComment(store, signedIn(req, res), p.repository, bodyOf(req).body)),
    'DELETE comment': (req, res, p) => {
      deleteComment(store, signedIn(req, res), p.repository, arg(p));
      res.status(204).end();
    },
  };

  router.post('/api/repositories', (req, res) => {
    const body = bodyOf(req);
    const input = { name: body.name, visibility: body.visibility, description: body.description };
    res.status(201).json(createRepository(store, signedIn(req, res), input, config.repositories.defaultVisibility, config.repositories.maxListedReferences));
  });

  router.all('/api/repositories/*path', (req, res) => {
    const path = parseRepositoryPath(req.params.path as unknown as string[]);
    const handler = handlers[`${req.method === 'HEAD' ? 'GET' : req.method} ${path.resource}`];
    if (!handler) throw new IndexError('UNSUPPORTED', { message: `${req.method} is not supported on this ${path.resource} resource` });
    handler(req, res, path);
  });

  router.get('/api/namespaces/:namespace/repositories', (req, res) => {
    const namespace = String(req.params.namespace);
    const paging = parsePaging({ n: req.query.n, page: req.query.page }, maxPageSize);
    const { repositories, total } = listNamespaceRepositories(store, principalOf(res), namespace, paging);
    res.json({ namespace, repositories, total, page: paging.page, pageSize: paging.n });
  });

  return router;
}
