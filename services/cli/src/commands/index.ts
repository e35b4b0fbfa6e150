// `wharf index`: the index alone (accounts, repositories, token server), until SIGINT/SIGTERM.
import { createIndex } from '@wharf/index';
import { loadConfig } from '../config/load.js';
import { wharfConfigSchema } from '../config/schema.js';
import { onShutdown } from './shutdown.js';

export async function runIndex(configFile: string | undefined): Promise<number> {
  const config = await loadConfig(wharfConfigSchema, { file: configFile });
  const index = await createIndex(config.index);
  await index.listen();
  onShutdown(() => index.close());
  return 0;
}
