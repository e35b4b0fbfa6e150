// createIndex(config, deps) → the index's app and lifecycle. Importing this starts nothing.
import { createServiceMetrics, httpLimits, splitAddr, stopServing, startDebugServer, startHttpServer, type RunningServer } from '@wharf/common';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { durationMs } from '@wharf/shared';
import type { Express, RequestHandler, Router } from 'express';
import { createAccount } from './accounts/accounts.js';
import type { IndexConfig } from './config/schema.js';
import { openIndexStore, type IndexStore } from './db/store.js';
import { createIndexApp, indexOperations } from './http/app.js';
import { loadSigningKeys, type SigningKey } from './tokens/keys.js';
import { countLogins, CountedTokenService, webhookCounter } from './metrics.js';
import { apiRouters } from './http/routes/api.js';
import { eventRoutes } from './http/routes/events.js';
import { registryNamespaceRoutes } from './http/routes/registry-namespaces.js';
import { v1Routes } from './http/routes/v1/router.js';
import { scheduleRetention } from './retention/prune.js';
import { startWebhookWorker } from './webhooks/deliver.js';
import { loadUiAssets } from './ui/assets.js';
import { uiRouter } from './ui/router.js';

export interface IndexDependencies {
  store?: IndexStore;
  logger?: Logger;
}

export interface Index {
  app: Express;
  store: IndexStore;
  logger: Logger;
  signingKeys: () => SigningKey[];
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Stops at once, or with `drain` lets in-flight requests finish (up to http.drainTimeout) first. */
  close(options?: { drain?: boolean }): Promise<void>;
}


async function ensureInitialAdmin(store: IndexStore, config: IndexConfig, logger: Logger): Promise<void> {
  const admin = config.accounts.initialAdmin;
  if (!admin || store.users.byName(admin.username)) return;
  await createAccount(store, { bcryptCost: config.accounts.bcryptCost }, { ...admin, isAdmin: true });
  logger.info({ username: admin.username }, 'created the initial admin account');
}

export async function createIndex(config: IndexConfig, deps: IndexDependencies = {}): Promise<Index> {
  const logger = deps.logger ?? pino({ level: config.log.level, base: { service: 'index' } });
  const metrics = createServiceMetrics('index', config.http.metrics);
  const store = deps.store ?? openIndexStore(config.database.path);
  const keys = await loadSigningKeys(store, config.token.issuer);
  const signingKeys = () => keys;
  await ensureInitialAdmin(store, config, logger);
  countLogins(store.audit, metrics.registry);
  const tokens = new CountedTokenService(store, config.token, signingKeys, metrics.registry, { proxiedPull: config.upstream?.tokenPolicy });
  const routers: Router[] = apiRouters({ config, store, logger });
  const ownAuthRouters: Router[] = [eventRoutes({ config, store, logger }), registryNamespaceRoutes({ config, store, logger })];
  const v1 = config.v1.enabled ? (passwordLimits: RequestHandler[]) => v1Routes({ config, store, logger, passwordLimits }) : undefined;
  const uiAssets = config.ui.enabled ? await loadUiAssets() : [];
  const ui = config.ui.enabled ? (passwordLimits: RequestHandler[]) => uiRouter({ config, store, passwordLimits, signingKeys }, uiAssets, logger) : undefined;
  const operations = indexOperations(config, { store, signingKeys, logger }, metrics);
  const app = createIndexApp({ config, store, logger, tokens, signingKeys, apiRouters: routers, ownAuthRouters, v1Routes: v1, uiRoutes: ui, operations });
  const webhookWorker = startWebhookWorker(store, config.webhooks, logger, webhookCounter(metrics.registry));
  const retention = scheduleRetention(store.db, config.retention, logger);
  let server: RunningServer | undefined;
  let debugServer: RunningServer | undefined;
  return {
    app,
    store,
    logger,
    signingKeys,
    async listen(port?: number, host?: string) {
      const addr = splitAddr(config.http.addr);
      server = await startHttpServer(app, host ?? addr.host, port ?? addr.port, httpLimits(config.http), config.http.tls, logger);
      debugServer = await startDebugServer(operations).catch(async (err: unknown) => {
        await server?.close();
        throw err;
      });
      logger.info({ addr: `${server.address.address}:${server.address.port}`, scheme: server.scheme }, 'index listening');
      return server.address;
    },
    async close(options = {}) {
      await stopServing(server, debugServer, logger, options.drain ? durationMs(config.http.drainTimeout) : undefined);
      // Before the store closes: the worker records each attempt in it.
      await webhookWorker.stop();
      await retention.stop();
      store.close();
    },
  };
}
