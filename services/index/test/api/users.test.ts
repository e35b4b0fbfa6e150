// Accounts over the JSON API: sign-up, login with HTTP Basic, the caller's own account, and
// personal access tokens.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { assertError, basic, buildIndex, createPat, makeAdmin, password, signUp } from './harness.js';

describe('sign-up', () => {
  it('creates the account and its namespace, and never shows the hash', async () => {
    const index = await buildIndex();
    const res = await request(index.app).post('/api/users').send({ username: 'alice', email: 'alice@example.com', password });
    assert.equal(res.status, 201);
    assert.equal(res.body.username, 'alice');
    assert.equal(res.body.isAdmin, false);
    assert.equal(res.body.passwordHash, undefined);
    assert.equal(index.store.namespaces.byName('alice')?.kind, 'user');
  });

  for (const [why, username] of [['short', 'abc'], ['upper case', 'Alice'], ['punctuation', 'al-ice'], ['reserved', 'admin'], ['reserved', 'library'], ['missing', undefined]] as const) {
    it(`refuses a ${why} username (${String(username)}) with 400 INVALID_FIELD`, async () => {
      const index = await buildIndex();
      const res = await request(index.app).post('/api/users').send({ username, email: 'x@example.com', password });
      assertError(res, 400, 'INVALID_FIELD');
      assert.deepEqual(res.body.errors[0].detail, { field: 'username' });
    });
  }

  it('refuses a bad email, a short password and one longer than bcrypt reads (72 bytes)', async () => {
    const index = await buildIndex();
    const cases = [
      [{ email: 'not-an-email', password }, 'email'],
      [{ email: 'a@example.com', password: 'short' }, 'password'],
      [{ email: 'a@example.com', password: 'ü'.repeat(40) }, 'password'],
    ] as const;
    for (const [fields, field] of cases) {
      const res = await request(index.app).post('/api/users').send({ username: 'alice', ...fields });
      assertError(res, 400, 'INVALID_FIELD');
      assert.deepEqual(res.body.errors[0].detail, { field });
    }
  });

  it('refuses a taken name with 409 NAME_TAKEN, whether a user or an organization holds it', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    assertError(await request(index.app).post('/api/users').send({ username: 'alice', email: 'b@example.com', password }), 409, 'NAME_TAKEN');
    await request(index.app).post('/api/orgs').set('Authorization', alice.auth).send({ name: 'acme' }).expect(201);
    assertError(await request(index.app).post('/api/users').send({ username: 'acme', email: 'b@example.com', password }), 409, 'NAME_TAKEN');
  });

  it('is closed to anonymous callers when signup is off, but open to admins', async () => {
    const index = await buildIndex({ accounts: { signup: false } });
    assertError(await request(index.app).post('/api/users').send({ username: 'alice', email: 'a@example.com', password }), 403, 'DENIED');
    const admin = await makeAdmin(index);
    const res = await request(index.app).post('/api/users').set('Authorization', admin.auth).send({ username: 'alice', email: 'a@example.com', password });
    assert.equal(res.status, 201);
  });
});

describe('login with HTTP Basic', () => {
  it('answers GET /api/user for the right password', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const res = await request(index.app).get('/api/user').set('Authorization', alice.auth);
    assert.equal(res.status, 200);
    assert.equal(res.body.username, 'alice');
  });

  it('is 401 UNAUTHORIZED with a Basic challenge for a wrong password, an unknown user or a non-Basic header', async () => {
    const index = await buildIndex();
    await signUp(index, 'alice');
    for (const auth of [basic('alice', 'wrong-password'), basic('nobody', password), 'Bearer abc']) {
      const res = await request(index.app).get('/api/user').set('Authorization', auth);
      assertError(res, 401, 'UNAUTHORIZED');
      assert.match(String(res.headers['www-authenticate']), /^Basic /);
    }
  });

  it('is 401 UNAUTHORIZED for anonymous callers of /api/user', async () => {
    const index = await buildIndex();
    assertError(await request(index.app).get('/api/user'), 401, 'UNAUTHORIZED');
  });
});

describe('the own account', () => {
  it('PATCH changes the email and the password; the old password stops working', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const res = await request(index.app).patch('/api/user').set('Authorization', alice.auth).send({ email: 'new@example.com', password: 'another-password' });
    assert.equal(res.status, 200);
    assert.equal(res.body.email, 'new@example.com');
    assertError(await request(index.app).get('/api/user').set('Authorization', alice.auth), 401, 'UNAUTHORIZED');
    await request(index.app).get('/api/user').set('Authorization', basic('alice', 'another-password')).expect(200);
  });

  it('PATCH with one bad field changes nothing at all', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const res = await request(index.app).patch('/api/user').set('Authorization', alice.auth).send({ email: 'new@example.com', password: 'short' });
    assertError(res, 400, 'INVALID_FIELD');
    assert.equal(index.store.users.byName('alice')?.email, 'alice@example.com');
    assertError(await request(index.app).patch('/api/user').set('Authorization', alice.auth).send({ email: 'nope' }), 400, 'INVALID_FIELD');
  });

  it('DELETE removes the account and its namespace; its credentials then fail', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    await request(index.app).delete('/api/user').set('Authorization', alice.auth).expect(204);
    assertError(await request(index.app).get('/api/user').set('Authorization', alice.auth), 401, 'UNAUTHORIZED');
    assert.equal(index.store.namespaces.byName('alice'), undefined);
  });

  it('DELETE is 409 CONFLICT while the account is the last owner of an organization', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    await request(index.app).post('/api/orgs').set('Authorization', alice.auth).send({ name: 'acme' }).expect(201);
    assertError(await request(index.app).delete('/api/user').set('Authorization', alice.auth), 409, 'CONFLICT');
    await request(index.app).delete('/api/orgs/acme').set('Authorization', alice.auth).expect(204);
    await request(index.app).delete('/api/user').set('Authorization', alice.auth).expect(204);
  });
});

describe('personal access tokens', () => {
  it('shows the secret once at creation; the list never does', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const created = await request(index.app).post('/api/user/tokens').set('Authorization', alice.auth).send({ name: 'ci', permission: 'read-write' });
    assert.equal(created.status, 201);
    assert.match(created.body.token, /^wharf_pat_[A-Za-z0-9_-]{43}$/);
    assert.equal(created.body.permission, 'read-write');
    const list = await request(index.app).get('/api/user/tokens').set('Authorization', alice.auth);
    assert.equal(list.status, 200);
    assert.equal(list.body.tokens.length, 1);
    assert.equal(list.body.tokens[0].name, 'ci');
    assert.equal(list.body.tokens[0].token, undefined);
    assert.ok(!JSON.stringify(list.body).includes(created.body.token));
  });

  it('logs in as the password would, but cannot manage the account', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const pat = basic('alice', await createPat(index, alice, 'ci', 'read'));
    await request(index.app).get('/api/user').set('Authorization', pat).expect(200);
    assertError(await request(index.app).get('/api/user/tokens').set('Authorization', pat), 403, 'DENIED');
    assertError(await request(index.app).delete('/api/user').set('Authorization', pat), 403, 'DENIED');
  });

  it('revoked, it is 401 UNAUTHORIZED; an unknown id is 404 NOT_FOUND', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const secret = await createPat(index, alice, 'ci', 'read');
    const [token] = (await request(index.app).get('/api/user/tokens').set('Authorization', alice.auth)).body.tokens;
    await request(index.app).delete(`/api/user/tokens/${token.id}`).set('Authorization', alice.auth).expect(204);
    assertError(await request(index.app).get('/api/user').set('Authorization', basic('alice', secret)), 401, 'UNAUTHORIZED');
    const listed = await request(index.app).get('/api/user/tokens').set('Authorization', alice.auth);
    assert.ok(listed.body.tokens[0].revokedAt);
    assertError(await request(index.app).delete('/api/user/tokens/9999').set('Authorization', alice.auth), 404, 'NOT_FOUND');
    assertError(await request(index.app).delete('/api/user/tokens/abc').set('Authorization', alice.auth), 404, 'NOT_FOUND');
  });

  it('refuses another user\'s token id, a duplicate name and a bad permission', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const bob = await signUp(index, 'bobby');
    await createPat(index, alice, 'ci', 'read');
    const [token] = (await request(index.app).get('/api/user/tokens').set('Authorization', alice.auth)).body.tokens;
    assertError(await request(index.app).delete(`/api/user/tokens/${token.id}`).set('Authorization', bob.auth), 404, 'NOT_FOUND');
    assertError(await request(index.app).post('/api/user/tokens').set('Authorization', alice.auth).send({ name: 'ci' }), 409, 'NAME_TAKEN');
    const bad = await request(index.app).post('/api/user/tokens').set('Authorization', alice.auth).send({ name: 'x', permission: 'root' });
    assertError(bad, 400, 'INVALID_FIELD');
    assertError(await request(index.app).post('/api/user/tokens').set('Authorization', alice.auth).send({ name: '' }), 400, 'INVALID_FIELD');
  });
});

describe('site admin user management', () => {
  it('lists users for admins only', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const admin = await makeAdmin(index);
    assertError(await request(index.app).get('/api/users').set('Authorization', alice.auth), 403, 'DENIED');
    const res = await request(index.app).get('/api/users?limit=-5').set('Authorization', admin.auth);
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 2);
    assert.equal(res.body.users.length, 1, 'a negative limit is clamped to 1, not read as "no limit"');
  });

  it('disables a user (who then cannot log in) and audits only the checked fields', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const admin = await makeAdmin(index);
    const res = await request(index.app).patch('/api/users/alice').set('Authorization', admin.auth).send({ disabled: true, password: 'sneaky-password' });
    assert.equal(res.status, 200);
    assert.equal(res.body.disabled, true);
    assertError(await request(index.app).get('/api/user').set('Authorization', alice.auth), 401, 'UNAUTHORIZED');
    const [entry] = index.store.audit.query({ action: 'user.update' });
    assert.deepEqual(entry?.detail, { disabled: true });
    assertError(await request(index.app).patch('/api/users/alice').set('Authorization', admin.auth).send({ isAdmin: 'yes' }), 400, 'INVALID_FIELD');
    assertError(await request(index.app).patch('/api/users/nobody').set('Authorization', admin.auth).send({}), 404, 'NOT_FOUND');
  });
});

describe('names of deleted accounts and organizations', () => {
  // The registry keeps a deleted namespace's images: whoever took the name next would own them.
  const signUpAs = (index: Awaited<ReturnType<typeof buildIndex>>, username: string) =>
    request(index.app).post('/api/users').send({ username, email: `${username}@example.net`, password: 'someone-elses-pw' });

  it('a deleted account name is never given out again, so nobody inherits its private images', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    await request(index.app).post('/api/repositories').set('Authorization', alice.auth).send({ name: 'alice/secret', visibility: 'private' }).expect(201);
    await request(index.app).delete('/api/user').set('Authorization', alice.auth).expect(204);
    assertError(await signUpAs(index, 'alice'), 409, 'NAME_TAKEN');
    const mallory = await signUp(index, 'mallory');
    assertError(await request(index.app).post('/api/orgs').set('Authorization', mallory.auth).send({ name: 'alice' }), 409, 'NAME_TAKEN');
    const token = await request(index.app).get('/token').query({ service: 'wharf-registry', scope: 'repository:alice/secret:pull' }).set('Authorization', mallory.auth);
    assert.equal(token.status, 200);
    assert.equal(token.body.scope, '');
  });

  it('a deleted organization name is never given out again, to an organization or an account', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    await request(index.app).post('/api/orgs').set('Authorization', alice.auth).send({ name: 'acme' }).expect(201);
    await request(index.app).delete('/api/orgs/acme').set('Authorization', alice.auth).expect(204);
    assertError(await request(index.app).post('/api/orgs').set('Authorization', alice.auth).send({ name: 'acme' }), 409, 'NAME_TAKEN');
    assertError(await signUpAs(index, 'acme'), 409, 'NAME_TAKEN');
  });

  it('a deleted name stays local for a chained registry: not granted as upstream content, listed as local', async () => {
    const secret = 'events-secret-for-tests';
    const index = await buildIndex({ events: { secret }, upstream: { url: 'http://127.0.0.1:47999', tokenPolicy: 'authenticated' } });
    const alice = await signUp(index, 'alice');
    await request(index.app).delete('/api/user').set('Authorization', alice.auth).expect(204);
    const bobby = await signUp(index, 'bobby');
    const token = await request(index.app).get('/token').query({ service: 'wharf-registry', scope: 'repository:alice/secret:pull' }).set('Authorization', bobby.auth);
    assert.equal(token.status, 200);
    assert.equal(token.body.scope, '');
    const namespaces = await request(index.app).get('/registry/namespaces').set('Authorization', `Bearer ${secret}`);
    assert.deepEqual(namespaces.body, { namespaces: ['alice', 'bobby'] });
  });
});
