// `wharf index`: the index alone (accounts, repositories, token server), until SIGINT/SIGTERM (the first drains
// in-flight requests, a second exits at once).
import { createIndex } from '@wharf/index';
import { durationMs } from '@wharf/shared';
import { loadConfig } from '../config/load.js';
import { wharfConfigSchema } from '../config/schema.js';
import { onShutdown } from './shutdown.js';
import { startAll } from './start-all.js';

export async function runIndex(configFile: string | undefined): Promise<number> {
  const config = await loadConfig(wharfConfigSchema, { file: configFile });
  const index = await createIndex(config.index);
  // Heard before listening: a signal while starting still stops the process cleanly.
  const started = startAll([index]);
  onShutdown(() => started.then(() => index.close({ drain: true }), () => undefined), durationMs(config.index.http.drainTimeout));
  await started;
  return 0;
}
