// createRegistry(config, deps) → the registry's app and lifecycle. Importing this starts nothing;
// dependencies (driver, logger, auth) may be passed in, so tests build as many as they like.
import { createServiceMetrics, httpLimits, splitAddr, stopServing, startDebugServer, startHttpServer, type RunningServer, type ServiceMetrics } from '@wharf/common';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import type { Express } from 'express';
import type { AccessController } from './auth/controller.js';
import { createConfiguredController } from './auth/controllers.js';
import { durationMs, type RegistryConfig } from './config/schema.js';
import { createApp, registryOperations } from './http/app.js';
import type { StorageDriver } from './storage/driver/driver.js';
import { createConfiguredDriver } from './storage/driver/drivers.js';
import type { QueueTiming } from './notifications/endpoint.js';
import { registerNotificationMetrics } from './notifications/metrics.js';
import { instrumented } from './storage/driver/instrumented.js';
import { countedUploads } from './storage/upload-metrics.js';
import { enableNotifications } from './notifications/notifications.js';
import { enableProxy } from './proxy/enable.js';
import { purgeUploads } from './storage/purge.js';
import { scheduleGarbageCollection, type GcSchedule } from './storage/gc/schedule.js';
import { createRegistryStorage, type RegistryStorage } from './storage/registry-storage.js';

export interface RegistryDependencies {
  driver?: StorageDriver;
  logger?: Logger;
  auth?: AccessController;
  /** Notification queue timings (tests shorten them). */
  notificationTiming?: QueueTiming;
}

export interface Registry {
  app: Express;
  storage: RegistryStorage;
  logger: Logger;
  /** What /metrics serves (a cluster worker points it at the whole cluster's). */
  metrics: ServiceMetrics;
  /** Listens on config.http.addr (or the given port/host); resolves with the bound address. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Stops at once, or with `drain` lets in-flight requests finish (up to http.drainTimeout) first. */
  close(options?: { drain?: boolean }): Promise<void>;
}

/** Storage whose upload sessions are counted (the driver is timed by instrumented()). */
function measuredStorage(storage: RegistryStorage, config: RegistryConfig, metrics: ServiceMetrics): RegistryStorage {
  return { ...storage, uploads: countedUploads(storage.uploads, metrics.registry, durationMs(config.storage.uploadPurging.age)) };
}

export async function createRegistry(config: RegistryConfig, deps: RegistryDependencies = {}): Promise<Registry> {
  const logger = deps.logger ?? pino({ level: config.log.level, base: { service: 'registry' } });
  const metrics = createServiceMetrics('registry', config.http.metrics);
  const driver = deps.driver ?? (await createConfiguredDriver(config.storage));
  const auth = deps.auth ?? (await createConfiguredController(config.auth, logger, metrics.registry, config.cache.authBytes));
  const measured = measuredStorage(createRegistryStorage(instrumented(driver, metrics.registry), {
    readOnly: config.storage.readOnly,
    maxManifestReferences: config.storage.maxManifestReferences,
    manifestCache: { maxBytes: config.cache.manifestBytes, maxEntries: config.cache.manifestEntries },
  }), config, metrics);
  const notifications = enableNotifications(measured, config, { logger, timing: deps.notificationTiming });
  // Outside the notifications: cache fills reach the index as pushes do.
  const storage = enableProxy(notifications.storage, config, { logger });
  if (metrics.enabled) registerNotificationMetrics(metrics.registry, notifications.endpoints);
  const operations = registryOperations(config, { storage, auth, logger }, metrics);
  const app = createApp({ config, storage, auth, logger, operations });
  let server: RunningServer | undefined;
  let debugServer: RunningServer | undefined;
  let purgeTimer: NodeJS.Timeout | undefined;

  const purging = config.storage.uploadPurging;
  const readOnly = config.storage.readOnly;
  if (readOnly) logger.warn('read-only mode: pushes and deletes are refused; no upload purge or garbage collection runs');
  if (purging.enabled && !readOnly) {
    const run = () =>
      purgeUploads(storage.driver, storage.catalog, durationMs(purging.age))
        .then((removed) => removed.length && logger.info({ removed: removed.length }, 'purged abandoned uploads'))
        .catch((err: unknown) => logger.error({ err }, 'upload purge failed'));
    purgeTimer = setInterval(run, durationMs(purging.interval));
    purgeTimer.unref();
  }
  const gc = config.storage.gc;
  const gcSchedule: GcSchedule | undefined = gc.enabled && !readOnly
    ? scheduleGarbageCollection(storage, durationMs(gc.interval), durationMs(gc.gracePeriod), logger)
    : undefined;

  return {
    app,
    storage,
    logger,
    metrics,
    async listen(port?: number, host?: string) {
      const addr = splitAddr(config.http.addr);
      server = await startHttpServer(app, host ?? addr.host, port ?? addr.port, httpLimits(config.http), config.http.tls, logger);
      debugServer = await startDebugServer(operations).catch(async (err: unknown) => {
        await server?.close();
        throw err;
      });
      const bound = server.address;
      logger.info({ addr: `${bound.address}:${bound.port}`, scheme: server.scheme, storage: driver.name, auth: auth.kind }, 'registry listening');
      return bound;
    },
    async close(options = {}) {
      if (purgeTimer) clearInterval(purgeTimer);
      await Promise.all([stopServing(server, debugServer, logger, options.drain ? durationMs(config.http.drainTimeout) : undefined), gcSchedule?.stop()]);
      // After the server: the last requests' events are stored by now; the senders stop.
      await notifications.close();
      await driver.close?.();
    },
  };
}
