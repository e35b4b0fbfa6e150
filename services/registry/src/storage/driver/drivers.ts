// The table of storage drivers by name. Registration is explicit (no import-time side effects):
// a driver is available when it is listed here and has a block in the config schema. The cloud
// drivers are imported only when configured: their SDKs are large, and a registry on one store
// should not carry the other's in its heap (every full GC walks it).
import { resolve } from 'node:path';
import type { RegistryConfig } from '../../config/schema.js';
import type { StorageDriver } from './driver.js';
import { createFilesystemDriver } from './filesystem/filesystem-driver.js';
import { createMemoryDriver } from './memory/memory-driver.js';
import { durationMs } from '@wharf/shared';

export async function createConfiguredDriver(storage: RegistryConfig['storage']): Promise<StorageDriver> {
  if (storage.memory) return createMemoryDriver();
  if (storage.s3) {
    const { createS3Driver } = await import('./s3/s3-driver.js');
    return createS3Driver({ ...storage.s3, redirectExpiryMs: durationMs(storage.redirect.expiry) });
  }
  if (storage.azure) {
    const { createAzureDriver } = await import('./azure/azure-driver.js');
    return createAzureDriver({ ...storage.azure, copyTimeoutMs: durationMs(storage.azure.copyTimeout) });
  }
  const { rootDirectory = './data/registry', maxOpenFiles, openFileWait } = storage.filesystem ?? {};
  return createFilesystemDriver({
    rootDirectory: resolve(rootDirectory),
    maxOpenFiles,
    ...(openFileWait ? { openFileWaitMs: durationMs(openFileWait) } : {}),
  });
}
