// The JSON API's routers, in the order they are mounted.
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { IndexConfig } from '../../config/schema.js';
import type { IndexStore } from '../../db/store.js';
import { userRoutes } from './users.js';

export interface ApiDependencies {
  config: IndexConfig;
  store: IndexStore;
  logger: Logger;
}

export function apiRouters(deps: ApiDependencies): Router[] {
  return [userRoutes(deps)];
}
