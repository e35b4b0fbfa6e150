// `wharf catalog rebuild`: rebuilds the catalog index of a configured storage from a walk of its
// tree, for repositories another program (Distribution on the same storage) added or removed.
import type { RegistryConfig } from '../config/schema.js';
import type { RebuildResult } from './catalog-index.js';
import { createConfiguredDriver } from './driver/drivers.js';
import { createRegistryStorage } from './registry-storage.js';

export type { RebuildResult } from './catalog-index.js';

export async function rebuildCatalogIndex(storage: RegistryConfig['storage']): Promise<RebuildResult> {
  const driver = await createConfiguredDriver(storage);
  try {
    return await createRegistryStorage(driver).catalog.rebuildIndex();
  } finally {
    await driver.close?.();
  }
}
