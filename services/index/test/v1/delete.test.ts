// The v1 delete flow (the spec's "Delete", the seed's scenario C): DELETE on the index → 202 and
// an access=delete token; the registry validates it at PUT …/auth before deleting; DELETE on
// the index again → 200, and the index's records are gone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { basic, buildIndex, createPat, createRepo, makeAdmin, signUp } from '../api/harness.js';
import { assertV1Error, deleteRepo, getImages, putAuth, readToken, tokenOf, writeToken } from './helpers.js';

async function setup() {
  const index = await buildIndex();
  const alice = await signUp(index, 'alice');
  const bobby = await signUp(index, 'bobby');
  await writeToken(index, alice, 'alice/app');
  return { index, alice, bobby };
}

describe('the v1 delete flow', () => {
  it('202 + delete token, PUT auth 200 "OK", second DELETE 200 removes every record', async () => {
    const { index, alice } = await setup();
    const first = await deleteRepo(index, alice, 'alice/app');
    assert.equal(first.status, 202);
    assert.equal(first.headers['x-docker-endpoints'], '127.0.0.1:5000');
    const token = tokenOf(first, 'alice/app', 'delete');
    // Until the second step the repository is untouched and usable.
    assert.equal((await getImages(index, alice, 'alice/app')).status, 200);

    const auth = await putAuth(index, { token }, 'alice/app');
    assert.equal(auth.status, 200);
    assert.equal(auth.text, '"OK"');
    // A registry may retry: the token stays valid.
    assert.equal((await putAuth(index, { token }, 'alice/app')).status, 200);

    const repoId = index.store.repositories.byName('alice/app')!.id;
    const second = await deleteRepo(index, alice, 'alice/app');
    assert.equal(second.status, 200);
    assert.equal(second.headers['x-docker-token'], undefined);
    assert.equal(index.store.repositories.byName('alice/app'), undefined);
    assert.deepEqual(index.store.v1.images(repoId), []);
    assert.equal(index.store.v1.pendingDelete(repoId), undefined);
    assert.equal((index.store.db.prepare('SELECT COUNT(*) AS n FROM v1_tokens').get() as { n: number }).n, 0);
    assertV1Error(await getImages(index, alice, 'alice/app'), 404);
    assertV1Error(await putAuth(index, { token }, 'alice/app'), 403);
    const actions = index.store.audit.query({ target: 'alice/app' }).map((e) => e.action);
    for (const action of ['repository.delete.request', 'repository.delete.authorize', 'repository.delete']) assert.ok(actions.includes(action), `no ${action} in ${actions}`);
  });

  it('starts over (202, a new token) when the registry never validated the delete, or too long ago', async () => {
    const { index, alice } = await setup();
    const first = tokenOf(await deleteRepo(index, alice, 'alice/app'), 'alice/app', 'delete');
    const again = await deleteRepo(index, alice, 'alice/app');
    assert.equal(again.status, 202);
    assert.notEqual(tokenOf(again, 'alice/app', 'delete'), first);
    assert.ok(index.store.repositories.byName('alice/app'));

    assert.equal((await putAuth(index, { token: first }, 'alice/app')).status, 200);
    index.store.db.prepare("UPDATE v1_pending_deletes SET expires_at = '2000-01-01T00:00:00.000Z'").run();
    assert.equal((await deleteRepo(index, alice, 'alice/app')).status, 202);
    assert.ok(index.store.repositories.byName('alice/app'));
  });

  it('takes the delete token itself for the second step (later Docker clients send it to the index)', async () => {
    const { index, alice } = await setup();
    const token = tokenOf(await deleteRepo(index, alice, 'alice/app'), 'alice/app', 'delete');
    await putAuth(index, { token }, 'alice/app');
    assert.equal((await deleteRepo(index, { token }, 'alice/app')).status, 200);
    assert.equal(index.store.repositories.byName('alice/app'), undefined);
  });

  it('needs the delete right: 401 anonymous or bad token, 403 writers and capped access tokens, 404 unknown', async () => {
    const { index, alice, bobby } = await setup();
    await request(index.app).put('/api/repositories/alice/app/collaborators/bobby').set('Authorization', alice.auth).send({ permission: 'write' });
    assertV1Error(await deleteRepo(index, undefined, 'alice/app'), 401);
    assertV1Error(await deleteRepo(index, bobby, 'alice/app'), 403);
    assertV1Error(await deleteRepo(index, { token: await writeToken(index, alice, 'alice/app') }, 'alice/app'), 401);
    const rw = await createPat(index, alice, 'rw', 'read-write');
    assertV1Error(await deleteRepo(index, { ...alice, auth: basic('alice', rw) }, 'alice/app'), 403);
    const rwd = await createPat(index, alice, 'rwd', 'read-write-delete');
    assert.equal((await deleteRepo(index, { ...alice, auth: basic('alice', rwd) }, 'alice/app')).status, 202);
    assertV1Error(await deleteRepo(index, alice, 'alice/none'), 404);
    // Admin collaborators hold the delete right.
    await request(index.app).put('/api/repositories/alice/app/collaborators/bobby').set('Authorization', alice.auth).send({ permission: 'admin' });
    assert.equal((await deleteRepo(index, bobby, 'alice/app')).status, 202);
  });

  it('normalizes library/ names across the three steps', async () => {
    const index = await buildIndex();
    const admin = await makeAdmin(index);
    await writeToken(index, admin, 'busybox');
    const token = tokenOf(await deleteRepo(index, admin, 'busybox'), 'library/busybox', 'delete');
    assert.equal((await putAuth(index, { token }, 'library/busybox')).status, 200);
    assert.equal((await deleteRepo(index, admin, 'library/busybox')).status, 200);
    assert.equal(index.store.repositories.byName('library/busybox'), undefined);
  });
});

describe('PUT /v1/repositories/<r>/auth', () => {
  it('answers 403 for anything but a valid delete token of the repository, an unknown one included', async () => {
    const { index, alice } = await setup();
    await createRepo(index, alice, 'alice/other', 'private');
    const del = tokenOf(await deleteRepo(index, alice, 'alice/app'), 'alice/app', 'delete');
    assertV1Error(await putAuth(index, undefined, 'alice/app'), 403);
    assertV1Error(await putAuth(index, alice, 'alice/app'), 403);
    assertV1Error(await putAuth(index, { token: await readToken(index, alice, 'alice/app') }, 'alice/app'), 403);
    assertV1Error(await putAuth(index, { token: await writeToken(index, alice, 'alice/app') }, 'alice/app'), 403);
    assertV1Error(await putAuth(index, { token: del.replace(/signature=[0-9a-f]+/, `signature=${'f'.repeat(64)}`) }, 'alice/app'), 403);
    assertV1Error(await putAuth(index, { token: del }, 'alice/other'), 403);
    assertV1Error(await putAuth(index, { token: del }, 'alice/none'), 403);
    assert.equal(index.store.v1.pendingDelete(index.store.repositories.byName('alice/app')!.id)?.authorizedAt, null);
    assert.equal(index.store.audit.query({ action: 'v1.token.check' }).length, 7);
  });

  it('answers 403 once the token expired or its holder lost the delete right', async () => {
    const { index, alice, bobby } = await setup();
    await request(index.app).put('/api/repositories/alice/app/collaborators/bobby').set('Authorization', alice.auth).send({ permission: 'admin' });
    const bobbys = tokenOf(await deleteRepo(index, bobby, 'alice/app'), 'alice/app', 'delete');
    await request(index.app).put('/api/repositories/alice/app/collaborators/bobby').set('Authorization', alice.auth).send({ permission: 'write' });
    assertV1Error(await putAuth(index, { token: bobbys }, 'alice/app'), 403);
    const alices = tokenOf(await deleteRepo(index, alice, 'alice/app'), 'alice/app', 'delete');
    index.store.db.prepare("UPDATE v1_tokens SET expires_at = '2000-01-01T00:00:00.000Z'").run();
    assertV1Error(await putAuth(index, { token: alices }, 'alice/app'), 403, /expired/);
  });
});
