// With --workers N every worker serves requests, but the chores that walk the whole storage (the
// purge of abandoned uploads, the garbage-collection schedule) run in the first worker only: the
// others would repeat the same walk over the same storage at the same moments.
import type { WharfConfig } from '../config/schema.js';

type RegistryConfig = WharfConfig['registry'];

/** The registry config of worker `index` (undefined: not a cluster worker, so it does everything). */
export function registryConfigForWorker(config: RegistryConfig, index: number | undefined): RegistryConfig {
  if (index === undefined || index === 0) return config;
  const { storage } = config;
  return {
    ...config,
    storage: {
      ...storage,
      uploadPurging: { ...storage.uploadPurging, enabled: false },
      gc: { ...storage.gc, enabled: false },
    },
  };
}

/** This process's worker index (WHARF_WORKER_INDEX, set by superviseWorkers), if it is a worker. */
export function workerIndex(isWorker: boolean, env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (!isWorker) return undefined;
  const value = env.WHARF_WORKER_INDEX;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}
