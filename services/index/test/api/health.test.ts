// Liveness (/healthz) and readiness (/readyz, /health as its alias): the database answers and
// signing keys are loaded; a failing check is 503 naming it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import request from 'supertest';
import { readiness } from '@wharf/common';
import { openIndexStore } from '../../src/index.js';
import { indexReadiness } from '../../src/http/routes/health.js';
import { buildIndex } from './harness.js';

const logger = pino({ level: 'silent' });

describe('index health', () => {
  it('GET /healthz, /readyz and /health are 200 with the database answering and keys loaded', async () => {
    const index = await buildIndex();
    assert.deepEqual((await request(index.app).get('/healthz').expect(200)).body, { status: 'ok' });
    const ready = await request(index.app).get('/readyz').expect(200);
    assert.deepEqual(ready.body, { status: 'ok', checks: { database: 'ok', signingKeys: 'ok' } });
    assert.deepEqual((await request(index.app).get('/health').expect(200)).body, ready.body);
  });

  it('readiness names the database when it does not answer, and missing signing keys', async () => {
    const store = openIndexStore(':memory:');
    store.close();
    const report = await readiness(indexReadiness(store, () => []), logger);
    assert.deepEqual(report, {
      status: 'unavailable',
      checks: { database: 'error', signingKeys: 'no token signing keys loaded' },
      failing: ['database', 'signingKeys'],
    });
  });
});
