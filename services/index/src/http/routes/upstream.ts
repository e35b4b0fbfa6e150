// The routes that consult the chained upstream index (config upstream): GET /v1/search merged
// with the upstream's, and GET /api/repositories/<name> for a name in no local namespace. Mounted
// before the local search and repository routes, which answer everything else; without an
// upstream this router is empty.
import express, { type Router } from 'express';
import { principalOf } from '../middleware/authenticate.js';
import { namespaceOf } from '../../permissions/grant.js';
import { parseRepositoryPath } from '../../repositories/paths.js';
import { parseSearchQuery } from '../../search/search.js';
import { durationMs, isRepositoryName } from '@wharf/shared';
import { federatedSearch } from '../../upstream/federated-search.js';
import { lookupUpstreamRepository } from '../../upstream/upstream-lookup.js';
import { UpstreamIndex } from '../../upstream/upstream-index.js';
import type { ApiDependencies } from './api.js';

export function upstreamRoutes({ config, store }: ApiDependencies): Router {
  const router = express.Router();
  if (!config.upstream) return router;
  const upstream = new UpstreamIndex({ ...config.upstream, timeoutMs: durationMs(config.upstream.timeout) });
  const rules = { proxiedPull: config.upstream.tokenPolicy };

  router.get('/v1/search', async (req, res) => {
    const query = parseSearchQuery({ q: req.query.q, n: req.query.n, page: req.query.page });
    const page = await federatedSearch(store, principalOf(res), query, upstream);
    if (page.upstream.status === 'unavailable') res.set('Warning', '199 wharf-index "upstream index unavailable: local results only"');
    res.json(page);
  });

  router.get('/api/repositories/*path', async (req, res, next) => {
    const path = parseRepositoryPath(req.params.path as unknown as string[]);
    // Segments arrive URL-decoded: only a well-formed name may become part of an upstream URL
    // (an encoded "/.." would walk to other upstream paths, asked with the upstream account).
    if (path.resource !== 'repository' || !isRepositoryName(path.repository) || store.namespaces.byName(namespaceOf(path.repository)) || store.repositories.byName(path.repository)) {
      next();
      return;
    }
    res.json(await lookupUpstreamRepository(store, principalOf(res), path.repository, upstream, rules));
  });

  return router;
}
