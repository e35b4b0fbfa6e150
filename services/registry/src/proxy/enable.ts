// The pull-through cache as an optional feature (README, "Chained private index / pull-through
// cache"): with upstreams configured the blob, upload, manifest and tag stores and the referrers
// listing are wrapped by the proxy decorators; with none the storage is returned as it was.
// Handlers know nothing of it.
import type { Logger } from 'pino';
import { durationMs } from '@wharf/shared';
import type { RegistryConfig } from '../config/schema.js';
import type { RegistryStorage } from '../storage/registry-storage.js';
import { IndexNamespaces } from './local-namespaces.js';
import { ProxyBlobs } from './proxy-blobs.js';
import { ProxyManifests } from './proxy-manifests.js';
import { ProxyReferrers } from './proxy-referrers.js';
import { ProxyTags } from './proxy-tags.js';
import { LocalOnlyUploads } from './proxy-uploads.js';
import { refuseWrite } from './refusal.js';
import { UpstreamRouter } from './routing.js';
import { UpstreamClient } from './upstream/client.js';

export function enableProxy(storage: RegistryStorage, config: RegistryConfig, deps: { logger: Logger }): RegistryStorage {
  const { upstreams, localNamespaces } = config.proxy;
  if (upstreams.length === 0) return storage;
  const logger = deps.logger.child({ component: 'proxy' });
  const local = localNamespaces
    ? new IndexNamespaces(
        { url: localNamespaces.url, secret: localNamespaces.secret, ttlMs: durationMs(localNamespaces.ttl), refreshMs: durationMs(localNamespaces.refresh) },
        logger,
      )
    : undefined;
  const router = new UpstreamRouter(
    upstreams.map((u) => ({
      client: new UpstreamClient({ name: u.name, url: u.url, username: u.username, password: u.password, token: u.token, timeoutMs: durationMs(u.timeout) }),
      prefixes: u.prefixes,
      stripPrefix: u.stripPrefix,
      tagTtlMs: durationMs(u.tagTtl),
    })),
    local,
  );
  for (const u of upstreams) logger.info({ upstream: u.name, url: u.url, prefixes: u.prefixes, credentials: u.username ? 'basic' : u.token ? 'token' : 'anonymous' }, 'pull-through upstream configured');
  if (!local && upstreams.some((u) => u.prefixes.includes('*'))) {
    logger.warn("an upstream serves '*' but proxy.localNamespaces is not set: every name without a more specific route is asked upstream (set localNamespaces to keep the index's namespaces local)");
  }
  return {
    ...storage,
    blobs: new ProxyBlobs(storage.driver, storage.uploads, router, logger),
    uploads: new LocalOnlyUploads(storage.uploads, router),
    manifests: new ProxyManifests(storage.manifests, router, logger, config.storage.maxManifestBytes),
    tags: new ProxyTags(storage.tags, router, logger),
    referrers: new ProxyReferrers(storage.referrers, router, logger),
    writeRefusal: async (name) => {
      const route = await router.route(name);
      return route ? refuseWrite(name, route) : undefined;
    },
  };
}
