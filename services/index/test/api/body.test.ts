// Malformed or oversized request bodies are the caller's error (4xx envelope), never a 500; and
// password checks through the JSON API are rate-limited like the token endpoint.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { assertError, basic, buildIndex, signUp } from './harness.js';

describe('request bodies', () => {
  it('answers malformed JSON with 400 INVALID_REQUEST', async () => {
    const index = await buildIndex();
    const res = await request(index.app).post('/api/users').set('Content-Type', 'application/json').send('{"username": ');
    assertError(res, 400, 'INVALID_REQUEST');
  });

  it('answers a body over 1 MiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const index = await buildIndex();
    const res = await request(index.app)
      .post('/api/users')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ username: 'alice', padding: 'x'.repeat(1_100_000) }));
    assertError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers a body that is not JSON (a form, as curl -d sends) with 400 INVALID_REQUEST, changing nothing', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const created = await request(index.app).post('/api/repositories').set('Authorization', alice.auth).send({ name: 'alice/app', visibility: 'public' });
    assert.equal(created.status, 201, created.text);
    const form = await request(index.app)
      .patch('/api/repositories/alice/app')
      .set('Authorization', alice.auth)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('{"visibility":"private"}');
    assertError(form, 400, 'INVALID_REQUEST');
    assert.match(form.body.errors[0].message, /Content-Type: application\/json/);
    assert.equal((await request(index.app).get('/api/repositories/alice/app').set('Authorization', alice.auth)).body.visibility, 'public');
    // Bodiless requests need no Content-Type.
    assert.equal((await request(index.app).put('/api/repositories/alice/app/star').set('Authorization', alice.auth)).status, 204);
  });
});

describe('JSON API password checks', () => {
  it('are limited per (account, address) like /token', async () => {
    const index = await buildIndex({ rateLimit: { failedPerAccount: 3, perAddress: 1000 } });
    await signUp(index, 'alice');
    for (let i = 0; i < 3; i++) {
      assertError(await request(index.app).get('/api/user').set('Authorization', basic('alice', `wrong-${i}`)), 401, 'UNAUTHORIZED');
    }
    const limited = await request(index.app).get('/api/user').set('Authorization', basic('alice', 'wrong-again'));
    assertError(limited, 429, 'TOOMANYREQUESTS');
    assert.ok(limited.headers['retry-after'], 'Retry-After is sent');
  });
});
