// Liveness (/healthz), readiness (/readyz, and /health as its alias) for load balancers and
// orchestrators, and GET /metrics (Prometheus) when enabled: requests, storage operations, open
// upload sessions and refused tokens, scraped after real requests.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { sampleValue } from '@wharf/common';
import { StorageDriverError } from '../../src/index.js';
import { buildRegistry, pushBlob, recordingDriver, startUpload } from './harness.js';

function brokenStorage() {
  const { driver } = recordingDriver();
  driver.stat = async () => {
    throw new StorageDriverError('InvalidPath', '/', 'broken', 'disk on fire');
  };
  return driver;
}

/** Token mode whose keys can never load: the JWKS URL refuses connections. */
const unreachableTokenServer = {
  token: { realm: 'http://127.0.0.1:1/token', service: 'wharf-registry', issuer: 'nobody', jwks: 'http://127.0.0.1:1/keys' },
};

describe('GET /healthz, /readyz, /health', () => {
  it('are 200 while storage answers, even before anything was pushed', async () => {
    const { app } = await buildRegistry();
    assert.deepEqual((await request(app).get('/healthz').expect(200)).body, { status: 'ok' });
    const ready = await request(app).get('/readyz').expect(200);
    assert.deepEqual(ready.body, { status: 'ok', checks: { storage: 'ok' } });
    assert.equal(ready.headers['cache-control'], 'no-store');
    assert.deepEqual((await request(app).get('/health').expect(200)).body, ready.body);
  });

  it('readiness is 503 naming storage when it fails; liveness stays 200; nothing internal is shown', async () => {
    const { app } = await buildRegistry({ driver: brokenStorage() });
    assert.equal((await request(app).get('/healthz')).status, 200);
    for (const path of ['/readyz', '/health']) {
      const res = await request(app).get(path);
      assert.equal(res.status, 503);
      assert.deepEqual(res.body, { status: 'unavailable', checks: { storage: 'error' }, failing: ['storage'] });
      assert.doesNotMatch(res.text, /fire/);
    }
  });

  it('readiness gives up on storage that does not answer in time', async () => {
    const { driver } = recordingDriver();
    driver.stat = () => new Promise(() => {});
    const { app } = await buildRegistry({ driver });
    const started = Date.now();
    const res = await request(app).get('/readyz');
    assert.equal(res.status, 503);
    assert.deepEqual(res.body.failing, ['storage']);
    assert.match(res.body.checks.storage, /^timed out after \d+ ms$/);
    assert.ok(Date.now() - started < 5000, 'the check was not bounded');
  });

  it('in token mode, readiness needs signing keys: 503 naming auth while none could be loaded', async () => {
    const { app } = await buildRegistry({ auth: unreachableTokenServer });
    const res = await request(app).get('/readyz');
    assert.equal(res.status, 503);
    assert.deepEqual(res.body, { status: 'unavailable', checks: { storage: 'ok', auth: 'no token signing keys loaded' }, failing: ['auth'] });
    assert.equal((await request(app).get('/healthz')).status, 200);
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

  it('reports open upload sessions and storage operations with their errors', async () => {
    const { app } = await buildRegistry({ metrics: true });
    const scrape = async () => (await request(app).get('/metrics').expect(200)).text;
    const openSessions = async () => sampleValue(await scrape(), 'wharf_registry_upload_sessions_open');
    assert.equal(await openSessions(), 0);
    const open = await startUpload(app, 'demo/app');
    await startUpload(app, 'demo/app');
    assert.equal(await openSessions(), 2);
    await request(app).delete(open).expect(204);
    await pushBlob(app, 'demo/app', 'a layer');
    await request(app).head(`/v2/demo/app/blobs/sha256:${'0'.repeat(64)}`).expect(404);
    // Two started, one cancelled; pushBlob's own session was committed.
    assert.equal(await openSessions(), 1);
    const text = await scrape();
    const memory = { driver: 'memory' };
    assert.ok(sampleValue(text, 'wharf_storage_operation_duration_seconds_count', { ...memory, operation: 'putContent' })! > 0);
    assert.ok(sampleValue(text, 'wharf_storage_operation_duration_seconds_count', { ...memory, operation: 'writer.append' })! > 0);
    assert.ok(sampleValue(text, 'wharf_storage_operation_errors_total', { ...memory, operation: 'stat', kind: 'PathNotFound' })! > 0);
    assert.equal(sampleValue(text, 'wharf_storage_operation_errors_total', { kind: 'other' }), undefined);
  });

  it('counts refused bearer tokens by reason', async () => {
    const { app } = await buildRegistry({ metrics: true, auth: unreachableTokenServer });
    const header = (h: object) => Buffer.from(JSON.stringify(h)).toString('base64url');
    await request(app).get('/v2/').set('Authorization', `Bearer ${Buffer.from('not json').toString('base64url')}.e30.sig`).expect(401);
    await request(app).get('/v2/').set('Authorization', `Bearer ${header({ alg: 'none' })}.${header({})}.`).expect(401);
    await request(app).get('/v2/').set('Authorization', `Bearer ${header({ alg: 'none' })}.${header({})}.`).expect(401);
    await request(app).get('/v2/').expect(401); // no token: the challenge, not a failure
    const text = (await request(app).get('/metrics').expect(200)).text;
    assert.equal(sampleValue(text, 'wharf_registry_token_failures_total', { reason: 'algorithm' }), 2);
    assert.equal(sampleValue(text, 'wharf_registry_token_failures_total', { reason: 'malformed' }), 1);
    assert.doesNotMatch(text, /reason="(?!algorithm|malformed)/);
  });
});
