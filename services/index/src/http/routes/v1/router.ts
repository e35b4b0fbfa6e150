// The v1 index API (docs/protocol-v1.md, "Index routes"). app.ts mounts it before the JSON API's
// authentication, which accepts Basic only: v1 callers also present `Authorization: Token …`
// (and registries validate tokens that way). It brings its own body parser and error renderer
// so every v1 answer, errors included, keeps v1's shape. GET /v1/search stays with the JSON
// API's routes (http/routes/search.ts) and only passes through here.
import express, { type Request, type RequestHandler, type Router } from 'express';
import type { Logger } from 'pino';
import type { IndexConfig } from '../../../config/schema.js';
import type { IndexStore } from '../../../db/store.js';
import { bodyErrors } from '../../middleware/body-errors.js';
import { renderV1Errors } from './errors.js';
import { v1RepositoryRoutes, wantsToken } from './repositories.js';
import { v1UserRoutes } from './users.js';

export interface V1Dependencies {
  config: IndexConfig;
  store: IndexStore;
  logger: Logger;
  /** The login rate limits /token and /api use (middleware/rate-limits.ts), shared budgets. */
  passwordLimits: RequestHandler[];
}

/**
 * Which v1 requests the login limits count: those that check a password (Basic), and anonymous
 * requests for a token (each one stores a token). Never token-authenticated ones: registries
 * validate every client request that way, all from one address. Sign-up limits itself.
 */
function countsAsLogin(req: Request): boolean {
  const authorization = req.headers.authorization?.trim() ?? '';
  if (req.method === 'POST' && /^\/users\/?$/.test(req.path)) return false;
  if (/^basic\s/i.test(authorization)) return true;
  return !/^token\b/i.test(authorization) && wantsToken(req);
}

export function v1Routes(deps: V1Dependencies): Router {
  const router = express.Router();
  const limits = deps.passwordLimits.map((limit): RequestHandler => (req, res, next) => (countsAsLogin(req) ? limit(req, res, next) : next()));
  // Any content type: Docker 1.x labels its bodies inconsistently; strict off because the spec's
  // examples send bare JSON strings ("") as bodies.
  router.use('/v1', express.json({ type: () => true, strict: false, limit: '1mb' }), bodyErrors, ...limits);
  // `False`: without the header Docker 1.5 assumes a standalone registry and, over https, sends
  // Basic credentials to the registries too, where they would displace the token.
  router.get('/v1/_ping', (_req, res) => void res.set('X-Docker-Registry-Standalone', 'False').json(true));
  router.use(v1UserRoutes(deps));
  router.use(v1RepositoryRoutes(deps));
  router.use('/v1', renderV1Errors(deps.logger));
  return router;
}
