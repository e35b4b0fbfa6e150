// createRegistry(config, deps) → the registry's app and lifecycle. Importing this starts nothing;
// dependencies (driver, logger, auth) may be passed in, so tests build as many as they like.
import { splitAddr, startHttpServer, type RunningServer } from '@wharf/common';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import type { Express } from 'express';
import type { AccessController } from './auth/controller.js';
import { createConfiguredController } from './auth/controllers.js';
import { durationMs, type RegistryConfig } from './config/schema.js';
import { createApp } from './http/app.js';
import type { StorageDriver } from './storage/driver/driver.js';
import { createConfiguredDriver } from './storage/driver/drivers.js';
import { enableNotifications } from './notifications/notifications.js';
import { purgeUploads } from './storage/purge.js';
import { scheduleGarbageCollection, type GcSchedule } from './storage/gc/schedule.js';
import { createRegistryStorage, type RegistryStorage } from './storage/registry-storage.js';

export interface RegistryDependencies {
  driver?: StorageDriver;
  logger?: Logger;
  auth?: AccessController;
}

export interface Registry {
  app: Express;
  storage: RegistryStorage;
  logger: Logger;
  /** Listens on config.http.addr (or the given port/host); resolves with the bound address. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

export async function createRegistry(config: RegistryConfig, deps: RegistryDependencies = {}): Promise<Registry> {
  const logger = deps.logger ?? pino({ level: config.log.level, base: { service: 'registry' } });
  const driver = deps.driver ?? (await createConfiguredDriver(config.storage));
  const auth = deps.auth ?? (await createConfiguredController(config.auth, logger));
  const notifications = enableNotifications(createRegistryStorage(driver), config, { logger });
  const storage = notifications.storage;
  const app = createApp({ config, storage, auth, logger });
  let server: RunningServer | undefined;
  let purgeTimer: NodeJS.Timeout | undefined;

  const purging = config.storage.uploadPurging;
  if (purging.enabled) {
    const run = () =>
      purgeUploads(storage.driver, storage.catalog, durationMs(purging.age))
        .then((removed) => removed.length && logger.info({ removed: removed.length }, 'purged abandoned uploads'))
        .catch((err: unknown) => logger.error({ err }, 'upload purge failed'));
    purgeTimer = setInterval(run, durationMs(purging.interval));
    purgeTimer.unref();
  }
  const gc = config.storage.gc;
  const gcSchedule: GcSchedule | undefined = gc.enabled
    ? scheduleGarbageCollection(storage, durationMs(gc.interval), durationMs(gc.gracePeriod), logger)
    : undefined;

  return {
    app,
    storage,
    logger,
    async listen(port?: number, host?: string) {
      const addr = splitAddr(config.http.addr);
      server = await startHttpServer(app, host ?? addr.host, port ?? addr.port, { requestTimeout: durationMs(config.http.requestTimeout) });
      const bound = server.address;
      logger.info({ addr: `${bound.address}:${bound.port}`, storage: driver.name, auth: auth.kind }, 'registry listening');
      return bound;
    },
    async close() {
      if (purgeTimer) clearInterval(purgeTimer);
      await gcSchedule?.stop();
      await server?.close();
      // After the server: the last requests' events are queued by now, and are flushed.
      await notifications.close();
      await driver.close?.();
    },
  };
}
