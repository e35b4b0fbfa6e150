// GET /health answers while the database does; GET /metrics (Prometheus) when enabled.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { buildIndex } from './harness.js';

describe('index health and metrics', () => {
  it('GET /health is 200 with the database answering', async () => {
    const index = await buildIndex();
    const res = await request(index.app).get('/health');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('GET /metrics is absent by default and counts token requests by route when enabled', async () => {
    assert.equal((await request((await buildIndex()).app).get('/metrics')).status, 404);
    const index = await buildIndex({ http: { metrics: true } });
    await request(index.app).get('/token').query({ service: 'wharf-registry' }).expect(200);
    const res = await request(index.app).get('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.text, /wharf_http_requests_total\{route="\/token",method="GET",status="200",service="index"\} 1/);
  });
});
