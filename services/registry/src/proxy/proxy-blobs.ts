// The blob store of a pull-through cache (as Distribution's registry/proxy/proxyblobstore.go): a
// blob a proxied repository lacks is asked of its upstream. stat() confirms it upstream (HEAD; a
// blob whose content is already stored is then only linked), open() fetches it: the first reader
// gets the bytes as they arrive while they are written into an upload session, whose commit
// verifies the digest before the blob becomes visible (verified-tee.ts); every other reader of
// that digest waits for the commit and reads storage. So each blob is fetched once per process
// however many clients ask at once. Local repositories pass straight through.
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { ByteLru, RegistryError, stringBytes } from '@wharf/shared';
import { BlobStore, type BlobInfo } from '../storage/blob-store.js';
import type { StorageDriver } from '../storage/driver/driver.js';
import type { Uploads } from '../storage/registry-storage.js';
import { refuseWrite, upstreamFailure } from './refusal.js';
import type { UpstreamRoute, UpstreamRouter } from './routing.js';
import { SingleFlight } from './single-flight.js';
import { verifiedTee } from './verified-tee.js';

/** Where open() fetches a digest from: recorded by the stat() that confirmed it upstream. */
interface BlobSource {
  name: string;
  route: UpstreamRoute;
  /** The size the upstream's HEAD stated: the fill may not be longer. */
  size: number;
}

const maxSources = 10_000;
const maxSourceBytes = 4 * 1024 * 1024;

function isBlobUnknown(err: unknown): boolean {
  return err instanceof RegistryError && err.code === 'BLOB_UNKNOWN';
}

/** What readers waiting for a failed fill get: the upstream's fault is UNAVAILABLE, not a 500. */
function fillFailure(err: unknown, digest: string): unknown {
  if (err instanceof RegistryError && err.code === 'DIGEST_INVALID') {
    return new RegistryError('UNAVAILABLE', { message: `the upstream sent bytes that do not match ${digest}`, detail: { digest } });
  }
  return upstreamFailure(err, 'BLOB_UNKNOWN', { digest });
}

export class ProxyBlobs extends BlobStore {
  private readonly sources = new ByteLru<BlobSource>({ maxBytes: maxSourceBytes, maxEntries: maxSources, sizeOf: (s) => stringBytes(s.name) });
  private readonly heads = new SingleFlight<number>();
  private readonly fetches = new Map<string, Promise<void>>();

  constructor(
    driver: StorageDriver,
    /** The undecorated sessions: cache fills are writes the push refusal must not see. */
    private readonly uploads: Uploads,
    private readonly router: UpstreamRouter,
    private readonly logger: Logger,
  ) {
    super(driver);
  }

  override async stat(name: string, digest: string): Promise<BlobInfo> {
    const route = await this.router.route(name);
    if (!route) return super.stat(name, digest);
    if (await this.isLinked(name, digest)) {
      const info = await this.statContent(digest);
      if (info) return info;
    }
    let size: number;
    try {
      size = await this.heads.run(`${route.upstream.name} ${route.remote}@${digest}`, () => route.upstream.headBlob(route.remote, digest));
    } catch (err) {
      throw upstreamFailure(err, 'BLOB_UNKNOWN', { digest });
    }
    // Stored for another repository: the upstream has just confirmed this one holds it too.
    const stored = await this.statContent(digest);
    if (stored) {
      await this.link(name, digest);
      return stored;
    }
    this.sources.set(digest, { name, route, size });
    return { digest, size };
  }

  override async open(digest: string, start?: number, end?: number): Promise<Readable> {
    try {
      return await super.open(digest, start, end);
    } catch (err) {
      if (!isBlobUnknown(err)) throw err;
    }
    const source = this.sources.get(digest);
    if (!source) throw new RegistryError('BLOB_UNKNOWN', { detail: { digest } });
    const inFlight = this.fetches.get(digest);
    if (inFlight === undefined && start === undefined && end === undefined) return (await this.fetch(digest, source)).stream;
    // A follower, or a range: the verified, stored copy serves it.
    if (inFlight) await inFlight;
    else {
      const { stream, committed } = await this.fetch(digest, source);
      stream.resume();
      await committed;
    }
    return super.open(digest, start, end);
  }

  override async redirectURL(digest: string, method: 'GET' | 'HEAD'): Promise<string | undefined> {
    // Content still upstream has no storage URL yet; the registry streams it itself.
    if (!(await this.statContent(digest))) return undefined;
    return super.redirectURL(digest, method);
  }

  override async unlink(name: string, digest: string): Promise<void> {
    const route = await this.router.route(name);
    if (route) throw refuseWrite(name, route);
    return super.unlink(name, digest);
  }

  override async mount(from: string, name: string, digest: string): Promise<BlobInfo | undefined> {
    const route = await this.router.route(name);
    if (route) throw refuseWrite(name, route);
    return super.mount(from, name, digest);
  }

  /**
   * Starts the one fetch of `digest`: resolves with the first reader's stream once the upstream
   * answered; `fetches` holds the promise of the verified commit meanwhile.
   */
  private async fetch(digest: string, { name, route, size }: BlobSource): Promise<{ stream: Readable; committed: Promise<void> }> {
    let settle!: { resolve: () => void; reject: (err: unknown) => void };
    const committed = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    committed.catch(() => undefined);
    this.fetches.set(digest, committed);
    void committed.finally(() => this.fetches.delete(digest)).catch(() => undefined);
    try {
      // A fill that committed between this reader's miss and now: storage has it already.
      if (await this.statContent(digest)) {
        settle.resolve();
        return { stream: await super.open(digest), committed };
      }
      const { body } = await route.upstream.getBlob(route.remote, digest, size);
      const session = await this.uploads.start(name);
      // A first reader that stops reading is cut off well before the upstream's idle timeout.
      const tee = verifiedTee(body, committed, Math.max(1, Math.floor(route.upstream.timeoutMs / 2)));
      const store = async () => {
        try {
          await Promise.all([tee.run(), this.uploads.append(name, session.uuid, tee.toStorage)]);
          await this.uploads.commit(name, session.uuid, digest);
          this.logger.info({ repository: name, upstream: route.upstream.name, digest }, 'cached a blob from upstream');
        } catch (err) {
          await this.uploads.cancel(name, session.uuid).catch(() => undefined);
          this.logger.warn({ repository: name, upstream: route.upstream.name, digest, err: (err as Error).message }, 'caching a blob from upstream failed');
          throw err;
        }
      };
      store().then(settle.resolve, (err: unknown) => settle.reject(fillFailure(err, digest)));
      return { stream: tee.toClient, committed };
    } catch (err) {
      const failure = upstreamFailure(err, 'BLOB_UNKNOWN', { digest });
      settle.reject(failure);
      throw failure;
    }
  }
}
