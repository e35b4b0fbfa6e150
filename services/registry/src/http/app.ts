// The registry's HTTP application: request context → /v2 dispatcher → v1 (when enabled) →
// not found → error renderer.
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { AccessController } from '../auth/controller.js';
import type { RegistryConfig } from '../config/schema.js';
import type { RegistryStorage } from '../storage/registry-storage.js';
import { v2Dispatcher, type RouteTables } from './dispatch.js';
import { apiVersionHeader } from './handler.js';
import { createServiceMetrics, errorRenderer, mountOperations, requestContext, type Operations } from '@wharf/common';
import { registryReadiness } from './routes/health.js';
import { baseRoutes } from './routes/v2/base.js';
import { blobRoutes } from './routes/v2/blobs.js';
import { catalogRoutes } from './routes/v2/catalog.js';
import { manifestRoutes } from './routes/v2/manifests.js';
import { referrerRoutes } from './routes/v2/referrers.js';
import { tagRoutes } from './routes/v2/tags.js';
import { uploadRoutes } from './routes/v2/uploads.js';
import { RegistryError } from '@wharf/shared';
import { enableV1 } from '../v1/enable.js';
import { createBodyBudget } from './whole-body.js';

export interface AppDependencies {
  config: RegistryConfig;
  storage: RegistryStorage;
  auth: AccessController;
  logger: Logger;
  /** Metrics and health checks (server.ts shares them with the debug listener); built from config if absent. */
  operations?: Operations;
}

/** The registry's metrics and readiness checks as its config asks. */
export function registryOperations(
  config: RegistryConfig,
  { storage, auth, logger }: Pick<AppDependencies, 'storage' | 'auth' | 'logger'>,
  metrics = createServiceMetrics('registry', config.http.metrics),
): Operations {
  return { metrics, checks: registryReadiness(storage, auth), logger, debugAddr: config.http.debug.addr };
}

export function createApp({ config, storage, auth, logger, operations }: AppDependencies): Express {
  const deleteEnabled = config.storage.delete.enabled;
  const uploads = uploadRoutes(storage);
  const bodyBudget = createBodyBudget(config.http.bufferedBodyBytes);
  const tables: RouteTables = {
    base: baseRoutes(),
    catalog: catalogRoutes(storage),
    tags: tagRoutes(storage),
    manifest: manifestRoutes(storage, { deleteEnabled, maxManifestBytes: config.storage.maxManifestBytes, bodyBudget }),
    upload: uploads.start,
    'upload-chunk': uploads.session,
    blob: blobRoutes(storage, { deleteEnabled, redirect: config.storage.redirect.enabled, readOnly: config.storage.readOnly }),
    referrers: referrerRoutes(storage, config.storage.maxManifestBytes),
  };

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  app.use(requestContext(logger, config.log.accessLog));
  mountOperations(app, operations ?? registryOperations(config, { storage, auth, logger }));
  app.use('/v2', v2Dispatcher(tables, auth, { writeRefusal: storage.writeRefusal, readOnly: config.storage.readOnly }));
  enableV1(app, config, { storage, auth, logger, bodyBudget });
  app.use((req, res) => {
    res.set(apiVersionHeader);
    throw new RegistryError('NOT_FOUND', { detail: { path: req.path } });
  });
  app.use(errorRenderer(logger));
  return app;
}
