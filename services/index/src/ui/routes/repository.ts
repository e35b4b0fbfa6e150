// The repository page, a tag's detail, stars and comments: every read and change through the
// functions the JSON API calls (describeRepository, listComments, star…, addComment…).
import express, { type Request, type Response, type Router } from 'express';
import { IndexError } from '../../http/errors.js';
import type { Actor } from '../../repositories/actor.js';
import { mayAdminister } from '../../repositories/access.js';
import { addComment, deleteComment, listComments, mayDeleteComment } from '../../repositories/comments.js';
import { createRepository, describeManifest, describeRepository } from '../../repositories/repositories.js';
import { starRepository, unstarRepository } from '../../repositories/stars.js';
import { contextOf, signedInUser } from '../context.js';
import { formAction, formField, sendPage } from '../respond.js';
import { pageParam, repoUrl } from '../views/format.js';
import { configDescriptor, repositoryPage, tagPage, type ImageDetail } from '../views/repository.js';
import { newRepositoryPage } from '../views/orgs.js';
import type { UiDependencies } from '../router.js';
import { matches, uiRepoPath } from './repo-path.js';

export function uiActor(req: Request, res: Response): Actor {
  return { user: signedInUser(res), principal: contextOf(res).principal, remote: req.ip ?? null };
}

/** The newest comments a repository's page shows. */
const commentsShown = 50;

export function repositoryRoutes({ config, store, sessions, registryHost, configs }: UiDependencies): Router {
  const router = express.Router();
  const field = (req: Request, name: string) => formField(req, name, true);

  router.get('/new', (req, res) => {
    const user = signedInUser(res);
    const namespaces = [user.username, ...store.namespaces.orgsOf(user.id).map((o) => o.name)];
    sendPage(res, newRepositoryPage(contextOf(res), namespaces, typeof req.query.namespace === 'string' ? req.query.namespace : user.username));
  });
  router.post('/new', formAction(sessions, () => '/new', (req, res) => {
    const input = { name: `${field(req, 'namespace')}/${field(req, 'name')}`, visibility: field(req, 'visibility'), description: field(req, 'description') };
    const repo = createRepository(store, uiActor(req, res), input, config.repositories.defaultVisibility, config.repositories.maxListedReferences);
    res.locals.redirect = repoUrl(repo.name);
    return `${repo.name} created.`;
  }));

  // Called only after describeRepository/describeManifest checked that the caller may pull.
  const readConfig = async (name: string, image: ImageDetail) => {
    const descriptor = configDescriptor(image);
    return descriptor && configs.fetch(name, descriptor.digest, descriptor.size);
  };

  router.get('/r/*path', async (req, res, next) => {
    const ctx = contextOf(res);
    const { name, rest } = uiRepoPath(req);
    if (rest.length === 0) {
      const repo = describeRepository(store, ctx.principal, name, config.repositories.maxListedReferences);
      const listed = listComments(store, ctx.principal, name, { n: commentsShown, page: 1 });
      const comments = listed.comments.map((comment) => ({ comment, deletable: mayDeleteComment(store, ctx.principal, name, comment.author) }));
      return void sendPage(res, repositoryPage(ctx, { repo, comments, commentCount: listed.total, mayAdminister: mayAdminister(store, ctx.principal, name), registryHost, tagPage: pageParam(req.query.page) }));
    }
    if (matches(rest, 'tags', ':tag')) {
      const repo = describeRepository(store, ctx.principal, name, config.repositories.maxListedReferences);
      const tag = repo.tags.find((t) => t.tag === rest[1]);
      if (!tag) throw new IndexError('NOT_FOUND', { message: `${name} has no tag ${rest[1]}` });
      return void sendPage(res, tagPage(ctx, repo, tag, registryHost, await readConfig(name, tag)));
    }
    if (matches(rest, 'manifests', ':digest')) {
      const repo = describeRepository(store, ctx.principal, name, config.repositories.maxListedReferences);
      const manifest = describeManifest(store, ctx.principal, name, rest[1]!);
      return void sendPage(res, tagPage(ctx, repo, manifest, registryHost, await readConfig(name, manifest)));
    }
    next();
  });

  const back = (req: Request) => repoUrl(uiRepoPath(req).name);
  const actions: { pattern: string[]; run: (req: Request, res: Response, name: string, rest: string[]) => string | undefined }[] = [
    { pattern: ['star'], run: (req, res, name) => (starRepository(store, uiActor(req, res), name), 'Starred.') },
    { pattern: ['unstar'], run: (req, res, name) => (unstarRepository(store, uiActor(req, res), name), 'Unstarred.') },
    {
      pattern: ['comments'],
      run: (req, res, name) => (addComment(store, uiActor(req, res), name, formField(req, 'body')), 'Comment posted.'),
    },
    { pattern: ['comments', ':id', 'delete'], run: (req, res, name, rest) => (deleteComment(store, uiActor(req, res), name, rest[1]!), 'Comment deleted.') },
  ];

  router.post('/r/*path', (req, res, next) => {
    const { name, rest } = uiRepoPath(req);
    const action = actions.find((a) => matches(rest, ...a.pattern));
    if (!action) return next();
    return formAction(sessions, back, (q, s) => action.run(q, s, name, rest))(req, res);
  });

  return router;
}
