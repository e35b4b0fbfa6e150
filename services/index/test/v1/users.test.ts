// The v1 accounts routes as Docker 1.x uses them: `docker login` posts to /v1/users/ and, on the
// exact answer 400 "Username or email already exists", checks the credentials at GET /v1/users/.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { basic, buildIndex, createPat, password, signUp } from '../api/harness.js';
import { assertV1Error } from './helpers.js';

const signUpBody = (username: string, extra: Record<string, unknown> = {}) => ({ username, password, email: `${username}@example.com`, ...extra });

describe('v1 ping', () => {
  it('GET /v1/_ping answers 200 true and says the index is not a standalone registry', async () => {
    const index = await buildIndex();
    const res = await request(index.app).get('/v1/_ping');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'true');
    assert.equal(res.headers['x-docker-registry-standalone'], 'False');
  });

  it('is absent when v1 is disabled', async () => {
    const index = await buildIndex({ v1: { enabled: false } });
    assert.equal((await request(index.app).get('/v1/_ping')).status, 404);
  });
});

describe('POST /v1/users/', () => {
  it('creates an account: 201 "User Created", usable on the JSON API, audited', async () => {
    const index = await buildIndex();
    const res = await request(index.app).post('/v1/users/').send(signUpBody('alice'));
    assert.equal(res.status, 201);
    assert.equal(res.text, '"User Created"');
    const me = await request(index.app).get('/api/user').set('Authorization', basic('alice', password));
    assert.equal(me.status, 200);
    assert.equal(index.store.namespaces.byName('alice')?.kind, 'user');
    assert.equal(index.store.audit.query({ action: 'user.create' })[0]?.detail.via, 'v1');
  });

  it('answers an existing name with exactly the JSON string Docker compares, whatever the rest of the body', async () => {
    const index = await buildIndex();
    await signUp(index, 'alice');
    // docker login sends the user's credentials and whatever email was typed.
    const res = await request(index.app).post('/v1/users/').send(signUpBody('alice', { email: 'not-an-email', password: 'x' }));
    assert.equal(res.status, 400);
    assert.equal(res.text, '"Username or email already exists"');
    assert.match(String(res.headers['content-type']), /^application\/json/);
  });

  it('treats an organization name as taken', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    assert.equal((await request(index.app).post('/api/orgs').set('Authorization', alice.auth).send({ name: 'acme' })).status, 201);
    assert.equal((await request(index.app).post('/v1/users/').send(signUpBody('acme'))).text, '"Username or email already exists"');
  });

  it('validates like the JSON API: 400 {"error"} for a bad username, email or password', async () => {
    const index = await buildIndex();
    for (const body of [signUpBody('Al'), signUpBody('UPPER'), signUpBody('bobby', { email: 'nope' }), signUpBody('bobby', { password: 'short' }), signUpBody('library')]) {
      assertV1Error(await request(index.app).post('/v1/users/').send(body), 400);
    }
    assertV1Error(await request(index.app).post('/v1/users/').set('Content-Type', 'application/json').send('{"username":'), 400, /JSON/);
    assert.equal(index.store.users.count(), 0);
  });

  it('answers 401 when sign-up is closed, so docker login falls back to GET /v1/users/', async () => {
    const index = await buildIndex({ accounts: { signup: false } });
    assertV1Error(await request(index.app).post('/v1/users/').send(signUpBody('alice')), 401, /sign-up is closed/);
    assert.equal(index.store.users.count(), 0);
  });
});

describe('GET /v1/users/', () => {
  it('answers 200 "OK" for a good password or access token, and audits the login', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const res = await request(index.app).get('/v1/users/').set('Authorization', alice.auth);
    assert.equal(res.status, 200);
    assert.equal(res.text, '"OK"');
    const pat = await createPat(index, alice, 'ci', 'read');
    assert.equal((await request(index.app).get('/v1/users').set('Authorization', basic('alice', pat))).status, 200);
    const logins = index.store.audit.query({ action: 'login', actor: 'alice' });
    assert.deepEqual(logins.map((l) => [l.outcome, l.detail.via]), [['ok', 'v1'], ['ok', 'v1']]);
  });

  it('answers 401 with a Basic challenge for no, wrong or unknown credentials', async () => {
    const index = await buildIndex();
    await signUp(index, 'alice');
    for (const auth of [undefined, basic('alice', 'wrong-password'), basic('nobody', password), 'Bearer abc']) {
      const test = request(index.app).get('/v1/users/');
      const res = await (auth ? test.set('Authorization', auth) : test);
      assertV1Error(res, 401);
      assert.match(String(res.headers['www-authenticate']), /^Basic realm="wharf"/);
    }
    assert.equal(index.store.audit.query({ action: 'login', actor: 'alice' })[0]?.outcome, 'denied');
  });

  it('answers 403 for a disabled account with the right password, 401 with a wrong one', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const pat = await createPat(index, alice, 'ci', 'read');
    index.store.users.update(index.store.users.byName('alice')!.id, { disabled: true });
    assertV1Error(await request(index.app).get('/v1/users/').set('Authorization', alice.auth), 403, /not active/);
    assertV1Error(await request(index.app).get('/v1/users/').set('Authorization', basic('alice', pat)), 403);
    assertV1Error(await request(index.app).get('/v1/users/').set('Authorization', basic('alice', 'wrong-password')), 401);
  });
});

describe('PUT /v1/users/<u>/', () => {
  it('changes the email and password: 204, the new password works, the old one does not', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const res = await request(index.app).put('/v1/users/alice/').set('Authorization', alice.auth).send({ email: 'new@example.com', password: 'another-pass-42' });
    assert.equal(res.status, 204);
    assert.equal(index.store.users.byName('alice')?.email, 'new@example.com');
    assert.equal((await request(index.app).get('/v1/users/').set('Authorization', basic('alice', 'another-pass-42'))).status, 200);
    assert.equal((await request(index.app).get('/v1/users/').set('Authorization', alice.auth)).status, 401);
  });

  it('refuses other accounts (403), unknown ones (404), access tokens (403), bad fields (400), no login (401)', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    await signUp(index, 'bobby');
    const pat = await createPat(index, alice, 'ci', 'read-write-delete');
    const put = (user: string, auth: string | undefined, body: object) => {
      const test = request(index.app).put(`/v1/users/${user}/`);
      return (auth ? test.set('Authorization', auth) : test).send(body);
    };
    assertV1Error(await put('bobby', alice.auth, { email: 'x@example.com' }), 403);
    assertV1Error(await put('nobody', alice.auth, { email: 'x@example.com' }), 404);
    assertV1Error(await put('alice', basic('alice', pat), { email: 'x@example.com' }), 403, /password/);
    assertV1Error(await put('alice', alice.auth, { email: 'not-an-email' }), 400);
    assertV1Error(await put('alice', undefined, { email: 'x@example.com' }), 401);
    assert.equal(index.store.users.byName('alice')?.email, 'alice@example.com');
  });
});

describe('v1 login rate limits', () => {
  it('counts failed Basic logins at /v1/users/ per (account, address), with the limits /token uses', async () => {
    const index = await buildIndex({ http: { trustProxy: 1 }, rateLimit: { window: '1m', perAddress: 100, failedPerAccount: 2 } });
    const alice = await signUp(index, 'alice');
    const from = (address: string, auth: string) => request(index.app).get('/v1/users/').set('X-Forwarded-For', address).set('Authorization', auth);
    assertV1Error(await from('10.0.0.1', basic('alice', 'wrong-password')), 401);
    // The same budget as /token: a failure there counts here.
    await request(index.app).get('/token').query({ service: 'wharf-registry' }).set('X-Forwarded-For', '10.0.0.1').set('Authorization', basic('alice', 'wrong-password'));
    const limited = await from('10.0.0.1', alice.auth);
    assertV1Error(limited, 429);
    assert.match(String(limited.headers['retry-after']), /^\d+$/);
    assert.equal((await from('10.0.0.2', alice.auth)).status, 200);
  });

  it('does not count docker login\'s "already exists" answers as failures, but limits sign-ups per address', async () => {
    const index = await buildIndex({ http: { trustProxy: 1 }, rateLimit: { window: '1m', perAddress: 2, failedPerAccount: 1 } });
    await signUp(index, 'alice');
    for (let i = 0; i < 4; i++) {
      const res = await request(index.app).post('/v1/users/').set('X-Forwarded-For', '10.0.0.1').send(signUpBody('alice'));
      assert.equal(res.status, 400);
    }
    assert.equal((await request(index.app).post('/v1/users/').set('X-Forwarded-For', '10.0.0.1').send(signUpBody('bobby'))).status, 201);
    assert.equal((await request(index.app).post('/v1/users/').set('X-Forwarded-For', '10.0.0.1').send(signUpBody('carol'))).status, 201);
    assertV1Error(await request(index.app).post('/v1/users/').set('X-Forwarded-For', '10.0.0.1').send(signUpBody('dave1')), 429);
  });
});
