// The tag store of a pull-through cache: a proxied repository's tag list is the upstream's (the
// cache may hold only some of them), or the cached tags while the upstream is down. Untagging a
// proxied name is refused like any other write.
import type { Logger } from 'pino';
import type { ChangeOrigin, Tags } from '../storage/registry-storage.js';
import { refuseWrite, upstreamFailure } from './refusal.js';
import type { UpstreamRouter } from './routing.js';
import { isUpstreamError } from './upstream/client.js';

export class ProxyTags implements Tags {
  constructor(
    private readonly inner: Tags,
    private readonly router: UpstreamRouter,
    private readonly logger: Logger,
  ) {}

  resolve(name: string, tag: string): Promise<string | undefined> {
    return this.inner.resolve(name, tag);
  }

  tag(name: string, tag: string, digest: string): Promise<void> {
    return this.inner.tag(name, tag, digest);
  }

  untagDigest(name: string, digest: string): Promise<string[]> {
    return this.inner.untagDigest(name, digest);
  }

  async list(name: string): Promise<string[]> {
    const route = await this.router.route(name);
    if (!route) return this.inner.list(name);
    try {
      return await route.upstream.listTags(route.remote);
    } catch (err) {
      if (!isUpstreamError(err, 'unreachable', 'failed')) throw upstreamFailure(err, 'NAME_UNKNOWN', { name, upstream: route.upstream.name });
      this.logger.warn({ name, upstream: route.upstream.name, err: (err as Error).message }, 'upstream unavailable: listing the cached tags');
      return this.inner.list(name);
    }
  }

  async untag(name: string, tag: string, origin?: ChangeOrigin): Promise<void> {
    const route = await this.router.route(name);
    if (route) throw refuseWrite(name, route);
    return this.inner.untag(name, tag, origin);
  }
}
