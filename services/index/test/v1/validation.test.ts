// The validation contract registries rely on (docs/protocol-v1.md): a registry forwards the client's
// `Authorization: Token …` to GET /v1/repositories/<r>/images, and the index answers 200 only for
// a valid, unexpired read or write token of exactly <r> whose holder still has the right now;
// with no Authorization at all, 200 for a public repository and 404 for a private one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { basic, buildIndex, createPat, createRepo, makeAdmin, signUp } from '../api/harness.js';
import { assertV1Error, expireTokens, getImages, readToken, tokenOf, writeToken } from './helpers.js';

/** The registry's call: the client's header forwarded, no X-Docker-Token of its own. */
function validate(index: Parameters<typeof getImages>[0], repository: string, token: string | undefined) {
  return getImages(index, token === undefined ? undefined : { token }, repository, false);
}

async function setup() {
  const index = await buildIndex();
  const alice = await signUp(index, 'alice');
  const bobby = await signUp(index, 'bobby');
  await createRepo(index, alice, 'alice/secret', 'private');
  await createRepo(index, alice, 'alice/other', 'private');
  await createRepo(index, alice, 'alice/pub', 'public');
  return { index, alice, bobby };
}

describe('token validation at GET /v1/repositories/<r>/images', () => {
  it('accepts a valid read or write token of the repository, again and again, without issuing another', async () => {
    const { index, alice } = await setup();
    const read = await readToken(index, alice, 'alice/secret');
    const write = await writeToken(index, alice, 'alice/secret');
    for (const token of [read, write, read, write]) {
      const res = await validate(index, 'alice/secret', token).set('X-Docker-Token', 'true');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, [{ id: 'a'.repeat(64) }]);
      assert.equal(res.headers['x-docker-token'], undefined);
    }
  });

  it('parses tokens loosely, as registries send them back (quotes optional, ":" or "=")', async () => {
    const { index, alice } = await setup();
    const token = await readToken(index, alice, 'alice/secret');
    const signature = /signature=([0-9a-f]+)/.exec(token)![1];
    assert.equal((await validate(index, 'alice/secret', `signature:${signature}, repository:alice/secret, access:read`)).status, 200);
  });

  it('refuses a token of another repository, or whose text was edited to another repository or access', async () => {
    const { index, alice } = await setup();
    const read = await readToken(index, alice, 'alice/secret');
    assertV1Error(await validate(index, 'alice/other', read), 401);
    assertV1Error(await validate(index, 'alice/other', read.replace('alice/secret', 'alice/other')), 401);
    assertV1Error(await validate(index, 'alice/secret', read.replace('access=read', 'access=write')), 401);
    const denials = index.store.audit.query({ action: 'v1.token.check' });
    assert.equal(denials.length, 3);
    assert.ok(denials.every((d) => d.outcome === 'denied'));
  });

  it('refuses a forged signature, a malformed token, and a delete token', async () => {
    const { index, alice } = await setup();
    const res = await validate(index, 'alice/secret', `signature=${'0'.repeat(64)},repository="alice/secret",access=read`);
    assertV1Error(res, 401);
    assert.equal(res.headers['www-authenticate'], 'Token');
    assertV1Error(await validate(index, 'alice/secret', 'garbage'), 401);
    const del = await request(index.app).delete('/v1/repositories/alice/secret/').set('Authorization', alice.auth);
    assertV1Error(await validate(index, 'alice/secret', tokenOf(del, 'alice/secret', 'delete')), 401);
  });

  it('refuses an expired token', async () => {
    const { index, alice } = await setup();
    const read = await readToken(index, alice, 'alice/secret');
    expireTokens(index);
    assertV1Error(await validate(index, 'alice/secret', read), 401, /expired/);
  });

  it('refuses once the holder is disabled or deleted', async () => {
    const { index, alice, bobby } = await setup();
    await request(index.app).put('/api/repositories/alice/secret/collaborators/bobby').set('Authorization', alice.auth).send({ permission: 'read' });
    const bobbys = await readToken(index, bobby, 'alice/secret');
    const alices = await readToken(index, alice, 'alice/secret');
    const admin = await makeAdmin(index);
    await request(index.app).patch('/api/users/alice').set('Authorization', admin.auth).send({ disabled: true });
    assertV1Error(await validate(index, 'alice/secret', alices), 401);
    assert.equal((await validate(index, 'alice/secret', bobbys)).status, 200);
    assert.equal((await request(index.app).delete('/api/user').set('Authorization', bobby.auth)).status, 204);
    assertV1Error(await validate(index, 'alice/secret', bobbys), 401);
  });

  it('refuses once the personal access token it came from is revoked, or its holder loses the right', async () => {
    const { index, alice, bobby } = await setup();
    const pat = await createPat(index, alice, 'ci', 'read-write');
    const viaPat = await writeToken(index, { ...alice, auth: basic('alice', pat) }, 'alice/secret');
    assert.equal((await validate(index, 'alice/secret', viaPat)).status, 200);
    const id = index.store.tokens.accessTokens(index.store.users.byName('alice')!.id)[0]!.id;
    await request(index.app).delete(`/api/user/tokens/${id}`).set('Authorization', alice.auth);
    assertV1Error(await validate(index, 'alice/secret', viaPat), 401);

    await request(index.app).put('/api/repositories/alice/secret/collaborators/bobby').set('Authorization', alice.auth).send({ permission: 'write' });
    const bobbys = await writeToken(index, bobby, 'alice/secret');
    assert.equal((await validate(index, 'alice/secret', bobbys)).status, 200);
    // Down to read: a write token stands for push, which bobby no longer has.
    await request(index.app).put('/api/repositories/alice/secret/collaborators/bobby').set('Authorization', alice.auth).send({ permission: 'read' });
    assertV1Error(await validate(index, 'alice/secret', bobbys), 401);
  });

  it('gives anonymous callers tokens for public repositories, valid until the repository turns private', async () => {
    const { index, alice } = await setup();
    const anonymous = await readToken(index, undefined, 'alice/pub');
    assert.equal((await validate(index, 'alice/pub', anonymous)).status, 200);
    await request(index.app).patch('/api/repositories/alice/pub').set('Authorization', alice.auth).send({ visibility: 'private' });
    assertV1Error(await validate(index, 'alice/pub', anonymous), 401);
  });

  it('without any Authorization: 200 for a public repository, 404 (as a missing one) for a private one', async () => {
    const { index } = await setup();
    assert.equal((await validate(index, 'alice/pub', undefined)).status, 200);
    assertV1Error(await validate(index, 'alice/secret', undefined), 404);
    // Docker 1.5 sends "Token " with nothing after it when it got no token: no claim, anonymous.
    assert.equal((await getImages(index, undefined, 'alice/pub', false).set('Authorization', 'Token ')).status, 200);
  });

  it('normalizes library/ names in the token and the URL alike', async () => {
    const index = await buildIndex();
    const admin = await makeAdmin(index);
    const token = await writeToken(index, admin, 'busybox');
    assert.equal((await validate(index, 'busybox', token)).status, 200);
    assert.equal((await validate(index, 'library/busybox', token)).status, 200);
    assert.equal((await validate(index, 'library/busybox', token.replace('library/busybox', 'busybox'))).status, 200);
  });

  it('never counts token-authenticated calls against the login rate limits (registries make them all)', async () => {
    const index = await buildIndex({ http: { trustProxy: 1 }, rateLimit: { window: '1m', perAddress: 3, failedPerAccount: 1 } });
    // Sign-up, creation and the token request spend the default address's budget of 3.
    const alice = await signUp(index, 'alice');
    await createRepo(index, alice, 'alice/secret', 'private');
    const token = await readToken(index, alice, 'alice/secret');
    for (let i = 0; i < 5; i++) assert.equal((await validate(index, 'alice/secret', token).set('X-Forwarded-For', '10.0.0.1')).status, 200);
    for (let i = 0; i < 3; i++) assertV1Error(await validate(index, 'alice/secret', 'garbage').set('X-Forwarded-For', '10.0.0.1'), 401);
    // Anonymous token requests do count: each one stores a token.
    const ask = () => getImages(index, undefined, 'alice/secret').set('X-Forwarded-For', '10.0.0.2');
    for (let i = 0; i < 3; i++) assertV1Error(await ask(), 404);
    assertV1Error(await ask(), 429);
  });
});
