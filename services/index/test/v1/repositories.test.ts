// The v1 push and pull calls on the index: PUT /v1/repositories/<r>/ (token + endpoints, creating
// the repository), GET and PUT …/images (ids and checksums), library/ names, and the routing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { basic, buildIndex, createPat, createRepo, makeAdmin, signUp } from '../api/harness.js';
import { assertV1Error, checksumA, checksumB, getImages, imageA, imageB, putImages, startPush, tokenOf, writeToken } from './helpers.js';

describe('PUT /v1/repositories/<r>/', () => {
  it('creates the repository with the default visibility and answers a write token and the endpoints', async () => {
    const index = await buildIndex({ v1: { endpoints: ['registry.example:5000', '10.0.0.9:5000'] } });
    const alice = await signUp(index, 'alice');
    const res = await startPush(index, alice, 'alice/app');
    assert.equal(res.status, 200);
    tokenOf(res, 'alice/app', 'write');
    assert.equal(res.headers['x-docker-endpoints'], 'registry.example:5000, 10.0.0.9:5000');
    assert.equal(index.store.repositories.byName('alice/app')?.visibility, 'private');
    assert.equal(index.store.audit.query({ action: 'v1.token' })[0]?.detail.access, 'write');
    // The ids of the push are known from its start; their checksums come at the end.
    assert.deepEqual((await getImages(index, alice, 'alice/app', false)).body, [{ id: imageA }]);
  });

  it('uses index.repositories.defaultVisibility, and pushes again to an existing repository', async () => {
    const index = await buildIndex({ repositories: { defaultVisibility: 'public' } });
    const alice = await signUp(index, 'alice');
    await writeToken(index, alice, 'alice/app');
    await writeToken(index, alice, 'alice/app');
    assert.equal(index.store.repositories.byName('alice/app')?.visibility, 'public');
    assert.equal(index.store.audit.query({ action: 'repository.create' }).length, 1);
  });

  it('lets collaborators with write and write-capped access tokens push; refuses readers, strangers and read tokens', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const bobby = await signUp(index, 'bobby');
    const carol = await signUp(index, 'carol');
    await createRepo(index, alice, 'alice/app', 'public');
    await request(index.app).put('/api/repositories/alice/app/collaborators/bobby').set('Authorization', alice.auth).send({ permission: 'write' });
    await request(index.app).put('/api/repositories/alice/app/collaborators/carol').set('Authorization', alice.auth).send({ permission: 'read' });
    await writeToken(index, bobby, 'alice/app');
    assertV1Error(await startPush(index, carol, 'alice/app'), 403);
    assertV1Error(await startPush(index, carol, 'carol/../alice/app'), 400);
    const readPat = await createPat(index, alice, 'ro', 'read');
    assertV1Error(await startPush(index, { ...alice, auth: basic('alice', readPat) }, 'alice/app'), 403);
    const rwPat = await createPat(index, alice, 'rw', 'read-write');
    assert.equal((await startPush(index, { ...alice, auth: basic('alice', rwPat) }, 'alice/app')).status, 200);
    assertV1Error(await startPush(index, bobby, 'alice/other'), 403);
    assert.equal(index.store.repositories.byName('alice/other'), undefined);
    assert.equal(index.store.audit.query({ action: 'v1.token' }).filter((e) => e.outcome === 'denied').length, 3);
  });

  it('needs a login (401), a valid one (401), an active account (403), and a list body (400)', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    assertV1Error(await startPush(index, undefined, 'alice/app'), 401);
    assertV1Error(await startPush(index, { ...alice, auth: basic('alice', 'wrong-password') }, 'alice/app'), 401);
    assertV1Error(await startPush(index, alice, 'alice/app', { id: imageA }), 400);
    assertV1Error(await startPush(index, alice, 'alice/app', [{ id: '../etc' }]), 400);
    index.store.users.update(index.store.users.byName('alice')!.id, { disabled: true });
    assertV1Error(await startPush(index, alice, 'alice/app'), 403);
    assert.equal(index.store.repositories.byName('alice/app'), undefined);
  });
});

describe('library/ names', () => {
  it('reads a one-segment name as library/<name>; only site admins push there, creating the namespace', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const admin = await makeAdmin(index);
    assertV1Error(await startPush(index, alice, 'busybox'), 403);
    const res = await startPush(index, admin, 'busybox');
    assert.equal(res.status, 200);
    tokenOf(res, 'library/busybox', 'write');
    assert.equal(index.store.namespaces.byName('library')?.kind, 'org');
    await request(index.app).patch('/api/repositories/library/busybox').set('Authorization', admin.auth).send({ visibility: 'public' });
    // Both spellings name one repository, on every route.
    assert.deepEqual((await getImages(index, undefined, 'busybox', false)).body, [{ id: imageA }]);
    assert.equal((await putImages(index, admin, 'library/busybox', [{ id: imageA, checksum: checksumA }])).status, 204);
    assert.deepEqual((await getImages(index, undefined, 'busybox', false)).body, [{ id: imageA, checksum: checksumA }]);
    assertV1Error(await startPush(index, alice, 'library/busybox'), 403);
  });
});

describe('GET /v1/repositories/<r>/images', () => {
  it('answers public repositories to anyone, with a read token and endpoints when asked', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    await createRepo(index, alice, 'alice/pub', 'public');
    const res = await getImages(index, undefined, 'alice/pub');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, []);
    tokenOf(res, 'alice/pub', 'read');
    assert.equal(res.headers['x-docker-endpoints'], '127.0.0.1:5000');
    const plain = await getImages(index, undefined, 'alice/pub', false);
    assert.equal(plain.headers['x-docker-token'], undefined, 'a token only for those who ask');
  });

  it('answers private repositories: 404 (as a missing one) to those who may not pull, 200 to readers', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const bobby = await signUp(index, 'bobby');
    await createRepo(index, alice, 'alice/secret', 'private');
    assertV1Error(await getImages(index, undefined, 'alice/secret'), 404, /no such repository/);
    assertV1Error(await getImages(index, bobby, 'alice/secret'), 404, /no such repository/);
    tokenOf(await getImages(index, alice, 'alice/secret'), 'alice/secret', 'read');
    assertV1Error(await getImages(index, { ...alice, auth: basic('alice', 'wrong-password') }, 'alice/secret'), 401);
  });

  it('answers 404 for an unknown repository and 400 for an invalid name', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    assertV1Error(await getImages(index, undefined, 'alice/nothing'), 404);
    assertV1Error(await getImages(index, alice, 'nothing'), 404);
    assertV1Error(await getImages(index, alice, 'Alice/UPPER'), 400);
    assertV1Error(await getImages(index, alice, 'a/b/c'), 400);
  });
});

describe('PUT /v1/repositories/<r>/images', () => {
  it('answers 204 to Docker 1.5\'s empty list and records checksums from the documented shape', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const token = await writeToken(index, alice, 'alice/app');
    assert.equal((await putImages(index, alice, 'alice/app', [])).status, 204);
    const res = await putImages(index, { token }, 'alice/app', [{ id: imageA, checksum: checksumA }, { id: imageB, checksum: checksumB }]);
    assert.equal(res.status, 204);
    // A later report without a checksum keeps the recorded one.
    assert.equal((await putImages(index, alice, 'alice/app', [{ id: imageA }])).status, 204);
    assert.deepEqual((await getImages(index, alice, 'alice/app')).body, [{ id: imageA, checksum: checksumA }, { id: imageB, checksum: checksumB }]);
    const push = index.store.audit.query({ action: 'push' })[1];
    assert.deepEqual([push?.actor, push?.detail], ['alice', { via: 'v1', images: 2, checksums: 2 }]);
  });

  it('needs the push right or a write token, a known repository and a valid list', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const bobby = await signUp(index, 'bobby');
    await createRepo(index, alice, 'alice/pub', 'public');
    const read = tokenOf(await getImages(index, alice, 'alice/pub'), 'alice/pub', 'read');
    assertV1Error(await putImages(index, undefined, 'alice/pub'), 401);
    assertV1Error(await putImages(index, bobby, 'alice/pub'), 403);
    assertV1Error(await putImages(index, { token: read }, 'alice/pub'), 401);
    assertV1Error(await putImages(index, alice, 'alice/none'), 404);
    assertV1Error(await putImages(index, alice, 'alice/pub', [{ id: imageA, checksum: 'no checksum' }]), 400);
    assertV1Error(await putImages(index, alice, 'alice/pub', { id: imageA }), 400);
    assert.deepEqual(index.store.v1.images(index.store.repositories.byName('alice/pub')!.id), []);
  });
});

describe('v1 repository routing', () => {
  it('answers 405 for a known resource with another method, in the v1 error shape', async () => {
    const index = await buildIndex();
    assertV1Error(await request(index.app).post('/v1/repositories/alice/app/images'), 405);
    assertV1Error(await request(index.app).get('/v1/repositories/alice/app/'), 405);
  });

  it('leaves GET /v1/search working for v1 clients (Basic optional, X-Docker-Token ignored)', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    await createRepo(index, alice, 'alice/pub', 'public', 'a public thing');
    await createRepo(index, alice, 'alice/secret', 'private', 'a private thing');
    const anonymous = await request(index.app).get('/v1/search').query({ q: 'thing' }).set('X-Docker-Token', 'true');
    assert.equal(anonymous.status, 200);
    assert.deepEqual(anonymous.body.results.map((r: { name: string }) => r.name), ['alice/pub']);
    const signedIn = await request(index.app).get('/v1/search').query({ q: 'thing' }).set('Authorization', alice.auth);
    assert.equal(signedIn.body.num_results, 2);
    assert.equal(signedIn.body.results[0].is_official, false);
  });
});
