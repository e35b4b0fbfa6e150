// GET /health for load balancers and GET /metrics (Prometheus) when enabled.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { StorageDriverError } from '../../src/index.js';
import { buildRegistry, recordingDriver } from './harness.js';

describe('GET /health', () => {
  it('is 200 while storage answers, even before anything was pushed', async () => {
    const { app } = await buildRegistry();
    const res = await request(app).get('/health');
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'ok');
  });

  it('is 503 when storage fails', async () => {
    const { driver } = recordingDriver();
    driver.stat = async () => {
      throw new StorageDriverError('InvalidPath', '/', 'broken', 'disk on fire');
    };
    const { app } = await buildRegistry({ driver });
    const res = await request(app).get('/health');
    assert.equal(res.status, 503);
    assert.equal(res.body.status, 'unavailable');
  });
});

describe('GET /metrics', () => {
  it('is absent unless enabled', async () => {
    const { app } = await buildRegistry();
    assert.equal((await request(app).get('/metrics')).status, 404);
  });

  it('counts requests by route id, method and status', async () => {
    const { app } = await buildRegistry({ metrics: true });
    await request(app).get('/v2/').expect(200);
    await request(app).get('/v2/demo/app/manifests/latest').expect(404);
    const res = await request(app).get('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /^text\/plain/);
    assert.match(res.text, /wharf_http_requests_total\{route="v2:base",method="GET",status="200",service="registry"\} 1/);
    assert.match(res.text, /wharf_http_requests_total\{route="v2:manifest",method="GET",status="404",service="registry"\} 1/);
    assert.match(res.text, /wharf_http_request_duration_seconds_bucket/);
    assert.match(res.text, /wharf_process_cpu_seconds_total/);
    assert.doesNotMatch(res.text, /demo\/app/, 'no raw paths in labels');
  });
});
