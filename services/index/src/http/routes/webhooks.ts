// Repository webhooks over the JSON API, under /api/webhooks: create, list, delete, the history of
// deliveries and redelivery. The rules live in webhooks/manage.ts; these handlers only translate.
import express, { type Router } from 'express';
import {
  administeredRepository,
  administeredWebhook,
  createWebhook,
  deleteWebhook,
  publicDelivery,
  publicWebhook,
  redeliver,
} from '../../webhooks/manage.js';
import { principalOf, requireUser } from '../middleware/authenticate.js';
import type { ApiDependencies } from './api.js';

export function webhookRoutes({ store, config }: ApiDependencies): Router {
  const router = express.Router();

  router.post('/api/webhooks', (req, res) => {
    requireUser(res);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { webhook, repo } = createWebhook(store, principalOf(res), { repository: body.repository, url: body.url }, config.webhooks.allowPrivateTargets);
    res.status(201).json(publicWebhook(webhook, repo));
  });

  router.get('/api/webhooks', (req, res) => {
    requireUser(res);
    const repo = administeredRepository(store, principalOf(res), req.query.repository);
    res.json({ webhooks: store.webhooks.forRepository(repo.id).map((hook) => publicWebhook(hook, repo)) });
  });

  router.delete('/api/webhooks/:id', (req, res) => {
    requireUser(res);
    deleteWebhook(store, principalOf(res), req.params.id);
    res.status(204).end();
  });

  router.get('/api/webhooks/:id/deliveries', (req, res) => {
    requireUser(res);
    const { webhook } = administeredWebhook(store, principalOf(res), req.params.id);
    const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 500);
    res.json({ deliveries: store.webhooks.deliveries(webhook.id, limit).map(publicDelivery) });
  });

  router.post('/api/webhooks/:id/deliveries/:deliveryId/redeliver', (req, res) => {
    requireUser(res);
    const delivery = redeliver(store, principalOf(res), req.params.id, req.params.deliveryId, config.webhooks);
    res.status(202).json(publicDelivery(delivery));
  });

  return router;
}
