// The index's HTTP application: request context → token server and keys → JSON API → error
// renderer. Route modules are functions of their dependencies.
import express, { type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import { createServiceMetrics, errorRenderer, mountOperations, requestContext, type Operations } from '@wharf/common';
import type { IndexConfig } from '../config/schema.js';
import type { IndexStore } from '../db/store.js';
import type { SigningKey } from '../tokens/keys.js';
import type { TokenService } from '../tokens/token-service.js';
import { IndexError } from './errors.js';
import { authenticateCaller } from './middleware/authenticate.js';
import { bodyErrors } from './middleware/body-errors.js';
import { requireJsonBody } from './middleware/json-body.js';
import { limitsWhen, loginRateLimits } from './middleware/rate-limits.js';
import { rateLimitCounter } from '../metrics.js';
import { indexReadiness } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { tokenRoutes } from './routes/token.js';

export interface IndexAppDependencies {
  config: IndexConfig;
  store: IndexStore;
  logger: Logger;
  tokens: TokenService;
  signingKeys: () => SigningKey[];
  /** Further routers (JSON API, events, v1) mounted after authentication. */
  apiRouters?: Router[];
  /** Routers whose callers authenticate otherwise (the registry's events, by a shared secret),
   * mounted before the JSON API's Basic authentication, which would refuse their credentials. */
  ownAuthRouters?: Router[];
  /** The v1 index API (http/routes/v1/router.ts), given the login rate limits to share. */
  v1Routes?: (passwordLimits: RequestHandler[]) => Router;
  /** The web UI (ui/router.ts), given the login rate limits to share; it only answers its own paths. */
  uiRoutes?: (passwordLimits: RequestHandler[]) => Router;
  /** Metrics and health checks (server.ts shares them with the debug listener); built from config if absent. */
  operations?: Operations;
}

export function indexOperations(config: IndexConfig, deps: Pick<IndexAppDependencies, 'store' | 'signingKeys' | 'logger'>, metrics = createServiceMetrics('index', config.http.metrics)): Operations {
  return { metrics, checks: indexReadiness(deps.store, deps.signingKeys), logger: deps.logger, debugAddr: config.http.debug.addr };
}

export function createIndexApp(deps: IndexAppDependencies): Express {
  const { config, store, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.http.trustProxy);
  app.set('query parser', 'extended');
  app.use(requestContext(logger, config.log.accessLog));
  const operations = deps.operations ?? indexOperations(config, deps);
  mountOperations(app, operations);
  const limits = loginRateLimits(config.rateLimit, rateLimitCounter(operations.metrics.registry));
  app.use('/token', express.urlencoded({ extended: false, limit: '16kb' }), ...limits);
  app.use(tokenRoutes(deps.tokens));
  app.use(keyRoutes(deps.signingKeys));
  for (const router of deps.ownAuthRouters ?? []) app.use(router);
  // Before the JSON API's body parser and Basic-only authentication: v1 callers also send
  // `Authorization: Token …`, and v1 errors have a shape of their own.
  if (deps.v1Routes) app.use(deps.v1Routes(limits));
  // Before the JSON API's body parser and Basic authentication: the UI reads forms and sessions.
  if (deps.uiRoutes) app.use(deps.uiRoutes(limits));
  app.use(express.json({ limit: '1mb' }), bodyErrors);
  app.use('/api', requireJsonBody);
  // Basic credentials on the JSON API are password checks too: the same limits as /token. So are
  // credentials sent to any other path (authenticateCaller checks them everywhere), or an unknown
  // path would be an unlimited password oracle: 401 for a wrong password, 404 for the right one.
  app.use(...limitsWhen((req) => /^\/api(?:\/|$)/i.test(req.path) || req.headers.authorization !== undefined, limits));
  app.use(authenticateCaller(store));
  for (const router of deps.apiRouters ?? []) app.use(router);
  app.use((req) => {
    throw new IndexError('NOT_FOUND', { message: `no such endpoint: ${req.method} ${req.path}` });
  });
  app.use(errorRenderer(logger));
  return app;
}
