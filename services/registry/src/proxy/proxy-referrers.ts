// The referrers API of a pull-through cache: for a proxied name the upstream's list is the
// answer (signatures, SBOMs and attestations live there), merged with what the cache holds and
// filtered by artifactType here. An upstream without the referrers API (404, as Distribution
// 2.8) makes this a 404 too, so clients fall back to the referrers tag schema, whose tags the
// cache fetches like any other. An upstream that is down leaves the cached referrers in service.
import type { Logger } from 'pino';
import { RegistryError, type Descriptor } from '@wharf/shared';
import type { ReferrerPage, ReferrerPageOptions, ReferrerSource } from '../storage/referrers.js';
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

  /** The cache's pages, then the upstream's referrers the cache lacks with its last page. */
  async list(name: string, subject: string, source: ReferrerSource, page: ReferrerPageOptions): Promise<ReferrerPage> {
    const route = await this.router.route(name);
    if (!route) return this.inner.list(name, subject, source, page);
    const cached = await this.inner.list(name, subject, source, page);
    if (cached.next !== undefined) return cached;
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
    // Every cached referrer, also those listed on earlier pages.
    const seen = new Set(await this.inner.digests(name, subject));
    const fromUpstream = upstream.filter((d) => !seen.has(d.digest) && (page.artifactType === undefined || d.artifactType === page.artifactType));
    return { index: { ...cached.index, manifests: [...cached.index.manifests, ...fromUpstream] } };
  }
}
