// The JSON API's routers, in the order they are mounted.
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { IndexConfig } from '../../config/schema.js';
import type { IndexStore } from '../../db/store.js';
import { auditRoutes } from './audit.js';
import { orgRoutes } from './orgs.js';
import { repositoryRoutes } from './repositories.js';
import { searchRoutes } from './search.js';
import { upstreamRoutes } from './upstream.js';
import { userRoutes } from './users.js';
import { webhookRoutes } from './webhooks.js';

export interface ApiDependencies {
  config: IndexConfig;
  store: IndexStore;
  logger: Logger;
}

export function apiRouters(deps: ApiDependencies): Router[] {
  return [
    userRoutes(deps),
    orgRoutes(deps),
    // Before the local search and repository routes: it answers only for the upstream's names.
    upstreamRoutes(deps),
    repositoryRoutes(deps),
    searchRoutes(deps),
    auditRoutes(deps),
    webhookRoutes(deps),
  ];
}
