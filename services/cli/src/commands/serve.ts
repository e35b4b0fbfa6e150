// `wharf serve`: the index and the registry together on embedded defaults (index on
// 127.0.0.1:5001, registry on 127.0.0.1:5000, data under ./data). Unless the registry's auth is
// configured otherwise, the registry runs in token mode trusting this index's published keys,
// so `docker login 127.0.0.1:5000` goes through the index's token server, and the registry
// reports every push and delete to the index, which keeps the checksums.
import { randomBytes } from 'node:crypto';
import { createIndex, serviceUrl, type IndexConfig } from '@wharf/index';
import { createRegistry, notificationEndpointConfig, type RegistryConfig } from '@wharf/registry';
import { durationMs, maxEventBytes } from '@wharf/shared';
import { ConfigError, loadConfig } from '../config/load.js';
import { wharfConfigSchema, type WharfConfig } from '../config/schema.js';
import { onShutdown } from './shutdown.js';
import { startAll } from './start-all.js';

/** Where clients and the registry reach the index: its public URL, else https://<addr> with TLS, http:// without. */
export function indexUrl(config: WharfConfig): string {
  return serviceUrl(config.index.http);
}

/** The index's config as serve runs it: with an events secret (a fresh one if none is set). */
export function servedIndexConfig(config: WharfConfig): IndexConfig {
  const events = config.index.events.secret ? config.index.events : { ...config.index.events, secret: randomBytes(32).toString('base64url') };
  // v1 clients are sent to this registry, unless the config names registries of its own.
  const endpointsSet = config.index.v1.endpoints.join(',') !== indexV1DefaultEndpoints;
  const v1 = endpointsSet ? config.index.v1 : { ...config.index.v1, endpoints: [config.registry.http.addr.replace(/^(0\.0\.0\.0|\[::\]):/, '127.0.0.1:')] };
  // The tag page reads image configs from this registry, unless the config names one.
  const registry = config.registry.http;
  const ui = config.index.ui.registryUrl ? config.index.ui : { ...config.index.ui, registryUrl: `${registry.tls ? 'https' : 'http'}://${registry.addr.replace(/^(0\.0\.0\.0|\[::\]):/, '127.0.0.1:')}` };
  return { ...config.index, events, v1, ui };
}

/** The index's events body limit, which must hold the largest event the registry makes. */
function indexEventBodyBytes(config: WharfConfig, index: IndexConfig): number {
  const largestEvent = maxEventBytes(config.registry.storage.maxManifestBytes);
  if (index.events.maxBodyBytes < largestEvent) {
    throw new ConfigError([
      `config: index.events.maxBodyBytes: must be at least ${largestEvent} (the largest event a manifest of registry.storage.maxManifestBytes makes), or the registry's events cannot reach the index`,
    ]);
  }
  return index.events.maxBodyBytes;
}

const indexV1DefaultEndpoints = '127.0.0.1:5000';

/**
 * The registry's config as serve runs it: token auth against the local index, and its push and
 * delete events sent to the index, unless the config says otherwise.
 */
export function servedRegistryConfig(config: WharfConfig, index: IndexConfig): RegistryConfig {
  const base = indexUrl(config);
  const notifications = config.registry.notifications.endpoints.length
    ? config.registry.notifications
    : {
        endpoints: [
          notificationEndpointConfig({
            name: 'index',
            url: `${base}/events`,
            headers: { Authorization: `Bearer ${index.events.secret}` },
            // The batches are exactly as large as the index accepts.
            maxBatchBytes: indexEventBodyBytes(config, index),
          }),
        ],
      };
  // The registry validates v1 tokens with this index.
  const v1 = { ...config.registry.v1, index: config.registry.v1.index ?? base };
  const proxy = servedProxyConfig(config, index, base);
  const auth = config.registry.auth;
  if (auth.none || auth.htpasswd || auth.token) return { ...config.registry, notifications, v1, proxy };
  return {
    ...config.registry,
    notifications,
    v1,
    proxy,
    auth: {
      token: {
        realm: `${base}/token`,
        service: config.index.token.services[0]!,
        issuer: config.index.token.issuer,
        jwks: `${base}/keys`,
        leeway: '30s',
        jwksMinRefetch: '5s',
      },
    },
  };
}

/**
 * A pull-through registry served beside its index keeps that index's namespaces local: it reads
 * them from this index with the events secret, unless the config names another source.
 */
function servedProxyConfig(config: WharfConfig, index: IndexConfig, base: string): RegistryConfig['proxy'] {
  const proxy = config.registry.proxy;
  if (proxy.upstreams.length === 0 || proxy.localNamespaces) return proxy;
  return { ...proxy, localNamespaces: { url: base, secret: index.events.secret!, ttl: '1m', refresh: '2s' } };
}

export async function runServe(configFile: string | undefined, workers = 1): Promise<number> {
  if (workers !== 1) {
    console.error('wharf: serve runs one process; use `wharf registry --workers N` beside `wharf index` to scale the registry');
    return 2;
  }
  const config = await loadConfig(wharfConfigSchema, { file: configFile });
  const indexConfig = servedIndexConfig(config);
  const index = await createIndex(indexConfig);
  // The index listens before the registry is created: the registry fetches the index's signing
  // keys as it starts, and a token issued before they arrived would be refused for a while.
  await startAll([index]);
  const registry = await createRegistry(servedRegistryConfig(config, indexConfig)).catch(async (err: unknown) => {
    await index.close();
    throw err;
  });
  // Both listen, or neither keeps the process alive: a half-started serve is no serve.
  await startAll([registry]).catch(async (err: unknown) => {
    await index.close();
    throw err;
  });
  // The registry drains first: its last pushes need the index for tokens and events.
  onShutdown(async () => {
    await registry.close({ drain: true });
    await index.close({ drain: true });
  }, durationMs(config.registry.http.drainTimeout) + durationMs(config.index.http.drainTimeout));
  return 0;
}
