// The public surface of @wharf/registry.
export { createRegistry, type Registry, type RegistryDependencies } from './server.js';
export { registryConfigSchema, durationMs, type RegistryConfig, type RegistryConfigInput } from './config/schema.js';
export { notificationEndpointConfig } from './config/schema.js';
export type { StorageDriver, FileWriter, FileInfo } from './storage/driver/driver.js';
export { StorageDriverError } from './storage/driver/driver.js';
export { createMemoryDriver } from './storage/driver/memory/memory-driver.js';
export { createFilesystemDriver } from './storage/driver/filesystem/filesystem-driver.js';
export type { AccessController, Grant } from './auth/controller.js';
export { collectGarbage, type GcOptions, type GcProgress, type GcReport } from './storage/gc/collector.js';
export { createRegistryStorage, type RegistryStorage } from './storage/registry-storage.js';
export { createConfiguredDriver } from './storage/driver/drivers.js';
export { rebuildCatalogIndex, type RebuildResult } from './storage/catalog-rebuild.js';
