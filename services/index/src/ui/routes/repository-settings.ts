// Repository settings for its admins: description, visibility, collaborators, webhooks with
// their delivery history and redelivery, and deletion (the name typed to confirm). Each action is
// the JSON API's function: updateRepository, setCollaborator, createWebhook, redeliver, delete…
import express, { type Request, type Response, type Router } from 'express';
import { IndexError } from '../../http/errors.js';
import { administeredRepository } from '../../repositories/access.js';
import { listCollaborators, removeCollaborator, setCollaborator } from '../../repositories/collaborators.js';
import { deleteRepository, updateRepository } from '../../repositories/repositories.js';
import { administeredWebhook, createWebhook, deleteWebhook, redeliver } from '../../webhooks/manage.js';
import { contextOf } from '../context.js';
import { formAction, formField, sendPage } from '../respond.js';
import { repoUrl } from '../views/format.js';
import { repositorySettingsPage } from '../views/repository-settings.js';
import type { UiDependencies } from '../router.js';
import { matches, uiRepoPath } from './repo-path.js';
import { uiActor } from './repository.js';

type Action = (req: Request, res: Response, name: string, rest: string[]) => string | undefined;

const field = (req: Request, name: string) => formField(req, name);

export function repositorySettingsRoutes({ config, store, sessions }: UiDependencies): Router {
  const router = express.Router();
  const deliveriesShown = 20;

  router.get('/r/*path', (req, res, next) => {
    const { name, rest } = uiRepoPath(req);
    if (!matches(rest, 'settings')) return next();
    const ctx = contextOf(res);
    const repo = administeredRepository(store, ctx.principal, name);
    const webhooks = store.webhooks.forRepository(repo.id).map((hook) => ({
      webhook: hook,
      deliveries: store.webhooks.deliveries(administeredWebhook(store, ctx.principal, hook.id).webhook.id, deliveriesShown),
    }));
    sendPage(res, repositorySettingsPage(ctx, { repo, collaborators: listCollaborators(store, ctx.principal, name), webhooks }));
  });

  const actions: { pattern: string[]; run: Action }[] = [
    {
      pattern: ['settings', 'description'],
      run: (req, res, name) => (updateRepository(store, uiActor(req, res), name, { description: field(req, 'description') }, config.repositories.maxListedReferences), 'Description saved.'),
    },
    {
      pattern: ['settings', 'visibility'],
      run: (req, res, name) => `Now ${updateRepository(store, uiActor(req, res), name, { visibility: field(req, 'visibility') }, config.repositories.maxListedReferences).visibility}.`,
    },
    {
      pattern: ['settings', 'collaborators'],
      run: (req, res, name) => {
        const username = field(req, 'username').trim();
        setCollaborator(store, uiActor(req, res), name, username, field(req, 'permission'));
        return `${username} may now ${field(req, 'permission')}.`;
      },
    },
    {
      pattern: ['settings', 'collaborators', ':user', 'remove'],
      run: (req, res, name, rest) => (removeCollaborator(store, uiActor(req, res), name, rest[2]!), `${rest[2]} removed.`),
    },
    {
      pattern: ['settings', 'webhooks'],
      run: (req, res, name) => {
        createWebhook(store, uiActor(req, res).principal, { repository: name, url: field(req, 'url') }, config.webhooks.allowPrivateTargets);
        return 'Webhook added.';
      },
    },
    {
      pattern: ['settings', 'webhooks', ':id', 'delete'],
      run: (req, res, _name, rest) => {
        deleteWebhook(store, uiActor(req, res).principal, rest[2]);
        return 'Webhook deleted.';
      },
    },
    {
      pattern: ['settings', 'webhooks', ':id', 'deliveries', ':delivery', 'redeliver'],
      run: (req, res, _name, rest) => `Redelivery #${redeliver(store, uiActor(req, res).principal, rest[2], rest[4], config.webhooks).id} queued.`,
    },
    {
      pattern: ['settings', 'delete'],
      run: (req, res, name) => {
        if (field(req, 'confirm') !== name) throw new IndexError('INVALID_FIELD', { message: `type ${name} to confirm the deletion` });
        deleteRepository(store, uiActor(req, res), name);
        res.locals.redirect = `/n/${name.split('/')[0]}`;
        return `${name} deleted.`;
      },
    },
  ];

  router.post('/r/*path', (req, res, next) => {
    const { name, rest } = uiRepoPath(req);
    const action = actions.find((a) => matches(rest, ...a.pattern));
    if (!action) return next();
    return formAction(sessions, () => `${repoUrl(name)}/-/settings`, (q, s) => action.run(q, s, name, rest))(req, res);
  });

  return router;
}
