// The whole configuration file: one section per service, so that `wharf serve` and each
// service's own command read the same file. WHARF_<SECTION>_<PATH> overrides any option.
import { z } from 'zod';
import { registryConfigSchema } from '@wharf/registry';
import { indexConfigSchema } from '@wharf/index';

export const wharfConfigSchema = z.strictObject({
  registry: registryConfigSchema.prefault({}),
  index: indexConfigSchema.prefault({}),
});

export type WharfConfig = z.output<typeof wharfConfigSchema>;
