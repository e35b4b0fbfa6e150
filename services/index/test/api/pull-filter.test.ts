// pullScope (the search's filter, applied by SQLite) must decide exactly as may(…, 'pull') does,
// for every kind of principal and every way a right can be held: owner, org owner, collaborator,
// team, admin.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { anonymous, may, type Principal } from '../../src/permissions/grant.js';
import { searchRepositories } from '../../src/search/search.js';
import { buildIndex, createRepo, makeAdmin, signUp } from './harness.js';

describe('pullScope', () => {
  it('agrees with may(pull) for every principal and repository', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    await signUp(index, 'bobby');
    await signUp(index, 'carol');
    await signUp(index, 'dave1');
    await makeAdmin(index);
    const as = (user: { auth: string }) => ({
      post: (path: string, body: object) => request(index.app).post(path).set('Authorization', user.auth).send(body),
      put: (path: string, body: object) => request(index.app).put(path).set('Authorization', user.auth).send(body),
    });
    await as(alice).post('/api/orgs', { name: 'acme' }).expect(201);
    await as(alice).put('/api/orgs/acme/members/carol', { role: 'member' }).expect(204);
    await as(alice).post('/api/orgs/acme/teams', { name: 'devs' }).expect(201);
    await as(alice).put('/api/orgs/acme/teams/devs/members/carol', {}).expect(204);
    for (const [name, visibility] of [['alice/open', 'public'], ['alice/secret', 'private'], ['alice/shared', 'private'], ['acme/tool', 'private'], ['acme/other', 'private']] as const) {
      await createRepo(index, alice, name, visibility);
    }
    await as(alice).put('/api/repositories/alice/shared/collaborators/bobby', { permission: 'read' }).expect(204);
    await as(alice).put('/api/orgs/acme/teams/devs/repositories/acme/tool', { permission: 'write' }).expect(204);

    const { store } = index;
    const principals: Principal[] = [anonymous, ...['alice', 'bobby', 'carol', 'dave1', 'siteadmin'].map((n) => ({ kind: 'user' as const, user: store.users.byName(n)! }))];
    const repos = ['alice/open', 'alice/secret', 'alice/shared', 'acme/tool', 'acme/other'].map((n) => store.repositories.byName(n)!);
    let pullable = 0;
    for (const principal of principals) {
      const found = new Set(searchRepositories(store, principal, { q: '', n: 100, page: 1 }).results.map((r) => r.name));
      for (const repo of repos) {
        const expected = may(store, principal, repo.name, 'pull');
        if (expected) pullable++;
        assert.equal(found.has(repo.name), expected, `${principal.kind === 'user' ? principal.user.username : 'anonymous'} on ${repo.name}`);
      }
    }
    // anonymous 1, alice 5, bobby 2, carol 2, dave 1, admin 5: the cases are not all alike.
    assert.equal(pullable, 16);
  });
});
