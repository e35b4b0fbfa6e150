// services/registry/examples/gc.yaml loads through the real loader and means what it says.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './load.js';
import { wharfConfigSchema } from './schema.js';

// dist/src/config/ → services/cli/ → services/registry/examples/
const file = fileURLToPath(new URL('../../../../registry/examples/gc.yaml', import.meta.url));

describe('services/registry/examples/gc.yaml', () => {
  it('deletes enabled and a nightly collection with a one-hour grace period', async () => {
    const { registry } = await loadConfig(wharfConfigSchema, { file, env: {} });
    assert.equal(registry.storage.delete.enabled, true);
    assert.deepEqual(registry.storage.gc, { enabled: true, interval: '24h', gracePeriod: '1h' });
    assert.deepEqual(registry.storage.filesystem, { rootDirectory: './data/registry', maxOpenFiles: 512, openFileWait: '10s' });
  });

  it('is off by default, and the environment can switch it on', async () => {
    const defaults = await loadConfig(wharfConfigSchema, { env: {} });
    assert.deepEqual(defaults.registry.storage.gc, { enabled: false, interval: '24h', gracePeriod: '1h' });
    const env = await loadConfig(wharfConfigSchema, { env: { WHARF_REGISTRY_STORAGE_GC_ENABLED: 'true', WHARF_REGISTRY_STORAGE_GC_GRACEPERIOD: '30m' } });
    assert.equal(env.registry.storage.gc.enabled, true);
    assert.equal(env.registry.storage.gc.gracePeriod, '30m');
  });

  it('refuses a bad interval, naming the option', async () => {
    await assert.rejects(loadConfig(wharfConfigSchema, { env: { WHARF_REGISTRY_STORAGE_GC_INTERVAL: 'nightly' } }), /registry\.storage\.gc\.interval/);
  });
});
