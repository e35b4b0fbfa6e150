// `wharf registry`: the registry alone, until SIGINT/SIGTERM. The registry keeps no state
// outside its storage, so with --workers N it runs as N processes sharing one port (node:cluster).
// The first signal drains in-flight requests (http.drainTimeout); a second one exits at once.
import cluster from 'node:cluster';
import { serveClusterMetrics, shareWorkerMetrics } from '@wharf/common';
import { createRegistry } from '@wharf/registry';
import { durationMs } from '@wharf/shared';
import { loadConfig } from '../config/load.js';
import { wharfConfigSchema } from '../config/schema.js';
import { onShutdown } from './shutdown.js';
import { startAll } from './start-all.js';
import { registryConfigForWorker, workerIndex } from './worker-duties.js';
import { superviseWorkers } from './workers.js';

export async function runRegistry(configFile: string | undefined, workers = 1): Promise<number> {
  // Validate before forking, so a bad config fails once with its message.
  const config = await loadConfig(wharfConfigSchema, { file: configFile });
  if (workers > 1 && cluster.isPrimary) {
    if (config.registry.http.metrics) serveClusterMetrics();
    superviseWorkers(workers, durationMs(config.registry.http.drainTimeout));
    return 0;
  }
  const registry = await createRegistry(registryConfigForWorker(config.registry, workerIndex(cluster.isWorker)));
  if (cluster.isWorker && registry.metrics.enabled) shareWorkerMetrics(registry.metrics);
  // Heard before listening: a signal while starting still stops the process cleanly.
  const started = startAll([registry]);
  onShutdown(() => started.then(() => registry.close({ drain: true }), () => undefined), durationMs(config.registry.http.drainTimeout));
  await started;
  return 0;
}
