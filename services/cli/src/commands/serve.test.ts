// serve's registry → index notification endpoint: its batch budget is the index's body limit,
// and a limit too small for the largest event is a config error at start, not stuck events.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultEventBatchBytes } from '@wharf/shared';
import { ConfigError } from '../config/load.js';
import { wharfConfigSchema } from '../config/schema.js';
import { servedIndexConfig, servedRegistryConfig } from './serve.js';

describe('serve: registry events to the index', () => {
  it('posts batches as large as the index accepts', () => {
    const config = wharfConfigSchema.parse({ index: { events: { maxBodyBytes: 12 * 1024 * 1024 } } });
    const [endpoint] = servedRegistryConfig(config, servedIndexConfig(config)).notifications.endpoints;
    assert.equal(endpoint?.maxBatchBytes, 12 * 1024 * 1024);
    const defaults = wharfConfigSchema.parse({});
    assert.equal(servedRegistryConfig(defaults, servedIndexConfig(defaults)).notifications.endpoints[0]?.maxBatchBytes, defaultEventBatchBytes);
  });

  it('refuses to start when the index could not take the event of the largest manifest', () => {
    const config = wharfConfigSchema.parse({ registry: { storage: { maxManifestBytes: 16 * 1024 * 1024 } } });
    assert.throws(() => servedRegistryConfig(config, servedIndexConfig(config)), (err: unknown) => err instanceof ConfigError && /index\.events\.maxBodyBytes/.test(err.message));
  });
});
