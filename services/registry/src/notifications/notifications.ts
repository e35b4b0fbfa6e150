// Notifications as an optional feature: with endpoints configured, the manifest and tag stores
// are wrapped so that every push and delete reaches each endpoint through its own queue; with
// none, the storage is returned as it was and closing does nothing.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { durationMs, type Event } from '@wharf/shared';
import type { RegistryConfig } from '../config/schema.js';
import type { RegistryStorage } from '../storage/registry-storage.js';
import { Endpoint } from './endpoint.js';
import { NotifyingManifests, NotifyingTags } from './listener.js';

export interface Notifications {
  /** The storage handlers should use: decorated when any endpoint is configured. */
  storage: RegistryStorage;
  endpoints: Endpoint[];
  /** Flushes every endpoint's queue (see Endpoint.close). */
  close(): Promise<void>;
}

/** The URL without credentials, fit for a log line. */
function loggableUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.href;
}

export function enableNotifications(storage: RegistryStorage, config: RegistryConfig, deps: { logger: Logger }): Notifications {
  const endpoints = config.notifications.endpoints.map((e) => {
    // Header values are often secrets, so only their names are logged.
    deps.logger.info({ endpoint: e.name, url: loggableUrl(e.url), headers: Object.keys(e.headers), timeout: e.timeout }, 'notification endpoint configured');
    return new Endpoint(
      { name: e.name, url: e.url, headers: e.headers, timeoutMs: durationMs(e.timeout), threshold: e.threshold, backoffMs: durationMs(e.backoff) },
      deps.logger.child({ endpoint: e.name }),
    );
  });
  if (endpoints.length === 0) return { storage, endpoints, close: async () => {} };

  const port = config.http.addr.slice(config.http.addr.lastIndexOf(':') + 1);
  const listenerDeps = {
    sink: { write: (event: Event) => endpoints.forEach((endpoint) => endpoint.write(event)) },
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
