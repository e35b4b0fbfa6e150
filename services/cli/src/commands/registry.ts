// `wharf registry`: the registry alone, until SIGINT/SIGTERM. The registry keeps no state
// outside its storage, so with --workers N it runs as N processes sharing one port (node:cluster).
import cluster from 'node:cluster';
import { serveClusterMetrics, shareWorkerMetrics } from '@wharf/common';
import { createRegistry } from '@wharf/registry';
import { loadConfig } from '../config/load.js';
import { wharfConfigSchema } from '../config/schema.js';
import { onShutdown } from './shutdown.js';
import { registryConfigForWorker, workerIndex } from './worker-duties.js';
import { superviseWorkers } from './workers.js';

export async function runRegistry(configFile: string | undefined, workers = 1): Promise<number> {
  // Validate before forking, so a bad config fails once with its message.
  const config = await loadConfig(wharfConfigSchema, { file: configFile });
  if (workers > 1 && cluster.isPrimary) {
    if (config.registry.http.metrics) serveClusterMetrics();
    superviseWorkers(workers);
    return 0;
  }
  const registry = await createRegistry(registryConfigForWorker(config.registry, workerIndex(cluster.isWorker)));
  if (cluster.isWorker && registry.metrics.enabled) shareWorkerMetrics(registry.metrics);
  await registry.listen();
  onShutdown(() => registry.close());
  return 0;
}
