// The registry's storage: every store over one checked driver. HTTP handlers call these and
// nothing below them.
import type { StorageDriver } from './driver/driver.js';
import { checked } from './driver/checked.js';
import { BlobStore } from './blob-store.js';
import { Catalog } from './catalog.js';
import { ManifestStore } from './manifest-store.js';
import { ReferrerIndex } from './referrers.js';
import { TagStore } from './tag-store.js';
import { UploadSessions } from './upload-session.js';

export interface RegistryStorage {
  driver: StorageDriver;
  blobs: BlobStore;
  uploads: UploadSessions;
  manifests: ManifestStore;
  tags: TagStore;
  referrers: ReferrerIndex;
  catalog: Catalog;
}

export function createRegistryStorage(rawDriver: StorageDriver): RegistryStorage {
  const driver = checked(rawDriver);
  const blobs = new BlobStore(driver);
  const tags = new TagStore(driver);
  const referrers = new ReferrerIndex(driver);
  return {
    driver,
    blobs,
    uploads: new UploadSessions(driver, blobs),
    manifests: new ManifestStore(driver, blobs, tags, referrers),
    tags,
    referrers,
    catalog: new Catalog(driver),
  };
}
