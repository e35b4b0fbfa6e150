// GET /api/audit: the audit log for site admins signed in with their password, filtered and paged.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Index } from '../../src/index.js';
import { assertError, basic, buildIndex, createPat, createRepo, makeAdmin, signUp, type TestUser } from './harness.js';

async function setup() {
  const index = await buildIndex();
  const admin = await makeAdmin(index);
  const alice = await signUp(index, 'alice');
  await createRepo(index, alice, 'alice/web');
  await createRepo(index, alice, 'alice/api');
  await request(index.app).put('/api/repositories/alice/web/star').set('Authorization', alice.auth).expect(204);
  return { index, admin, alice };
}

function audit(index: Index, user: TestUser | string | undefined, query: Record<string, string | readonly string[]> = {}) {
  const test = request(index.app).get('/api/audit').query(query);
  const auth = typeof user === 'string' ? user : user?.auth;
  return auth ? test.set('Authorization', auth) : test;
}

describe('GET /api/audit', () => {
  it('lists entries newest first, with who, what, on what and from where', async () => {
    const { index, admin } = await setup();
    const res = await audit(index, admin);
    assert.equal(res.status, 200);
    const [newest] = res.body.entries;
    assert.deepEqual(
      { actor: newest.actor, action: newest.action, target: newest.target, outcome: newest.outcome },
      { actor: 'alice', action: 'repository.star', target: 'alice/web', outcome: 'ok' },
    );
    assert.ok(newest.remote, 'the client address is recorded');
    const ids = res.body.entries.map((e: { id: number }) => e.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  });

  it('filters by actor, action and target', async () => {
    const { index, admin } = await setup();
    const created = await audit(index, admin, { action: 'repository.create' });
    assert.deepEqual(created.body.entries.map((e: { target: string }) => e.target), ['alice/api', 'alice/web']);
    const web = await audit(index, admin, { actor: 'alice', target: 'alice/web' });
    assert.deepEqual(web.body.entries.map((e: { action: string }) => e.action), ['repository.star', 'repository.create']);
    assert.deepEqual((await audit(index, admin, { actor: 'nobody' })).body.entries, []);
  });

  it('pages with limit and before', async () => {
    const { index, admin } = await setup();
    const first = await audit(index, admin, { limit: '2' });
    assert.equal(first.body.entries.length, 2);
    const last = first.body.entries[1].id as number;
    const next = await audit(index, admin, { limit: '2', before: String(last) });
    assert.ok(next.body.entries.every((e: { id: number }) => e.id < last));
  });

  it('is for site admins with a password: 401 anonymous, 403 for users and for admin tokens', async () => {
    const { index, admin, alice } = await setup();
    assertError(await audit(index, undefined), 401, 'UNAUTHORIZED');
    assertError(await audit(index, alice), 403, 'DENIED');
    const pat = basic(admin.username, await createPat(index, admin, 'ci', 'read-write-delete'));
    assertError(await audit(index, pat), 403, 'DENIED');
  });

  for (const [query, field] of [
    [{ limit: '0' }, 'limit'],
    [{ limit: '1001' }, 'limit'],
    [{ limit: 'all' }, 'limit'],
    [{ before: '-1' }, 'before'],
    [{ before: 'x' }, 'before'],
    [{ actor: ['a', 'b'] }, 'actor'],
  ] as const) {
    it(`answers 400 INVALID_FIELD for ${JSON.stringify(query)}`, async () => {
      const { index, admin } = await setup();
      const res = await audit(index, admin, query);
      assertError(res, 400, 'INVALID_FIELD');
      assert.deepEqual(res.body.errors[0].detail, { field });
    });
  }
});
