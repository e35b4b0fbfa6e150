// GET /v2/ (OCI end-1; Docker API "API Version Check").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { apiVersion, assertError, buildRegistry } from './harness.js';

describe('base endpoint /v2/', () => {
  it('GET /v2/ answers 200 with the API version header and an empty JSON object', async () => {
    const { app } = await buildRegistry();
    const res = await request(app).get('/v2/');
    assert.equal(res.status, 200);
    assert.equal(res.headers['docker-distribution-api-version'], apiVersion);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(res.body, {});
  });

  it('GET /v2 without the trailing slash is the same endpoint', async () => {
    const { app } = await buildRegistry();
    const res = await request(app).get('/v2');
    assert.equal(res.status, 200);
    assert.equal(res.headers['docker-distribution-api-version'], apiVersion);
  });

  it('HEAD /v2/ answers 200 with the header and no body', async () => {
    const { app } = await buildRegistry();
    const res = await request(app).head('/v2/');
    assert.equal(res.status, 200);
    assert.equal(res.headers['docker-distribution-api-version'], apiVersion);
    assert.equal(res.text, undefined);
  });

  it('tags every response with a request id, keeping a sane X-Request-Id from the caller', async () => {
    const { app } = await buildRegistry();
    const own = await request(app).get('/v2/').set('X-Request-Id', 'trace-42');
    assert.equal(own.headers['x-request-id'], 'trace-42');
    const insane = await request(app).get('/v2/').set('X-Request-Id', 'bad id with spaces');
    assert.notEqual(insane.headers['x-request-id'], 'bad id with spaces');
    assert.match(String(insane.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('carries the API version header on error responses too', async () => {
    const { app } = await buildRegistry();
    assertError(await request(app).get('/v2/library/missing/manifests/latest'), 404, 'MANIFEST_UNKNOWN');
    assertError(await request(app).delete('/v2/'), 405, 'UNSUPPORTED');
    assertError(await request(app).post('/v2/'), 405, 'UNSUPPORTED');
    assertError(await request(app).get('/not-the-api'), 404, 'NOT_FOUND');
  });
});
