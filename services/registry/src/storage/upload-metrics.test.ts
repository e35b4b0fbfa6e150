import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { Uploads } from './registry-storage.js';
import { countedUploads, maxTrackedUploads } from './upload-metrics.js';

describe('counted uploads', () => {
  it('tracks a bounded number of sessions however many clients open', async () => {
    let next = 0;
    const uploads = { start: async () => ({ uuid: `upload-${next++}`, size: 0 }) } as unknown as Uploads;
    const registry = new Registry();
    const counted = countedUploads(uploads, registry, 60_000);
    for (let i = 0; i < maxTrackedUploads + 10_000; i++) await counted.start('demo/app');
    const open = (await registry.getSingleMetric('wharf_registry_upload_sessions_open')!.get()).values[0]!.value;
    assert.equal(open, maxTrackedUploads);
  });
});
