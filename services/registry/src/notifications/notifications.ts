// Notifications as an optional feature: with endpoints configured, the manifest and tag stores
// are wrapped so that every push and delete is stored in each endpoint's durable queue, and a
// sender per endpoint is started; with none, the storage is returned as it was and closing
// does nothing.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { durationMs, type Event } from '@wharf/shared';
import type { RegistryConfig } from '../config/schema.js';
import { isPathNotFound, type StorageDriver } from '../storage/driver/driver.js';
import { notificationEndpointPath, notificationsRoot } from '../storage/paths.js';
import type { RegistryStorage } from '../storage/registry-storage.js';
import { Endpoint, type QueueTiming } from './endpoint.js';
import { eventFilter } from './filter.js';
import { NotifyingManifests, NotifyingTags } from './listener.js';
import { newProducerId } from './queue.js';

export interface Notifications {
  /** The storage handlers should use: decorated when any endpoint is configured. */
  storage: RegistryStorage;
  /** The enabled endpoints. */
  endpoints: Endpoint[];
  /** Stops the senders; queued events stay stored for the next start. */
  close(): Promise<void>;
}

export interface NotificationDeps {
  logger: Logger;
  /** Queue timings (tests shorten them). */
  timing?: QueueTiming;
}

/** The URL without credentials, fit for a log line. */
function loggableUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}

/** A queue left by an endpoint no longer configured keeps its events; say so once at start. */
async function reportOrphanQueues(driver: StorageDriver, configured: string[], logger: Logger): Promise<void> {
  const known = new Set(configured.map(notificationEndpointPath));
  const dirs = await driver.list(notificationsRoot).catch((err: unknown) => {
    if (isPathNotFound(err)) return [];
    throw err;
  });
  for (const dir of dirs.filter((d) => !known.has(d))) logger.warn({ dir }, 'notification queue of an endpoint no longer configured: its events are kept, not sent');
}

export function enableNotifications(storage: RegistryStorage, config: RegistryConfig, deps: NotificationDeps): Notifications {
  const configured = config.notifications.endpoints;
  const producer = newProducerId();
  const endpoints: Endpoint[] = [];
  for (const e of configured) {
    if (e.disabled) {
      deps.logger.info({ endpoint: e.name }, 'notification endpoint disabled');
      continue;
    }
    // Header values are often secrets, so only their names are logged.
    deps.logger.info({ endpoint: e.name, url: loggableUrl(e.url), headers: Object.keys(e.headers), timeout: e.timeout }, 'notification endpoint configured');
    const options = {
      name: e.name,
      url: e.url,
      headers: e.headers,
      timeoutMs: durationMs(e.timeout),
      threshold: e.threshold,
      backoffMs: durationMs(e.backoff),
      maxBackoffMs: durationMs(e.maxBackoff),
      dropAfterThreshold: e.dropAfterThreshold,
      maxBatchBytes: e.maxBatchBytes,
      maxQueueBytes: e.maxQueueBytes,
      maxDeadLetterBytes: e.maxDeadLetterBytes,
    };
    const logger = deps.logger.child({ endpoint: e.name });
    endpoints.push(new Endpoint(options, { driver: storage.driver, dir: notificationEndpointPath(e.name), producer, accepts: eventFilter(e), logger, timing: deps.timing }));
  }
  if (configured.length) {
    reportOrphanQueues(storage.driver, configured.map((e) => e.name), deps.logger).catch((err: unknown) => deps.logger.warn({ err }, 'could not list the notification queues'));
  }
  if (endpoints.length === 0) return { storage, endpoints, close: async () => {} };
  endpoints.forEach((endpoint) => endpoint.start());

  const port = config.http.addr.slice(config.http.addr.lastIndexOf(':') + 1);
  const listenerDeps = {
    sink: { write: async (event: Event) => void (await Promise.all(endpoints.map((endpoint) => endpoint.write(event)))) },
    source: { addr: `${hostname()}:${port}`, instanceID: randomUUID() },
    logger: deps.logger,
  };
  return {
    storage: {
      ...storage,
      manifests: new NotifyingManifests(storage.manifests, listenerDeps),
      tags: new NotifyingTags(storage.tags, listenerDeps),
    },
    endpoints,
    async close() {
      await Promise.all(endpoints.map((endpoint) => endpoint.close()));
    },
  };
}
