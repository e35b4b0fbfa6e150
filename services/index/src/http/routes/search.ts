// GET /v1/search?q=&n=&page=: repository search in Docker Hub's v1 shape, which `docker search`
// reads. Anonymous callers see public repositories; signed-in ones also the private ones they
// may pull.
import express, { type Router } from 'express';
import { principalOf } from '../middleware/authenticate.js';
import { parseSearchQuery, searchRepositories } from '../../search/search.js';
import type { ApiDependencies } from './api.js';

export function searchRoutes({ store }: ApiDependencies): Router {
  const router = express.Router();
  router.get('/v1/search', (req, res) => {
    const query = parseSearchQuery({ q: req.query.q, n: req.query.n, page: req.query.page });
    res.json(searchRepositories(store, principalOf(res), query));
  });
  return router;
}
