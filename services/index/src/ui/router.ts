// The web UI, served by the index at `/`: security headers, the session and CSRF checks, then
// the page routers, then an HTML error page. Requests for other paths (the JSON API, v1, v2,
// the token server) pass through untouched.
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { durationMs } from '@wharf/shared';
import type { IndexConfig } from '../config/schema.js';
import type { IndexStore } from '../db/store.js';
import { ConfigFetcher } from '../images/config-fetcher.js';
import type { SigningKey } from '../tokens/keys.js';
import { selfPullToken } from '../tokens/self-token.js';
import { IndexError } from '../http/errors.js';
import { bodyErrors } from '../http/middleware/body-errors.js';
import { anonymous } from '../permissions/grant.js';
import { assetRoutes, type UiAsset } from './assets.js';
import type { Notice, UiContext } from './context.js';
import { checkCsrf, csrfToken } from './csrf.js';
import { uiErrorRenderer } from './errors.js';
import { securityHeaders } from './security-headers.js';
import { Sessions } from './session.js';
import { accountRoutes } from './routes/account.js';
import { adminRoutes } from './routes/admin.js';
import { browseRoutes } from './routes/browse.js';
import { orgRoutes } from './routes/orgs.js';
import { repositoryRoutes } from './routes/repository.js';
import { repositorySettingsRoutes } from './routes/repository-settings.js';

export interface UiDependencies {
  config: IndexConfig;
  store: IndexStore;
  sessions: Sessions;
  /** host[:port] of the registry, for pull commands. */
  registryHost: string;
  /** The login rate limits the token server and the API use. */
  passwordLimits: RequestHandler[];
  /** The index's token signing keys (it signs its own pull tokens for reading image configs). */
  signingKeys: () => SigningKey[];
  /** Image configs read from the registry for the tag page. */
  configs: ConfigFetcher;
}

/** Image configs are small JSON documents; anything larger is refused. */
const configMaxBytes = 1024 * 1024;
const configCacheEntries = 256;

const uiPaths = /^\/(?:$|search$|login$|signup$|logout$|new$|settings(?:\/|$)|orgs\/|n\/|r\/|admin(?:\/|$)|static\/)/;

function readNotice(raw: string | undefined): Notice | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as Notice;
    if (parsed.kind !== 'ok' && parsed.kind !== 'error') return undefined;
    const form = parsed.form as Partial<Notice['form']> | undefined;
    const wellFormed = typeof form?.action === 'string' && typeof form.fields === 'object' && form.fields !== null && Object.values(form.fields).every((v) => typeof v === 'string');
    if (!wellFormed) delete parsed.form;
    return parsed;
  } catch {
    return undefined;
  }
}

function context(sessions: Sessions, publicUrl: string | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const session = sessions.find(req);
    const ui: UiContext = {
      principal: session ? { kind: 'user', user: session.user } : anonymous,
      csrf: csrfToken(req, res, session, publicUrl),
      here: req.originalUrl,
    };
    if (session) ui.session = session;
    if (req.method === 'POST') checkCsrf(req, session, publicUrl);
    else if (session) {
      const notice = readNotice(sessions.takeNotice(session));
      if (notice) ui.notice = notice;
    }
    res.locals.ui = ui;
    // The shared logic reads the caller from here, as it does for the JSON API.
    res.locals.principal = ui.principal;
    if (session) res.locals.user = session.user.username;
    next();
  };
}

export function uiRouter(deps: Omit<UiDependencies, 'sessions' | 'registryHost' | 'configs'>, assets: UiAsset[], logger: Logger): Router {
  const { config, store } = deps;
  const sessions = new Sessions(store, durationMs(config.ui.sessionTtl), config.http.publicUrl);
  const registryHost = config.ui.registryHost ?? config.v1.endpoints[0]!;
  const configs = new ConfigFetcher({
    registryUrl: config.ui.registryUrl ?? `http://${registryHost}`,
    pullToken: (repository) => selfPullToken(deps.signingKeys, config.token, repository),
    timeoutMs: durationMs(config.ui.configTimeout),
    maxBytes: configMaxBytes,
    cacheEntries: configCacheEntries,
    cacheBytes: config.ui.configCacheBytes,
  });
  const full: UiDependencies = { ...deps, sessions, registryHost, configs };
  const router = express.Router();
  router.use((req, _res, next) => next(uiPaths.test(req.path) ? undefined : 'router'));
  router.use(assetRoutes(assets));
  router.use(securityHeaders);
  router.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 50 }), bodyErrors);
  router.use(context(sessions, config.http.publicUrl));
  for (const routes of [browseRoutes, accountRoutes, repositoryRoutes, repositorySettingsRoutes, orgRoutes, adminRoutes]) router.use(routes(full));
  router.use((req) => {
    throw new IndexError('NOT_FOUND', { message: `there is no page at ${req.path}` });
  });
  router.use(uiErrorRenderer(logger));
  return router;
}
