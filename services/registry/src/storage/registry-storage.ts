// The registry's storage: every store over one checked driver. HTTP handlers call these and
// nothing below them.
import type { IncomingMessage } from 'node:http';
import type { StorageDriver } from './driver/driver.js';
import { checked } from './driver/checked.js';
import { BlobStore } from './blob-store.js';
import { Catalog } from './catalog.js';
import { withCatalogIndex } from './indexing-driver.js';
import { ManifestStore, type ManifestCacheOptions, type PutManifestResult, type StoredManifest } from './manifest-store.js';
import { ReferrerIndex } from './referrers.js';
import { TagStore } from './tag-store.js';
import { UploadSessions } from './upload-session.js';

/**
 * Who changed a repository: handlers pass it along so that decorators (notifications/) can say
 * who and from where; the stores themselves ignore it.
 */
export interface ChangeOrigin {
  user?: string | undefined;
  /** Express keeps the response on the request; its locals hold the request id. */
  request?: IncomingMessage & { res?: { locals?: Record<string, unknown> } };
  /**
   * Set when the change is a pull-through cache fill from this upstream (proxy/): the manifest
   * came verified from the upstream and its blobs are fetched on demand, so the store does not
   * require them to be present.
   */
  upstream?: string | undefined;
}

/** The manifest store as handlers see it, so a decorator can stand in for it. */
export type Manifests = Omit<ManifestStore, 'put' | 'delete' | 'cachedBytes' | 'cachedEntries'> & {
  put(name: string, reference: string, content: Buffer, contentType: string | undefined, origin?: ChangeOrigin): Promise<PutManifestResult>;
  delete(name: string, digest: string, origin?: ChangeOrigin): Promise<StoredManifest>;
};

/** The tag store as handlers see it, so a decorator can stand in for it. */
export type Tags = Omit<TagStore, 'untag'> & {
  untag(name: string, tag: string, origin?: ChangeOrigin): Promise<void>;
};

/** The referrers listing as handlers see it, so a decorator (the pull-through cache) can stand in. */
export type Referrers = Pick<ReferrerIndex, 'list' | 'digests'>;

/** The upload sessions as handlers see them, so a decorator can stand in for them. */
export type Uploads = Pick<UploadSessions, 'start' | 'status' | 'append' | 'commit' | 'cancel'>;

export interface RegistryStorage {
  driver: StorageDriver;
  blobs: BlobStore;
  uploads: Uploads;
  manifests: Manifests;
  tags: Tags;
  referrers: Referrers;
  catalog: Catalog;
  /**
   * Why a write (push, delete) to this name can never succeed here, whoever asks: a proxied name
   * of the pull-through cache (proxy/). The dispatcher reports it instead of a bare "insufficient
   * scope" to a caller whose token lacks the write, so docker shows the reason.
   */
  writeRefusal?: (name: string) => Promise<Error | undefined>;
}

export interface RegistryStorageOptions {
  readOnly?: boolean;
  /** storage.maxManifestReferences. */
  maxManifestReferences?: number;
  /** The manifest cache's budget (defaultManifestCache when absent). */
  manifestCache?: ManifestCacheOptions;
}

export function createRegistryStorage(rawDriver: StorageDriver, options: RegistryStorageOptions = {}): RegistryStorage {
  const plain = checked(rawDriver);
  const catalog = new Catalog(plain, options.readOnly);
  // Every store writes through the indexing decorator, so the catalog index follows the tree.
  const driver = withCatalogIndex(plain, catalog.index);
  const blobs = new BlobStore(driver);
  const tags = new TagStore(driver);
  const referrers = new ReferrerIndex(driver);
  return {
    driver,
    blobs,
    uploads: new UploadSessions(driver, blobs),
    manifests: new ManifestStore(driver, blobs, tags, referrers, options.maxManifestReferences, options.manifestCache),
    tags,
    referrers,
    catalog,
  };
}
