// The index's v1 options: defaults, and endpoints that Docker can use as they are (it prepends
// the index's scheme and appends /v1/, so a URL there would break every client).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { indexConfigSchema } from '../../src/index.js';

describe('index v1 config', () => {
  it('defaults to enabled, one local registry and one-hour tokens', () => {
    assert.deepEqual(indexConfigSchema.parse({}).v1, { enabled: true, endpoints: ['127.0.0.1:5000'], tokenTtl: '1h' });
  });

  it('takes host[:port] endpoints and refuses URLs, lists and bad durations', () => {
    assert.deepEqual(indexConfigSchema.parse({ v1: { endpoints: ['registry.example', '[::1]:5000'] } }).v1.endpoints, ['registry.example', '[::1]:5000']);
    for (const v1 of [{ endpoints: ['http://registry:5000'] }, { endpoints: ['a:1,b:2'] }, { endpoints: [] }, { tokenTtl: 'soon' }]) {
      assert.equal(indexConfigSchema.safeParse({ v1 }).success, false, JSON.stringify(v1));
    }
  });
});
