// The token server (docker-registry-v2 token.md, oauth.md, jwt.md): who gets which actions,
// which credentials work, refresh tokens, and tokens verifiable with the published keys.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, X509Certificate, type JsonWebKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import type { Index } from '../../src/index.js';
import { assertError, basic, buildIndex, createPat, createRepo, makeAdmin, password, signUp, type TestUser } from './harness.js';

interface Claims {
  iss: string;
  sub: string;
  aud: string;
  access: { type: string; name: string; actions: string[] }[];
}

function getToken(index: Index, scope: string | string[], auth?: string, extra: Record<string, string> = {}) {
  const test = request(index.app).get('/token').query({ service: 'wharf-registry', scope, ...extra });
  return auth ? test.set('Authorization', auth) : test;
}

/** The actions a token grants on one repository (or registry resource). */
async function actions(index: Index, scope: string, who?: TestUser | string): Promise<string[]> {
  const auth = typeof who === 'string' ? who : who?.auth;
  const res = await getToken(index, scope, auth);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const claims = jwt.decode(res.body.token) as Claims;
  return claims.access.flatMap((a) => a.actions).sort();
}

async function setup() {
  const index = await buildIndex();
  const alice = await signUp(index, 'alice');
  const bob = await signUp(index, 'bobby');
  await createRepo(index, alice, 'alice/public', 'public');
  await createRepo(index, alice, 'alice/secret', 'private');
  return { index, alice, bob };
}

describe('GET /token: what is granted', () => {
  it('lets anyone pull a public repository, and nothing more', async () => {
    const { index } = await setup();
    assert.deepEqual(await actions(index, 'repository:alice/public:pull,push'), ['pull']);
  });

  it('grants nothing on a private repository to anonymous callers or strangers', async () => {
    const { index, bob } = await setup();
    assert.deepEqual(await actions(index, 'repository:alice/secret:pull'), []);
    assert.deepEqual(await actions(index, 'repository:alice/secret:pull', bob), []);
  });

  it('gives the namespace owner pull, push and delete', async () => {
    const { index, alice } = await setup();
    assert.deepEqual(await actions(index, 'repository:alice/secret:pull,push,delete', alice), ['delete', 'pull', 'push']);
  });

  it('answers "*" with * for those who may do everything, and with the allowed actions otherwise', async () => {
    const { index, alice, bob } = await setup();
    assert.deepEqual(await actions(index, 'repository:alice/secret:*', alice), ['*']);
    assert.deepEqual(await actions(index, 'repository:alice/public:*', bob), ['pull']);
    assert.deepEqual(await actions(index, 'repository:alice/secret:*', bob), []);
  });

  it('gives collaborators read → pull, write → pull,push, admin → everything', async () => {
    const { index, alice, bob } = await setup();
    const expected = { read: ['pull'], write: ['pull', 'push'], admin: ['delete', 'pull', 'push'] };
    for (const [permission, granted] of Object.entries(expected)) {
      await request(index.app).put('/api/repositories/alice/secret/collaborators/bobby').set('Authorization', alice.auth).send({ permission }).expect(204);
      assert.deepEqual(await actions(index, 'repository:alice/secret:pull,push,delete', bob), granted, permission);
    }
  });

  it('gives organization owners everything and team members their team permission', async () => {
    const { index, alice, bob } = await setup();
    await request(index.app).post('/api/orgs').set('Authorization', alice.auth).send({ name: 'acme' }).expect(201);
    await createRepo(index, alice, 'acme/app', 'private');
    assert.deepEqual(await actions(index, 'repository:acme/app:pull,push,delete', alice), ['delete', 'pull', 'push']);
    await request(index.app).put('/api/orgs/acme/members/bobby').set('Authorization', alice.auth).send({ role: 'member' }).expect(204);
    assert.deepEqual(await actions(index, 'repository:acme/app:pull,push,delete', bob), [], 'membership alone grants nothing');
    await request(index.app).post('/api/orgs/acme/teams').set('Authorization', alice.auth).send({ name: 'devs' }).expect(201);
    await request(index.app).put('/api/orgs/acme/teams/devs/members/bobby').set('Authorization', alice.auth).expect(204);
    await request(index.app).put('/api/orgs/acme/teams/devs/repositories/acme/app').set('Authorization', alice.auth).send({ permission: 'write' }).expect(204);
    assert.deepEqual(await actions(index, 'repository:acme/app:pull,push,delete', bob), ['pull', 'push']);
  });

  it('gives site admins registry:catalog:*, and nobody else', async () => {
    const { index, alice } = await setup();
    const admin = await makeAdmin(index);
    assert.deepEqual(await actions(index, 'registry:catalog:*', admin), ['*']);
    assert.deepEqual(await actions(index, 'registry:catalog:*', alice), []);
    assert.deepEqual(await actions(index, 'registry:catalog:*'), []);
  });

  it('answers a partial grant with fewer actions, not an error, and audits it as denied', async () => {
    const { index, bob } = await setup();
    const res = await getToken(index, ['repository:alice/public:pull,push', 'repository:alice/secret:pull'], bob.auth);
    assert.equal(res.status, 200);
    assert.equal(res.body.scope, 'repository:alice/public:pull');
    assert.deepEqual((jwt.decode(res.body.token) as Claims).access, [{ type: 'repository', name: 'alice/public', actions: ['pull'] }]);
    const [entry] = index.store.audit.query({ action: 'token' });
    assert.equal(entry?.outcome, 'denied');
  });
});

describe('GET /token: credentials', () => {
  it('is 401 UNAUTHORIZED for a wrong password, an unknown user and a non-Basic header', async () => {
    const { index } = await setup();
    assertError(await getToken(index, 'repository:alice/public:pull', basic('alice', 'wrong-password')), 401, 'UNAUTHORIZED');
    assertError(await getToken(index, 'repository:alice/public:pull', basic('nobody', password)), 401, 'UNAUTHORIZED');
    assertError(await getToken(index, 'repository:alice/public:pull', 'Bearer something'), 401, 'UNAUTHORIZED');
  });

  it('takes a personal access token as the password, capped to its permission', async () => {
    const { index, alice } = await setup();
    const read = basic('alice', await createPat(index, alice, 'ro', 'read'));
    const readWrite = basic('alice', await createPat(index, alice, 'rw', 'read-write'));
    assert.deepEqual(await actions(index, 'repository:alice/secret:pull,push,delete', read), ['pull']);
    assert.deepEqual(await actions(index, 'repository:alice/secret:pull,push,delete', readWrite), ['pull', 'push']);
  });

  it('is 401 for a revoked token, a deleted user and a disabled user', async () => {
    const { index, alice, bob } = await setup();
    const secret = await createPat(index, alice, 'ci', 'read');
    const [token] = (await request(index.app).get('/api/user/tokens').set('Authorization', alice.auth)).body.tokens;
    await request(index.app).delete(`/api/user/tokens/${token.id}`).set('Authorization', alice.auth).expect(204);
    assertError(await getToken(index, 'repository:alice/public:pull', basic('alice', secret)), 401, 'UNAUTHORIZED');
    await request(index.app).delete('/api/user').set('Authorization', alice.auth).expect(204);
    assertError(await getToken(index, 'repository:alice/public:pull', alice.auth), 401, 'UNAUTHORIZED');
    const admin = await makeAdmin(index);
    await request(index.app).patch('/api/users/bobby').set('Authorization', admin.auth).send({ disabled: true }).expect(200);
    assertError(await getToken(index, 'repository:alice/public:pull', bob.auth), 401, 'UNAUTHORIZED');
  });

  it('is 400 INVALID_REQUEST for an invalid scope or an unknown service', async () => {
    const { index, alice } = await setup();
    assertError(await getToken(index, 'repository:alice/public', alice.auth), 400, 'INVALID_REQUEST');
    assertError(await getToken(index, 'not a scope'), 400, 'INVALID_REQUEST');
    const res = await request(index.app).get('/token').query({ service: 'elsewhere', scope: 'repository:alice/public:pull' });
    assertError(res, 400, 'INVALID_REQUEST');
  });
});

describe('refresh tokens', () => {
  it('GET offline_token=true adds a refresh_token for a user, never for anonymous callers', async () => {
    const { index, alice } = await setup();
    const res = await getToken(index, 'repository:alice/public:pull', alice.auth, { offline_token: 'true', client_id: 'docker' });
    assert.match(res.body.refresh_token, /^wharf_rt_/);
    assert.equal((await getToken(index, 'repository:alice/public:pull', alice.auth)).body.refresh_token, undefined);
    assert.equal((await getToken(index, 'repository:alice/public:pull', undefined, { offline_token: 'true' })).body.refresh_token, undefined);
  });

  it('POST grant_type=password with access_type=offline, then grant_type=refresh_token', async () => {
    const { index } = await setup();
    const login = await request(index.app).post('/token').type('form')
      .send({ grant_type: 'password', username: 'alice', password, client_id: 'docker', access_type: 'offline', service: 'wharf-registry' });
    assert.equal(login.status, 200, JSON.stringify(login.body));
    assert.ok(login.body.access_token && login.body.refresh_token);
    const refreshed = await request(index.app).post('/token').type('form')
      .send({ grant_type: 'refresh_token', refresh_token: login.body.refresh_token, client_id: 'docker', service: 'wharf-registry', scope: 'repository:alice/secret:pull,push' });
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
    const claims = jwt.decode(refreshed.body.access_token) as Claims;
    assert.equal(claims.sub, 'alice');
    assert.deepEqual(claims.access[0]?.actions, ['pull', 'push']);
  });

  it('POST refuses a missing client_id, an unknown grant_type and a bogus refresh token', async () => {
    const { index } = await setup();
    assertError(await request(index.app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password }), 400, 'INVALID_REQUEST');
    assertError(await request(index.app).post('/token').type('form').send({ grant_type: 'magic', client_id: 'x' }), 400, 'INVALID_REQUEST');
    assertError(await request(index.app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: 'wharf_rt_nope', client_id: 'x' }), 401, 'UNAUTHORIZED');
  });

  async function refreshWith(index: Index, refreshToken: string) {
    return request(index.app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'docker' });
  }

  it('dies when the password changes', async () => {
    const { index, alice } = await setup();
    const { refresh_token } = (await getToken(index, 'repository:alice/public:pull', alice.auth, { offline_token: 'true' })).body;
    assert.equal((await refreshWith(index, refresh_token)).status, 200);
    await request(index.app).patch('/api/user').set('Authorization', alice.auth).send({ password: 'a-new-password' }).expect(200);
    assertError(await refreshWith(index, refresh_token), 401, 'UNAUTHORIZED');
  });

  it('dies when the user is deleted', async () => {
    const { index, bob } = await setup();
    const { refresh_token } = (await getToken(index, 'repository:alice/public:pull', bob.auth, { offline_token: 'true' })).body;
    await request(index.app).delete('/api/user').set('Authorization', bob.auth).expect(204);
    assertError(await refreshWith(index, refresh_token), 401, 'UNAUTHORIZED');
  });
});

describe('signing keys', () => {
  it('every token verifies with the JWKS key its kid names, with the right iss, aud, sub and access', async () => {
    const { index, alice } = await setup();
    const res = await getToken(index, 'repository:alice/secret:pull', alice.auth);
    const keys = await request(index.app).get('/keys');
    assert.equal(keys.status, 200);
    assert.match(String(keys.headers['content-type']), /^application\/jwk-set\+json/);
    const jwks = JSON.parse(keys.text) as { keys: (JsonWebKey & { kid: string; alg: string })[] };
    const header = jwt.decode(res.body.token, { complete: true })!.header;
    const jwk = jwks.keys.find((k) => k.kid === header.kid);
    assert.ok(jwk, `no key ${header.kid} in the JWKS`);
    assert.equal(jwk.alg, 'ES256');
    const claims = jwt.verify(res.body.token, createPublicKey({ key: jwk, format: 'jwk' }), {
      algorithms: ['ES256'],
      issuer: 'wharf-index',
      audience: 'wharf-registry',
    }) as Claims;
    assert.equal(claims.sub, 'alice');
    assert.deepEqual(claims.access, [{ type: 'repository', name: 'alice/secret', actions: ['pull'] }]);
  });

  it('anonymous tokens have an empty subject', async () => {
    const { index } = await setup();
    const res = await getToken(index, 'repository:alice/public:pull');
    assert.equal((jwt.decode(res.body.token) as Claims).sub, '');
  });

  it('GET /keys/certificates.pem is a certificate bundle holding the same public key', async () => {
    const { index } = await setup();
    const pem = await request(index.app).get('/keys/certificates.pem').buffer(true).parse((r, cb) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString()));
      r.on('end', () => cb(null, text));
    });
    assert.equal(pem.status, 200);
    const certificate = new X509Certificate(pem.body as string);
    const [jwk] = (JSON.parse((await request(index.app).get('/keys')).text) as { keys: JsonWebKey[] }).keys;
    const fromJwks = createPublicKey({ key: jwk!, format: 'jwk' }).export({ type: 'spki', format: 'der' });
    assert.deepEqual(certificate.publicKey.export({ type: 'spki', format: 'der' }), fromJwks);
  });
});
