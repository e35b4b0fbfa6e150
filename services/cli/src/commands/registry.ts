// `wharf registry`: the registry alone, until SIGINT/SIGTERM.
import { createRegistry } from '@wharf/registry';
import { loadConfig } from '../config/load.js';
import { wharfConfigSchema } from '../config/schema.js';
import { onShutdown } from './shutdown.js';

export async function runRegistry(configFile: string | undefined): Promise<number> {
  const config = await loadConfig(wharfConfigSchema, { file: configFile });
  const registry = await createRegistry(config.registry);
  await registry.listen();
  onShutdown(() => registry.close());
  return 0;
}
