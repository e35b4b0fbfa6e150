// `wharf config check FILE` and `wharf config schema`, from the same schema the services use.
import { z } from 'zod';
import { stringify } from 'yaml';
import { loadConfig } from '../config/load.js';
import { wharfConfigSchema } from '../config/schema.js';
import { redactSecrets } from '../config/redact.js';

export async function runConfigCommand(args: string[], configFile: string | undefined): Promise<number> {
  const [sub, file] = args;
  if (sub === 'schema') {
    console.log(JSON.stringify(z.toJSONSchema(wharfConfigSchema, { io: 'input', unrepresentable: 'any' }), null, 2));
    return 0;
  }
  if (sub === 'check') {
    const config = await loadConfig(wharfConfigSchema, { file: file ?? configFile });
    console.log(stringify(redactSecrets(config)));
    return 0;
  }
  console.error('usage: wharf config check FILE | wharf config schema');
  return 2;
}
