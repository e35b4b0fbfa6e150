// The manifest store of a pull-through cache (as Distribution's registry/proxy/proxymanifeststore.go).
// By digest: served from storage, or fetched, verified against the digest and stored. By tag: a
// cached tag is served as is for the upstream's tag TTL; after that the upstream is asked (HEAD)
// whether the tag moved, and the manifest is fetched only when its digest changed. An upstream
// that is down leaves the cached copy in service. Fills go through the inner store's put (with
// origin.upstream set), so the notifications decorator reports them to the index like a push.
import type { Logger } from 'pino';
import { ByteLru, digestOf, parseDigest, RegistryError } from '@wharf/shared';
import type { PutManifestResult, StoredManifest } from '../storage/manifest-store.js';
import type { ChangeOrigin, Manifests } from '../storage/registry-storage.js';
import { refuseWrite, upstreamFailure } from './refusal.js';
import type { UpstreamRoute, UpstreamRouter } from './routing.js';
import { SingleFlight } from './single-flight.js';
import { isUpstreamError, UpstreamError } from './upstream/client.js';

const maxCheckedTags = 10_000;
const maxCheckedBytes = 4 * 1024 * 1024;

function isManifestUnknown(err: unknown): boolean {
  return err instanceof RegistryError && err.code === 'MANIFEST_UNKNOWN';
}

export class ProxyManifests implements Manifests {
  /** When the upstream last confirmed a cached tag ("name:tag" → ms); in memory, so a restart re-asks once. */
  private readonly checked = new ByteLru<number>({ maxBytes: maxCheckedBytes, maxEntries: maxCheckedTags });
  private readonly flights = new SingleFlight<string>();

  constructor(
    private readonly inner: Manifests,
    private readonly router: UpstreamRouter,
    private readonly logger: Logger,
    private readonly maxManifestBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  exists(name: string, digest: string): Promise<boolean> {
    return this.inner.exists(name, digest);
  }

  describe(name: string, digest: string): Promise<StoredManifest | undefined> {
    return this.inner.describe(name, digest);
  }

  async resolve(name: string, reference: string): Promise<string> {
    const route = await this.router.route(name);
    if (!route) return this.inner.resolve(name, reference);
    return this.flights.run(`${name}:${reference}`, () => this.refresh(name, reference, route));
  }

  async get(name: string, reference: string): Promise<StoredManifest> {
    const route = await this.router.route(name);
    if (!route) return this.inner.get(name, reference);
    const digest = await this.flights.run(`${name}:${reference}`, () => this.refresh(name, reference, route));
    return this.inner.get(name, digest);
  }

  async put(name: string, reference: string, content: Buffer, contentType: string | undefined, origin?: ChangeOrigin): Promise<PutManifestResult> {
    const route = await this.router.route(name);
    if (route) throw refuseWrite(name, route);
    return this.inner.put(name, reference, content, contentType, origin);
  }

  async delete(name: string, digest: string, origin?: ChangeOrigin): Promise<StoredManifest> {
    const route = await this.router.route(name);
    if (route) throw refuseWrite(name, route);
    return this.inner.delete(name, digest, origin);
  }

  /** The digest to serve for the reference, fetching from the upstream when the cache cannot answer. */
  private async refresh(name: string, reference: string, route: UpstreamRoute): Promise<string> {
    const detail = { name, reference, upstream: route.upstream.name };
    if (reference.includes(':')) {
      if (await this.inner.exists(name, reference)) return reference;
      try {
        return await this.fill(name, reference, route);
      } catch (err) {
        throw upstreamFailure(err, 'MANIFEST_UNKNOWN', detail);
      }
    }
    const cached = await this.inner.resolve(name, reference).catch((err: unknown) => {
      if (isManifestUnknown(err)) return undefined;
      throw err;
    });
    const key = `${name}:${reference}`;
    const checkedAt = this.checked.get(key);
    if (cached && checkedAt !== undefined && this.now() - checkedAt < route.tagTtlMs) return cached;
    try {
      let digest = cached;
      if (!cached || (await route.upstream.headManifest(route.remote, reference)).digest !== cached) {
        digest = await this.fill(name, reference, route);
      }
      this.markChecked(key);
      return digest!;
    } catch (err) {
      if (cached && isUpstreamError(err, 'unreachable', 'failed')) {
        this.logger.warn({ ...detail, err: (err as Error).message }, 'upstream unavailable: serving the cached tag');
        return cached;
      }
      throw upstreamFailure(err, 'MANIFEST_UNKNOWN', detail);
    }
  }

  /** Fetches the manifest, checks its bytes against every digest claimed for it, and stores it. */
  private async fill(name: string, reference: string, route: UpstreamRoute): Promise<string> {
    const fetched = await route.upstream.getManifest(route.remote, reference, this.maxManifestBytes);
    const byDigest = reference.includes(':');
    const claimed = byDigest ? reference : fetched.digest;
    const digest = digestOf(fetched.content, claimed ? parseDigest(claimed).algorithm : 'sha256');
    if (claimed && digest !== claimed) {
      throw new UpstreamError('failed', `upstream ${route.upstream.name} sent a manifest for ${name}:${reference} whose digest is ${digest}, not ${claimed}`);
    }
    const result = await this.inner.put(name, reference, fetched.content, fetched.mediaType, { upstream: route.upstream.name });
    this.logger.info({ repository: name, reference, upstream: route.upstream.name, digest: result.digest }, 'cached a manifest from upstream');
    return result.digest;
  }

  private markChecked(key: string): void {
    this.checked.set(key, this.now());
  }
}
