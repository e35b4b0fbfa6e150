// The legacy v1 registry API as an optional feature: the app calls enableV1
// unconditionally, and it mounts nothing when v1 is disabled. With `v1.index` tokens are checked
// against that index; without it the registry is standalone for v1 and its own auth decides —
// which works for `none` and `htpasswd` only, since image routes name no repository a token
// controller could scope a grant to. v1 answers are rendered by the v1 renderer, never as v2.
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { AccessController } from '../auth/controller.js';
import { durationMs, type RegistryConfig } from '../config/schema.js';
import type { RegistryStorage } from '../storage/registry-storage.js';
import type { V1Authorizer } from './auth/authorizer.js';
import { imageAccess } from './auth/image-access.js';
import { createIndexClient } from './auth/index-client.js';
import { indexAuthorizer } from './auth/index-validator.js';
import { standaloneAuthorizer, standaloneControllerKinds } from './auth/standalone.js';
import { v1ErrorRenderer } from './errors.js';
import { v1Dispatcher } from './http/dispatch.js';
import type { V1RouteTables } from './http/handler.js';
import { imageAncestryRoutes, imageChecksumRoutes, imageJsonRoutes, imageLayerRoutes } from './http/routes/images.js';
import { pingRoutes } from './http/routes/ping.js';
import { repositoryRoutes, tagRoutes, tagsRoutes } from './http/routes/repositories.js';
import type { V1Deps } from './deps.js';
import { createV1Storage } from './storage/v1-storage.js';
import type { ByteBudget } from '@wharf/shared';

export interface V1Dependencies {
  /** The registry's storage as the v2 routes use it (decorated for notifications). */
  storage: RegistryStorage;
  auth: AccessController;
  logger: Logger;
  /** The process's budget of request bodies read whole (shared with the v2 manifest PUT). */
  bodyBudget: ByteBudget;
  /** The clock of the token cache. */
  now?: () => number;
}

function createAuthorizer(config: RegistryConfig['v1'], deps: V1Dependencies): V1Authorizer | undefined {
  if (config.index) {
    const client = createIndexClient({
      url: config.index,
      cacheTtlMs: durationMs(config.tokenCacheTtl),
      logger: deps.logger,
      ...(deps.now ? { now: deps.now } : {}),
    });
    return indexAuthorizer(client);
  }
  if (standaloneControllerKinds.includes(deps.auth.kind)) return standaloneAuthorizer(deps.auth);
  return undefined;
}

function routeTables(deps: V1Deps, authorizer: V1Authorizer, deleteEnabled: boolean): V1RouteTables {
  return {
    ping: pingRoutes(authorizer.standalone),
    'image-json': imageJsonRoutes(deps),
    'image-layer': imageLayerRoutes(deps),
    'image-checksum': imageChecksumRoutes(deps),
    'image-ancestry': imageAncestryRoutes(deps),
    tags: tagsRoutes(deps),
    tag: tagRoutes(deps, { deleteEnabled }),
    repository: repositoryRoutes(deps, { deleteEnabled }),
  };
}

/** Mounts /v1/… and /_ping on `app` when v1 is enabled; returns whether it did. */
export function enableV1(app: Express, config: RegistryConfig, deps: V1Dependencies): boolean {
  if (!config.v1.enabled) return false;
  const authorizer = createAuthorizer(config.v1, deps);
  if (!authorizer) {
    deps.logger.warn(
      { auth: deps.auth.kind },
      'v1 API not served: without v1.index it uses the registry auth, which must be none or htpasswd',
    );
    return false;
  }
  const { maxLayerExpansion, layerExpansionAllowance, maxLayerUncompressedBytes, layerDigestTimeout } = config.v1;
  const storage = createV1Storage(deps.storage, {
    maxExpansion: maxLayerExpansion,
    expansionAllowance: layerExpansionAllowance,
    maxUncompressedBytes: maxLayerUncompressedBytes,
    timeoutMs: durationMs(layerDigestTimeout),
  });
  const v1Deps: V1Deps = {
    storage,
    access: imageAccess(storage.images, storage.membership, authorizer.isPublic, config.v1.maxPublicHolders),
    bodyBudget: deps.bodyBudget,
  };
  const router = express.Router();
  router.use(v1Dispatcher(routeTables(v1Deps, authorizer, config.storage.delete.enabled), authorizer, config.storage.readOnly));
  router.use(v1ErrorRenderer(deps.logger));
  app.use(['/v1', '/_ping'], router);
  const index = config.v1.index ? new URL(config.v1.index).host : undefined;
  deps.logger.info({ mode: authorizer.standalone ? 'standalone' : 'index', index }, 'v1 API enabled');
  return true;
}
