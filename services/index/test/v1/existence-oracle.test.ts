// Issue #12, item 7: the v1 index must not tell a private repository the caller may not see from
// a missing one. Every v1 repository route is asked about both, by every kind of caller that has
// no right to the private one; the two answers must be the same (status, body, challenge), the
// repository's name aside. The JSON API answers both 404 (repositories/access.ts); so does v1.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Response } from 'supertest';
import { buildIndex, createRepo, signUp } from '../api/harness.js';
import { deleteRepo, getImages, putAuth, putImages, startPush, type Credentials } from './helpers.js';

const hidden = 'alice/secret';
const missing = 'alice/nothing';

function forged(name: string, access: string): Credentials {
  return { token: `signature=${'0'.repeat(64)},repository="${name}",access=${access}` };
}

/** What a caller sees of an answer, with the repository's name taken out. */
function seen(res: Response, name: string): unknown {
  return {
    status: res.status,
    body: JSON.stringify(res.body).replaceAll(name, '<name>'),
    challenge: res.headers['www-authenticate'],
    token: res.headers['x-docker-token'],
  };
}

describe('v1 index: a private repository answers as a missing one', () => {
  it('gives every caller without the pull right the same answer for both, on every route', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const bobby = await signUp(index, 'bobby');
    await createRepo(index, alice, hidden, 'private');

    const callers: Record<string, (name: string) => Credentials> = {
      anonymous: () => undefined,
      'a user without rights': () => bobby,
      'a forged read token': (name) => forged(name, 'read'),
      'a forged write token': (name) => forged(name, 'write'),
      'a forged delete token': (name) => forged(name, 'delete'),
    };
    const routes = {
      'GET images': getImages,
      'PUT images': (i: typeof index, who: Credentials, name: string) => putImages(i, who, name, []),
      'DELETE repository': deleteRepo,
      'PUT auth': putAuth,
      'PUT repository': startPush,
    };
    for (const [who, credentials] of Object.entries(callers)) {
      for (const [route, call] of Object.entries(routes)) {
        const forHidden = seen(await call(index, credentials(hidden), hidden), hidden);
        const forMissing = seen(await call(index, credentials(missing), missing), missing);
        assert.deepEqual(forHidden, forMissing, `${route} by ${who}`);
        assert.notEqual((forHidden as { status: number }).status, 200, `${route} by ${who}`);
      }
    }
    assert.ok(index.store.repositories.byName(hidden), 'the private repository is untouched');
    assert.equal(index.store.repositories.byName(missing), undefined);
  });
});
