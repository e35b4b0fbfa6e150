// The metrics decorator must be invisible: the memory driver wrapped in it passes the whole
// driver suite, and the suite's calls show up as timings and typed error counts.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServiceMetrics, sampleValue } from '@wharf/common';
import { describeDriverSuite } from './suite/driver-suite.js';
import { createMemoryDriver } from './memory/memory-driver.js';
import { instrumented } from './instrumented.js';

const metrics = createServiceMetrics('registry', false);

describeDriverSuite('memory, instrumented', async () => instrumented(createMemoryDriver(), metrics.registry));

describe('instrumented driver metrics', () => {
  after(() => metrics.registry.clear());

  it('timed every operation the suite made and counted not-found errors by kind', async () => {
    const text = await metrics.registry.metrics();
    for (const operation of ['getContent', 'putContent', 'reader', 'writer', 'writer.append', 'writer.commit', 'stat', 'list', 'move', 'delete']) {
      assert.ok(sampleValue(text, 'wharf_storage_operation_duration_seconds_count', { driver: 'memory', operation })! > 0, operation);
    }
    assert.ok(sampleValue(text, 'wharf_storage_operation_errors_total', { driver: 'memory', operation: 'stat', kind: 'PathNotFound' })! > 0);
  });

  it('keeps and times the optional methods a driver has (redirectURL), and only those', async () => {
    const plain = instrumented(createMemoryDriver(), metrics.registry);
    assert.equal(plain.redirectURL, undefined);
    const redirecting = instrumented(Object.assign(createMemoryDriver(), { redirectURL: async (path: string) => `https://cdn.example/${path}` }), metrics.registry);
    assert.equal(await redirecting.redirectURL!('/a/b', 'GET'), 'https://cdn.example//a/b');
    assert.equal(sampleValue(await metrics.registry.metrics(), 'wharf_storage_operation_duration_seconds_count', { driver: 'memory', operation: 'redirectURL' }), 1);
  });
});
