// `wharf catalog rebuild`: makes the registry's catalog index match its storage tree (adds the
// repositories another program wrote, drops those it removed). Safe while registries serve.
import { rebuildCatalogIndex } from '@wharf/registry';
import { loadConfig } from '../config/load.js';
import { wharfConfigSchema } from '../config/schema.js';
import { plural } from './plural.js';

export async function runCatalogCommand(args: string[], configFile: string | undefined): Promise<number> {
  if (args.length !== 1 || args[0] !== 'rebuild') {
    console.error('usage: wharf catalog rebuild [--config FILE]');
    return 2;
  }
  const config = await loadConfig(wharfConfigSchema, { file: configFile });
  const started = Date.now();
  const result = await rebuildCatalogIndex(config.registry.storage);
  console.log(
    `catalog index rebuilt in ${Date.now() - started} ms: ${plural(result.repositories, 'repository', 'repositories')}` +
      ` (${result.added.length} added, ${result.removed.length} removed)`,
  );
  for (const name of result.added) console.log(`  + ${name}`);
  for (const name of result.removed) console.log(`  - ${name}`);
  return 0;
}
