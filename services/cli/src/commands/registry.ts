// `wharf registry`: the registry alone, until SIGINT/SIGTERM. The registry keeps no state
// outside its storage, so with --workers N it runs as N processes sharing one port (node:cluster).
import cluster from 'node:cluster';
import { createRegistry } from '@wharf/registry';
import { loadConfig } from '../config/load.js';
import { wharfConfigSchema } from '../config/schema.js';
import { onShutdown } from './shutdown.js';
import { superviseWorkers } from './workers.js';

export async function runRegistry(configFile: string | undefined, workers = 1): Promise<number> {
  // Validate before forking, so a bad config fails once with its message.
  const config = await loadConfig(wharfConfigSchema, { file: configFile });
  if (workers > 1 && cluster.isPrimary) {
    superviseWorkers(workers);
    return 0;
  }
  // Only the first worker purges abandoned uploads; the others would repeat its walk.
  const purger = !cluster.isWorker || process.env.WHARF_WORKER_INDEX === '0';
  const registryConfig = purger
    ? config.registry
    : { ...config.registry, storage: { ...config.registry.storage, uploadPurging: { ...config.registry.storage.uploadPurging, enabled: false } } };
  const registry = await createRegistry(registryConfig);
  await registry.listen();
  onShutdown(() => registry.close());
  return 0;
}
