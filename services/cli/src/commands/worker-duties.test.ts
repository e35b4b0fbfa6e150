import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { wharfConfigSchema } from '../config/schema.js';
import { registryConfigForWorker, workerIndex } from './worker-duties.js';

const config = wharfConfigSchema.parse({ registry: { storage: { gc: { enabled: true, interval: '1h' }, uploadPurging: { enabled: true } } } }).registry;

describe('registry duties per worker', () => {
  it('a lone process and the first worker purge uploads and collect garbage as configured', () => {
    for (const index of [undefined, 0]) {
      const mine = registryConfigForWorker(config, index);
      assert.equal(mine.storage.gc.enabled, true);
      assert.equal(mine.storage.gc.interval, config.storage.gc.interval);
      assert.equal(mine.storage.uploadPurging.enabled, true);
    }
  });

  it('the other workers do neither, and keep everything else', () => {
    const mine = registryConfigForWorker(config, 3);
    assert.equal(mine.storage.gc.enabled, false);
    assert.equal(mine.storage.uploadPurging.enabled, false);
    assert.deepEqual({ ...mine.storage, gc: config.storage.gc, uploadPurging: config.storage.uploadPurging }, config.storage);
    assert.deepEqual(mine.http, config.http);
    // The loaded config itself is untouched (the primary validated it once for every worker).
    assert.equal(config.storage.gc.enabled, true);
  });

  it('the worker index comes from WHARF_WORKER_INDEX, in a cluster worker only', () => {
    assert.equal(workerIndex(false, { WHARF_WORKER_INDEX: '2' }), undefined);
    assert.equal(workerIndex(true, { WHARF_WORKER_INDEX: '2' }), 2);
    assert.equal(workerIndex(true, { WHARF_WORKER_INDEX: '0' }), 0);
    for (const bad of [undefined, '', '-1', '1.5', 'x']) assert.equal(workerIndex(true, bad === undefined ? {} : { WHARF_WORKER_INDEX: bad }), undefined, String(bad));
  });
});
