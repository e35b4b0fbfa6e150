// Organizations, their members and teams over the JSON API.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Index } from '../../src/index.js';
import { assertError, basic, buildIndex, createPat, createRepo, makeAdmin, signUp, type TestUser } from './harness.js';

async function setup() {
  const index = await buildIndex();
  const alice = await signUp(index, 'alice');
  const bob = await signUp(index, 'bobby');
  const carol = await signUp(index, 'carol');
  const res = await request(index.app).post('/api/orgs').set('Authorization', alice.auth).send({ name: 'acme', displayName: 'Acme Inc.' });
  assert.equal(res.status, 201);
  return { index, alice, bob, carol };
}

const as = (index: Index, user: TestUser) => ({
  put: (url: string, body: object = {}) => request(index.app).put(url).set('Authorization', user.auth).send(body),
  post: (url: string, body: object = {}) => request(index.app).post(url).set('Authorization', user.auth).send(body),
  patch: (url: string, body: object = {}) => request(index.app).patch(url).set('Authorization', user.auth).send(body),
  get: (url: string) => request(index.app).get(url).set('Authorization', user.auth),
  delete: (url: string) => request(index.app).delete(url).set('Authorization', user.auth),
});

describe('POST /api/orgs', () => {
  it('creates the organization with its creator as owner, and audits it', async () => {
    const { index, alice } = await setup();
    const res = await as(index, alice).get('/api/orgs/acme');
    assert.equal(res.status, 200);
    assert.equal(res.body.displayName, 'Acme Inc.');
    assert.deepEqual(res.body.members, [{ username: 'alice', role: 'owner' }]);
    const [entry] = index.store.audit.query({ action: 'org.create' });
    assert.equal(entry?.actor, 'alice');
    assert.equal(entry?.target, 'acme');
  });

  it('refuses bad and reserved names (400 INVALID_FIELD) and taken ones (409 NAME_TAKEN)', async () => {
    const { index, alice } = await setup();
    for (const name of ['ab', 'Acme2', 'my-org', 'admin', 42]) assertError(await as(index, alice).post('/api/orgs', { name }), 400, 'INVALID_FIELD');
    assertError(await as(index, alice).post('/api/orgs', { name: 'bobby' }), 409, 'NAME_TAKEN');
    assertError(await as(index, alice).post('/api/orgs', { name: 'acme' }), 409, 'NAME_TAKEN');
    assertError(await as(index, alice).post('/api/orgs', { name: 'acme2', displayName: 'x'.repeat(101) }), 400, 'INVALID_FIELD');
  });

  it('needs a password login: anonymous is 401, a personal access token 403', async () => {
    const { index, alice } = await setup();
    assertError(await request(index.app).post('/api/orgs').send({ name: 'other' }), 401, 'UNAUTHORIZED');
    const pat = basic('alice', await createPat(index, alice, 'ci', 'read-write-delete'));
    assertError(await request(index.app).post('/api/orgs').set('Authorization', pat).send({ name: 'other' }), 403, 'DENIED');
  });
});

describe('GET, PATCH, DELETE /api/orgs/:org', () => {
  it('shows members to members and site admins only', async () => {
    const { index, alice, bob } = await setup();
    const outsider = await as(index, bob).get('/api/orgs/acme');
    assert.equal(outsider.status, 200);
    assert.equal(outsider.body.members, undefined);
    assert.equal((await request(index.app).get('/api/orgs/acme')).body.members, undefined);
    await as(index, alice).put('/api/orgs/acme/members/bobby', { role: 'member' }).expect(204);
    assert.equal((await as(index, bob).get('/api/orgs/acme')).body.members.length, 2);
    const admin = await makeAdmin(index);
    assert.equal((await as(index, admin).get('/api/orgs/acme')).body.members.length, 2);
  });

  it('is 404 NOT_FOUND for unknown names and for user namespaces', async () => {
    const { index } = await setup();
    assertError(await request(index.app).get('/api/orgs/nothere'), 404, 'NOT_FOUND');
    assertError(await request(index.app).get('/api/orgs/alice'), 404, 'NOT_FOUND');
  });

  it('lets owners change the display name; members get 403 DENIED', async () => {
    const { index, alice, bob } = await setup();
    const res = await as(index, alice).patch('/api/orgs/acme', { displayName: 'ACME' });
    assert.equal(res.status, 200);
    assert.equal(res.body.displayName, 'ACME');
    await as(index, alice).put('/api/orgs/acme/members/bobby', { role: 'member' }).expect(204);
    assertError(await as(index, bob).patch('/api/orgs/acme', { displayName: 'mine' }), 403, 'DENIED');
    assertError(await as(index, alice).patch('/api/orgs/acme', { displayName: 7 }), 400, 'INVALID_FIELD');
  });

  it('lets owners delete the organization with its repositories; others get 403 DENIED', async () => {
    const { index, alice, bob } = await setup();
    await createRepo(index, alice, 'acme/app');
    assertError(await as(index, bob).delete('/api/orgs/acme'), 403, 'DENIED');
    await as(index, alice).delete('/api/orgs/acme').expect(204);
    assertError(await request(index.app).get('/api/orgs/acme'), 404, 'NOT_FOUND');
    assertError(await request(index.app).get('/api/repositories/acme/app'), 404, 'NOT_FOUND');
    assertError(await as(index, alice).delete('/api/orgs/acme'), 404, 'NOT_FOUND');
  });
});

describe('members', () => {
  it('adds, promotes and removes members', async () => {
    const { index, alice } = await setup();
    await as(index, alice).put('/api/orgs/acme/members/bobby', { role: 'member' }).expect(204);
    await as(index, alice).put('/api/orgs/acme/members/bobby', { role: 'owner' }).expect(204);
    await as(index, alice).delete('/api/orgs/acme/members/alice').expect(204);
    const res = await request(index.app).get('/api/orgs/acme').set('Authorization', basic('bobby', 'correct-horse-42'));
    assert.deepEqual(res.body.members, [{ username: 'bobby', role: 'owner' }]);
  });

  it('never loses the last owner: demoting or removing it is 409 CONFLICT', async () => {
    const { index, alice } = await setup();
    assertError(await as(index, alice).put('/api/orgs/acme/members/alice', { role: 'member' }), 409, 'CONFLICT');
    assertError(await as(index, alice).delete('/api/orgs/acme/members/alice'), 409, 'CONFLICT');
  });

  it('refuses a bad role, unknown users, non-members and non-owners', async () => {
    const { index, alice, bob } = await setup();
    assertError(await as(index, alice).put('/api/orgs/acme/members/bobby', { role: 'king' }), 400, 'INVALID_FIELD');
    assertError(await as(index, alice).put('/api/orgs/acme/members/nobody', { role: 'member' }), 404, 'NOT_FOUND');
    assertError(await as(index, alice).delete('/api/orgs/acme/members/carol'), 404, 'NOT_FOUND');
    assertError(await as(index, bob).put('/api/orgs/acme/members/bobby', { role: 'owner' }), 403, 'DENIED');
    assertError(await as(index, alice).put('/api/orgs/nothere/members/bobby', { role: 'member' }), 404, 'NOT_FOUND');
  });

  it('leaving the organization also leaves its teams', async () => {
    const { index, alice } = await setup();
    await as(index, alice).put('/api/orgs/acme/members/bobby', { role: 'member' }).expect(204);
    await as(index, alice).post('/api/orgs/acme/teams', { name: 'devs' }).expect(201);
    await as(index, alice).put('/api/orgs/acme/teams/devs/members/bobby').expect(204);
    await as(index, alice).delete('/api/orgs/acme/members/bobby').expect(204);
    const [team] = (await as(index, alice).get('/api/orgs/acme/teams')).body.teams;
    assert.deepEqual(team.members, []);
  });
});

describe('teams', () => {
  it('creates, lists (to members) and deletes teams', async () => {
    const { index, alice, bob } = await setup();
    const created = await as(index, alice).post('/api/orgs/acme/teams', { name: 'devs' });
    assert.equal(created.status, 201);
    assert.deepEqual({ ...created.body, createdAt: undefined }, { name: 'devs', createdAt: undefined, members: [], repositories: [] });
    await as(index, alice).put('/api/orgs/acme/members/bobby', { role: 'member' }).expect(204);
    const listed = await as(index, bob).get('/api/orgs/acme/teams');
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.teams.map((t: { name: string }) => t.name), ['devs']);
    await as(index, alice).delete('/api/orgs/acme/teams/devs').expect(204);
    assertError(await as(index, alice).delete('/api/orgs/acme/teams/devs'), 404, 'NOT_FOUND');
  });

  it('refuses bad or duplicate names, non-owners, and outsiders reading the list', async () => {
    const { index, alice, bob, carol } = await setup();
    assertError(await as(index, alice).post('/api/orgs/acme/teams', { name: 'Bad Name' }), 400, 'INVALID_FIELD');
    await as(index, alice).post('/api/orgs/acme/teams', { name: 'devs' }).expect(201);
    assertError(await as(index, alice).post('/api/orgs/acme/teams', { name: 'devs' }), 409, 'NAME_TAKEN');
    await as(index, alice).put('/api/orgs/acme/members/bobby', { role: 'member' }).expect(204);
    assertError(await as(index, bob).post('/api/orgs/acme/teams', { name: 'ops' }), 403, 'DENIED');
    assertError(await as(index, bob).delete('/api/orgs/acme/teams/devs'), 403, 'DENIED');
    assertError(await as(index, carol).get('/api/orgs/acme/teams'), 403, 'DENIED');
    assertError(await request(index.app).get('/api/orgs/acme/teams'), 401, 'UNAUTHORIZED');
  });

  it('team members must belong to the organization (409 CONFLICT) and exist (404)', async () => {
    const { index, alice } = await setup();
    await as(index, alice).post('/api/orgs/acme/teams', { name: 'devs' }).expect(201);
    assertError(await as(index, alice).put('/api/orgs/acme/teams/devs/members/carol'), 409, 'CONFLICT');
    assertError(await as(index, alice).put('/api/orgs/acme/teams/devs/members/nobody'), 404, 'NOT_FOUND');
    assertError(await as(index, alice).put('/api/orgs/acme/teams/ops/members/alice'), 404, 'NOT_FOUND');
    await as(index, alice).put('/api/orgs/acme/members/carol', { role: 'member' }).expect(204);
    await as(index, alice).put('/api/orgs/acme/teams/devs/members/carol').expect(204);
    await as(index, alice).delete('/api/orgs/acme/teams/devs/members/carol').expect(204);
    assertError(await as(index, alice).delete('/api/orgs/acme/teams/devs/members/carol'), 404, 'NOT_FOUND');
  });

  it('team repository permissions cover the organization\'s own repositories only', async () => {
    const { index, alice } = await setup();
    await createRepo(index, alice, 'acme/app/api', 'private');
    await createRepo(index, alice, 'alice/tool', 'private');
    await as(index, alice).post('/api/orgs/acme/teams', { name: 'devs' }).expect(201);
    await as(index, alice).put('/api/orgs/acme/teams/devs/repositories/acme/app/api', { permission: 'write' }).expect(204);
    const [team] = (await as(index, alice).get('/api/orgs/acme/teams')).body.teams;
    assert.deepEqual(team.repositories, [{ repository: 'acme/app/api', permission: 'write' }]);
    assertError(await as(index, alice).put('/api/orgs/acme/teams/devs/repositories/acme/app/api', { permission: 'all' }), 400, 'INVALID_FIELD');
    assertError(await as(index, alice).put('/api/orgs/acme/teams/devs/repositories/alice/tool', { permission: 'read' }), 404, 'NOT_FOUND');
    assertError(await as(index, alice).put('/api/orgs/acme/teams/devs/repositories/acme/nothere', { permission: 'read' }), 404, 'NOT_FOUND');
    await as(index, alice).delete('/api/orgs/acme/teams/devs/repositories/acme/app/api').expect(204);
    assertError(await as(index, alice).delete('/api/orgs/acme/teams/devs/repositories/acme/app/api'), 404, 'NOT_FOUND');
  });

  it('a team permission lets its members see a private repository', async () => {
    const { index, alice, bob } = await setup();
    await createRepo(index, alice, 'acme/app', 'private');
    await as(index, alice).put('/api/orgs/acme/members/bobby', { role: 'member' }).expect(204);
    assertError(await as(index, bob).get('/api/repositories/acme/app'), 404, 'NOT_FOUND');
    await as(index, alice).post('/api/orgs/acme/teams', { name: 'devs' }).expect(201);
    await as(index, alice).put('/api/orgs/acme/teams/devs/members/bobby').expect(204);
    await as(index, alice).put('/api/orgs/acme/teams/devs/repositories/acme/app', { permission: 'read' }).expect(204);
    assert.equal((await as(index, bob).get('/api/repositories/acme/app')).status, 200);
  });

  it('every change is audited', async () => {
    const { index, alice } = await setup();
    await as(index, alice).put('/api/orgs/acme/members/bobby', { role: 'member' }).expect(204);
    await as(index, alice).post('/api/orgs/acme/teams', { name: 'devs' }).expect(201);
    await as(index, alice).put('/api/orgs/acme/teams/devs/members/bobby').expect(204);
    const actions = index.store.audit.query({ actor: 'alice' }).map((e) => e.action);
    assert.deepEqual(actions.slice(0, 4), ['team.member.add', 'team.create', 'org.member.set', 'org.create']);
  });
});
