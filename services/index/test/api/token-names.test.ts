// Issue #12, item 10: the token server granted names the registry refuses, such as
// `bobby/../alice/secret` (its first component is bobby's namespace, so bobby got everything).
// A repository scope must name a repository in the shared grammar (the registry's own,
// shared/src/reference.ts): anything else is an invalid scope (400, as a malformed one is), and
// the rules in permissions/grant.ts grant nothing on such a name to any caller.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { allowedActions } from '../../src/permissions/grant.js';
import { assertError, buildIndex, createRepo, makeAdmin, signUp } from './harness.js';

const invalidNames = [
  'bobby/../alice/secret',
  'bobby/./app',
  'bobby//app',
  'bobby/app/',
  '/bobby/app',
  'bobby/App',
  'Bobby/app',
  'bobby/app..x',
  'bobby/-app',
  `bobby/${'a'.repeat(260)}`,
];

describe('token server: repository names', () => {
  it('refuses a scope naming no valid repository (400) and grants nothing on it', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const bobby = await signUp(index, 'bobby');
    const admin = await makeAdmin(index);
    await createRepo(index, alice, 'alice/secret', 'private');
    for (const name of invalidNames) {
      for (const who of [bobby, admin]) {
        const res = await request(index.app)
          .get('/token')
          .query({ service: 'wharf-registry', scope: [`repository:${name}:pull,push,delete`, 'repository:bobby/app:pull'] })
          .set('Authorization', who.auth);
        assertError(res, 400, 'INVALID_REQUEST');
        assert.equal(res.body.token, undefined, name);
      }
      for (const user of [bobby, admin].map((u) => index.store.users.byName(u.username)!)) {
        assert.deepEqual([...allowedActions(index.store, { kind: 'user', user }, name)], [], `${user.username} on ${name}`);
      }
    }
  });

  it('still grants valid names as before', async () => {
    const index = await buildIndex();
    const bobby = await signUp(index, 'bobby');
    const res = await request(index.app).get('/token').query({ service: 'wharf-registry', scope: 'repository:bobby/a.b_c__d-e/f:pull,push' }).set('Authorization', bobby.auth);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.scope, 'repository:bobby/a.b_c__d-e/f:pull,push');
  });
});
