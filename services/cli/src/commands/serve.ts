// `wharf serve`: every service together on embedded defaults. Today that is the registry,
// standalone (no index yet), storing under ./data.
import { runRegistry } from './registry.js';

export async function runServe(configFile: string | undefined, workers = 1): Promise<number> {
  return runRegistry(configFile, workers);
}
