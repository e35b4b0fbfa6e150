// Issue #12, item 10: a v1 token must die with the password it was issued on, as v2 refresh tokens
// do (accounts/accounts.ts, updateAccount). Every way a password changes is tried: the JSON API,
// the v1 users route and `wharf user passwd` (setPassword; the web UI calls the same function
// as the JSON API). Tokens issued from a personal access token go too: whoever held the old
// password could have made one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { setPassword, type Index } from '../../src/index.js';
import { basic, buildIndex, createRepo, createPat, signUp, type TestUser } from '../api/harness.js';
import { assertV1Error, getImages, readToken, writeToken } from './helpers.js';

const newPassword = 'a-brand-new-password';

/** The registry's validation call with a token. */
function validate(index: Index, repository: string, token: string) {
  return getImages(index, { token }, repository, false);
}

const changes: Record<string, (index: Index, alice: TestUser) => Promise<void>> = {
  'PATCH /api/user': async (index, alice) => {
    const res = await request(index.app).patch('/api/user').set('Authorization', alice.auth).send({ password: newPassword });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  },
  'PUT /v1/users/<u>/': async (index, alice) => {
    const res = await request(index.app).put('/v1/users/alice/').set('Authorization', alice.auth).send({ password: newPassword });
    assert.ok(res.status < 300, `${res.status} ${JSON.stringify(res.body)}`);
  },
  'wharf user passwd': (index) => setPassword(index.store, { bcryptCost: 4 }, 'alice', newPassword),
};

describe('v1 tokens and a password change', () => {
  for (const [how, change] of Object.entries(changes)) {
    it(`refuses every v1 token of the account after ${how}`, async () => {
      const index = await buildIndex();
      const alice = await signUp(index, 'alice');
      const bobby = await signUp(index, 'bobby');
      await createRepo(index, alice, 'alice/secret', 'private');
      await createRepo(index, bobby, 'bobby/pub', 'public');
      const pat = await createPat(index, alice, 'ci', 'read-write');
      const tokens = [
        await readToken(index, alice, 'alice/secret'),
        await writeToken(index, alice, 'alice/secret'),
        await writeToken(index, { ...alice, auth: basic('alice', pat) }, 'alice/secret'),
      ];
      const bobbys = await readToken(index, bobby, 'bobby/pub');
      for (const token of tokens) assert.equal((await validate(index, 'alice/secret', token)).status, 200);

      await change(index, alice);

      for (const token of tokens) assertV1Error(await validate(index, 'alice/secret', token), 401, /unknown token/);
      assert.equal((await validate(index, 'bobby/pub', bobbys)).status, 200, "another account's tokens stay");
      // The new password issues new tokens as before.
      const fresh = await readToken(index, { ...alice, auth: basic('alice', newPassword) }, 'alice/secret');
      assert.equal((await validate(index, 'alice/secret', fresh)).status, 200);
    });
  }
});
