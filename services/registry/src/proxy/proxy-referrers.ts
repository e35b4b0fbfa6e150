// The referrers API of a pull-through cache: for a proxied name the upstream's list is the
// answer (signatures, SBOMs and attestations live there), merged with what the cache holds and
// filtered by artifactType here. An upstream without the referrers API (404, as Distribution
// 2.8) makes this a 404 too, so clients fall back to the referrers tag schema, whose tags the
// cache fetches like any other. An upstream that is down leaves the cached referrers in service.
import type { Logger } from 'pino';
import { mediaTypes, RegistryError, type Descriptor, type ImageIndex } from '@wharf/shared';
import type { ReferrerSource } from '../storage/referrers.js';
import type { Referrers } from '../storage/registry-storage.js';
import { upstreamFailure } from './refusal.js';
import type { UpstreamRouter } from './routing.js';
import { isUpstreamError } from './upstream/client.js';

export class ProxyReferrers implements Referrers {
  constructor(
    private readonly inner: Referrers,
    private readonly router: UpstreamRouter,
    private readonly logger: Logger,
  ) {}

  /** What the cache holds (the collector's view; the upstream is not asked). */
  digests(name: string, subject: string): Promise<string[]> {
    return this.inner.digests(name, subject);
  }

  async list(name: string, subject: string, source: ReferrerSource, artifactType?: string): Promise<ImageIndex> {
    const route = await this.router.route(name);
    if (!route) return this.inner.list(name, subject, source, artifactType);
    const cached = await this.inner.list(name, subject, source, artifactType);
    let upstream: Descriptor[] | undefined;
    try {
      upstream = await route.upstream.listReferrers(route.remote, subject);
    } catch (err) {
      if (isUpstreamError(err, 'unreachable', 'failed')) {
        this.logger.warn({ name, subject, upstream: route.upstream.name, err: (err as Error).message }, 'upstream unavailable: serving the cached referrers');
        return cached;
      }
      throw upstreamFailure(err, 'NAME_UNKNOWN', { name, upstream: route.upstream.name });
    }
    if (upstream === undefined) {
      throw new RegistryError('NOT_FOUND', {
        message: `upstream ${JSON.stringify(route.upstream.name)} has no referrers API: use the referrers tag schema`,
        detail: { name, upstream: route.upstream.name },
      });
    }
    const seen = new Set(cached.manifests.map((d) => d.digest));
    const fromUpstream = upstream.filter((d) => !seen.has(d.digest) && (artifactType === undefined || d.artifactType === artifactType));
    return { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [...cached.manifests, ...fromUpstream] };
  }
}
