// GET /registry/namespaces: every namespace this index owns, for the chained registry, which
// keeps them local and never asks an upstream for them (registry proxy.localNamespaces). The
// registry authenticates with the events secret it already holds; the list is no business of
// anyone else (it names private organizations too).
import express, { type Router } from 'express';
import { authorizeRegistry } from '../../events/registry-secret.js';
import type { ApiDependencies } from './api.js';

export function registryNamespaceRoutes({ config, store }: ApiDependencies): Router {
  const router = express.Router();
  router.get('/registry/namespaces', (req, res) => {
    authorizeRegistry(config.events.secret, req.headers.authorization);
    res.set('Cache-Control', 'no-store').json({ namespaces: store.namespaces.names() });
  });
  return router;
}
