// Repositories over the JSON API: creation, the view with tags, listings, settings, deletion,
// collaborators, stars and comments. Private repositories are 404 to those who may not pull them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Index } from '../../src/index.js';
import { assertError, basic, buildIndex, createPat, createRepo, digestA, digestB, makeAdmin, recordTag, signUp, type TestUser } from './harness.js';

async function setup() {
  const index = await buildIndex();
  const alice = await signUp(index, 'alice');
  const bob = await signUp(index, 'bobby');
  await createRepo(index, alice, 'alice/web', 'public', 'The web front end');
  await createRepo(index, alice, 'alice/secret', 'private');
  return { index, alice, bob };
}

function call(index: Index, method: 'get' | 'put' | 'post' | 'patch' | 'delete', url: string, user?: TestUser, body?: object) {
  const test = request(index.app)[method](url);
  if (user) test.set('Authorization', user.auth);
  return body ? test.send(body) : test;
}

const collaborator = (index: Index, owner: TestUser, repo: string, username: string, permission: string) =>
  call(index, 'put', `/api/repositories/${repo}/collaborators/${username}`, owner, { permission }).expect(204);

describe('POST /api/repositories', () => {
  it('creates a repository in the caller\'s namespace and audits it', async () => {
    const { index, alice } = await setup();
    const res = await call(index, 'post', '/api/repositories', alice, { name: 'alice/team/api', visibility: 'private', description: 'nested' });
    assert.equal(res.status, 201);
    assert.equal(res.body.name, 'alice/team/api');
    assert.equal(res.body.namespace, 'alice');
    assert.equal(res.body.visibility, 'private');
    assert.deepEqual(res.body.tags, []);
    const [entry] = index.store.audit.query({ action: 'repository.create', target: 'alice/team/api' });
    assert.equal(entry?.actor, 'alice');
  });

  it('defaults to the configured visibility', async () => {
    const { index, alice } = await setup();
    const res = await call(index, 'post', '/api/repositories', alice, { name: 'alice/plain' });
    assert.equal(res.body.visibility, 'private');
  });

  it('refuses invalid names, including ones that read as a sub-resource (400 INVALID_FIELD)', async () => {
    const { index, alice } = await setup();
    for (const name of ['noslash', 'alice/UPPER', 'alice//x', 'alice/app/star', 'alice/app/comments/1', undefined]) {
      const res = await call(index, 'post', '/api/repositories', alice, { name });
      assertError(res, 400, 'INVALID_FIELD');
      assert.deepEqual(res.body.errors[0].detail, { field: 'name' });
    }
    assertError(await call(index, 'post', '/api/repositories', alice, { name: 'alice/x', visibility: 'hidden' }), 400, 'INVALID_FIELD');
    assertError(await call(index, 'post', '/api/repositories', alice, { name: 'alice/x', description: 'd'.repeat(2001) }), 400, 'INVALID_FIELD');
  });

  it('needs an existing namespace (404), push rights on the name (403) and a free name (409)', async () => {
    const { index, alice, bob } = await setup();
    assertError(await call(index, 'post', '/api/repositories', alice, { name: 'nobody/app' }), 404, 'NOT_FOUND');
    assertError(await call(index, 'post', '/api/repositories', bob, { name: 'alice/mine' }), 403, 'DENIED');
    assertError(await call(index, 'post', '/api/repositories', bob, { name: 'alice/secret' }), 403, 'DENIED');
    assertError(await call(index, 'post', '/api/repositories', alice, { name: 'alice/web' }), 409, 'NAME_TAKEN');
    assertError(await call(index, 'post', '/api/repositories', undefined, { name: 'alice/anon' }), 401, 'UNAUTHORIZED');
  });
});

describe('GET /api/repositories/:namespace/:name', () => {
  it('shows a public repository to anyone, with its tags', async () => {
    const { index } = await setup();
    recordTag(index, 'alice/web', 'v1', digestA, [digestB]);
    const res = await call(index, 'get', '/api/repositories/alice/web');
    assert.equal(res.status, 200);
    const { createdAt, updatedAt, lastPush, tags, ...rest } = res.body;
    assert.deepEqual(rest, { name: 'alice/web', namespace: 'alice', visibility: 'public', description: 'The web front end', starCount: 0, starred: false });
    assert.ok(createdAt && updatedAt);
    assert.equal(lastPush, tags[0].pushedAt);
    assert.deepEqual({ ...tags[0], pushedAt: undefined }, { tag: 'v1', digest: digestA, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1234, layers: [digestB], references: [], pushedAt: undefined });
  });

  it('lists tags up to repositories.maxListedReferences references in all, and says how many it left out', async () => {
    // A manifest may list 10,000 references (the registry's default cap), and a tenant may tag it
    // a thousand times: each tag carried the whole list, so one anonymous GET of 100 such tags
    // took 8 s of the index's only thread, 760 MB of heap and a 230 MB answer.
    const { index } = await setup();
    const repo = index.store.repositories.byName('alice/web')!;
    const references = Array.from({ length: 10_000 }, () => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestB, size: 1 }));
    index.store.images.recordManifest(repo.id, { digest: digestA, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1, layers: references.map((r) => r.digest), references, pushedBy: null });
    for (let i = 0; i < 20; i++) index.store.images.setTag(repo.id, `t${String(i).padStart(2, '0')}`, digestA, '2026-01-01T00:00:00Z');
    const res = await call(index, 'get', '/api/repositories/alice/web');
    assert.equal(res.status, 200);
    assert.ok(res.text.length < 8 * 1024 * 1024, `an answer of ${res.text.length} bytes`);
    assert.equal(res.body.tags.length, 2);
    assert.equal(res.body.tags[0].references.length, 10_000);
    assert.equal(res.body.tagsLeftOut, 18);
  });

  it('keeps a tag\'s digest even when its manifest was never reported', async () => {
    const { index } = await setup();
    index.store.images.setTag(index.store.repositories.byName('alice/web')!.id, 'orphan', digestB);
    const res = await call(index, 'get', '/api/repositories/alice/web');
    assert.equal(res.body.tags[0].digest, digestB);
  });

  it('answers 404 NOT_FOUND, not 403, for a private repository the caller may not pull', async () => {
    const { index, alice, bob } = await setup();
    assertError(await call(index, 'get', '/api/repositories/alice/secret'), 404, 'NOT_FOUND');
    assertError(await call(index, 'get', '/api/repositories/alice/secret', bob), 404, 'NOT_FOUND');
    assert.equal((await call(index, 'get', '/api/repositories/alice/secret', alice)).status, 200);
    await collaborator(index, alice, 'alice/secret', 'bobby', 'read');
    assert.equal((await call(index, 'get', '/api/repositories/alice/secret/', bob)).status, 200);
    assertError(await call(index, 'get', '/api/repositories/alice/nothere', alice), 404, 'NOT_FOUND');
  });

  it('answers 405 UNSUPPORTED for a method a resource does not have', async () => {
    const { index, alice } = await setup();
    assertError(await call(index, 'post', '/api/repositories/alice/web', alice, {}), 405, 'UNSUPPORTED');
    assertError(await call(index, 'patch', '/api/repositories/alice/web/star', alice, {}), 405, 'UNSUPPORTED');
  });
});

describe('GET /api/namespaces/:namespace/repositories', () => {
  it('lists only what the caller may pull', async () => {
    const { index, alice, bob } = await setup();
    const names = async (user?: TestUser) => (await call(index, 'get', '/api/namespaces/alice/repositories', user)).body.repositories.map((r: { name: string }) => r.name);
    assert.deepEqual(await names(), ['alice/web']);
    assert.deepEqual(await names(bob), ['alice/web']);
    assert.deepEqual(await names(alice), ['alice/secret', 'alice/web']);
    assertError(await call(index, 'get', '/api/namespaces/nobody/repositories'), 404, 'NOT_FOUND');
  });

  it('answers in pages (n, page): a namespace of thousands of repositories is never described whole', async () => {
    // One anonymous GET of a namespace with 50,000 repositories took 2.5 s of the index's only
    // thread (a permission check and a summary each) and answered 110 MB.
    const { index, alice, bob } = await setup();
    const db = index.store.db;
    const namespaceId = (db.prepare('SELECT id FROM namespaces WHERE name = ?').get('alice') as { id: number }).id;
    const insert = db.prepare("INSERT INTO repositories (namespace_id, name, visibility, description, created_at, updated_at) VALUES (?, ?, ?, '', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(namespaceId, `alice/r${String(i).padStart(4, '0')}`, i % 2 ? 'public' : 'private');
    })();
    const first = (await call(index, 'get', '/api/namespaces/alice/repositories', bob)).body;
    assert.equal(first.repositories.length, 100);
    assert.deepEqual([first.total, first.page, first.pageSize], [1501, 1, 100]);
    assert.equal(first.repositories[0].name, 'alice/r0001');
    const last = (await call(index, 'get', '/api/namespaces/alice/repositories?n=2&page=1501', alice)).body;
    assert.deepEqual(last.repositories.map((r: { name: string }) => r.name), ['alice/secret', 'alice/web']);
    assert.equal(last.total, 3002);
    assertError(await call(index, 'get', '/api/namespaces/alice/repositories?n=101'), 400, 'INVALID_FIELD');
  });
});

describe('PATCH and DELETE /api/repositories/:namespace/:name', () => {
  it('lets the owner change visibility and description', async () => {
    const { index, alice, bob } = await setup();
    const res = await call(index, 'patch', '/api/repositories/alice/web', alice, { visibility: 'private', description: 'now private' });
    assert.equal(res.status, 200);
    assert.equal(res.body.visibility, 'private');
    assert.equal(res.body.description, 'now private');
    assertError(await call(index, 'get', '/api/repositories/alice/web', bob), 404, 'NOT_FOUND');
    assertError(await call(index, 'patch', '/api/repositories/alice/web', alice, { visibility: 'secret' }), 400, 'INVALID_FIELD');
  });

  it('needs admin rights: write collaborators get 403 DENIED, admin collaborators may', async () => {
    const { index, alice, bob } = await setup();
    assertError(await call(index, 'patch', '/api/repositories/alice/secret', bob, { description: 'x' }), 404, 'NOT_FOUND');
    await collaborator(index, alice, 'alice/secret', 'bobby', 'write');
    assertError(await call(index, 'patch', '/api/repositories/alice/secret', bob, { description: 'x' }), 403, 'DENIED');
    assertError(await call(index, 'delete', '/api/repositories/alice/secret', bob), 403, 'DENIED');
    await collaborator(index, alice, 'alice/secret', 'bobby', 'admin');
    assert.equal((await call(index, 'patch', '/api/repositories/alice/secret', bob, { description: 'x' })).status, 200);
  });

  it('respects a personal access token\'s cap', async () => {
    const { index, alice } = await setup();
    const read = { username: 'alice', password: '', auth: basic('alice', await createPat(index, alice, 'ro', 'read')) };
    assertError(await call(index, 'patch', '/api/repositories/alice/web', read, { description: 'x' }), 403, 'DENIED');
  });

  it('deletes the repository with its records', async () => {
    const { index, alice } = await setup();
    recordTag(index, 'alice/web', 'v1', digestA);
    await call(index, 'delete', '/api/repositories/alice/web', alice).expect(204);
    assertError(await call(index, 'get', '/api/repositories/alice/web', alice), 404, 'NOT_FOUND');
    assertError(await call(index, 'delete', '/api/repositories/alice/web', alice), 404, 'NOT_FOUND');
    assert.equal(index.store.audit.query({ action: 'repository.delete' })[0]?.target, 'alice/web');
  });
});

describe('collaborators', () => {
  it('are listed, set and removed by repository admins', async () => {
    const { index, alice } = await setup();
    await collaborator(index, alice, 'alice/secret', 'bobby', 'write');
    const res = await call(index, 'get', '/api/repositories/alice/secret/collaborators', alice);
    assert.deepEqual(res.body.collaborators, [{ username: 'bobby', permission: 'write' }]);
    await call(index, 'delete', '/api/repositories/alice/secret/collaborators/bobby', alice).expect(204);
    assertError(await call(index, 'delete', '/api/repositories/alice/secret/collaborators/bobby', alice), 404, 'NOT_FOUND');
  });

  it('refuses a bad permission, an unknown user and non-admins', async () => {
    const { index, alice, bob } = await setup();
    assertError(await call(index, 'put', '/api/repositories/alice/web/collaborators/bobby', alice, { permission: 'owner' }), 400, 'INVALID_FIELD');
    assertError(await call(index, 'put', '/api/repositories/alice/web/collaborators/nobody', alice, { permission: 'read' }), 404, 'NOT_FOUND');
    assertError(await call(index, 'get', '/api/repositories/alice/web/collaborators', bob), 403, 'DENIED');
    assertError(await call(index, 'put', '/api/repositories/alice/secret/collaborators/bobby', bob, { permission: 'admin' }), 404, 'NOT_FOUND');
  });
});

describe('stars', () => {
  it('star once per user, show in starCount and starred, and unstar', async () => {
    const { index, alice, bob } = await setup();
    await call(index, 'put', '/api/repositories/alice/web/star', bob).expect(204);
    await call(index, 'put', '/api/repositories/alice/web/star', bob).expect(204);
    await call(index, 'put', '/api/repositories/alice/web/star', alice).expect(204);
    const seen = await call(index, 'get', '/api/repositories/alice/web', bob);
    assert.equal(seen.body.starCount, 2);
    assert.equal(seen.body.starred, true);
    await call(index, 'delete', '/api/repositories/alice/web/star', bob).expect(204);
    const after = await call(index, 'get', '/api/repositories/alice/web', bob);
    assert.deepEqual([after.body.starCount, after.body.starred], [1, false]);
  });

  it('need a user (401) and a repository the user can see (404)', async () => {
    const { index, bob } = await setup();
    assertError(await call(index, 'put', '/api/repositories/alice/web/star'), 401, 'UNAUTHORIZED');
    assertError(await call(index, 'put', '/api/repositories/alice/secret/star', bob), 404, 'NOT_FOUND');
  });
});

describe('comments', () => {
  const post = (index: Index, user: TestUser | undefined, body: unknown) => call(index, 'post', '/api/repositories/alice/web/comments', user, { body });

  it('are written by signed-in users and read by anyone who can see the repository', async () => {
    const { index, bob } = await setup();
    const res = await post(index, bob, 'Nice image');
    assert.equal(res.status, 201);
    assert.equal(res.body.author, 'bobby');
    assert.equal((await post(index, bob, 'x'.repeat(5000))).status, 201);
    const list = await call(index, 'get', '/api/repositories/alice/web/comments');
    assert.deepEqual(list.body.comments.map((c: { body: string }) => c.body.length), [10, 5000]);
  });

  it('are read in pages, newest first (n, page): another user\'s thousands of comments never load whole', async () => {
    // Any signed-in user may comment on a public repository: 100,000 comments of 5,000
    // characters made every view of its page or comments read 500 MB.
    const { index, bob } = await setup();
    const repo = index.store.repositories.byName('alice/web')!;
    const bobId = index.store.users.byName('bobby')!.id;
    index.store.db.transaction(() => {
      for (let i = 0; i < 500; i++) index.store.repositories.addComment(repo.id, bobId, `comment ${i}`);
    })();
    const first = (await call(index, 'get', '/api/repositories/alice/web/comments')).body;
    assert.deepEqual([first.comments.length, first.total, first.page, first.pageSize], [100, 500, 1, 100]);
    assert.equal(first.comments[0].body, 'comment 400');
    assert.equal(first.comments.at(-1).body, 'comment 499');
    const oldest = (await call(index, 'get', '/api/repositories/alice/web/comments?n=3&page=167')).body;
    assert.deepEqual(oldest.comments.map((c: { body: string }) => c.body), ['comment 0', 'comment 1']);
    const page = await request(index.app).get('/r/alice/web');
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes('comment 449<'), 'the UI shows the newest 50');
    assert.ok(page.text.includes('comment 450<') && page.text.includes('Comments (500)'));
  });

  it('refuse an empty or too long body (400), anonymous authors (401) and invisible repositories (404)', async () => {
    const { index, bob } = await setup();
    for (const body of ['', '   ', 'x'.repeat(5001), 12]) assertError(await post(index, bob, body), 400, 'INVALID_FIELD');
    assertError(await post(index, undefined, 'hi'), 401, 'UNAUTHORIZED');
    assertError(await call(index, 'post', '/api/repositories/alice/secret/comments', bob, { body: 'hi' }), 404, 'NOT_FOUND');
    assertError(await call(index, 'get', '/api/repositories/alice/secret/comments', bob), 404, 'NOT_FOUND');
  });

  it('are deleted by their author, a repository admin or a site admin, and nobody else', async () => {
    const { index, alice, bob } = await setup();
    const carol = await signUp(index, 'carol');
    const admin = await makeAdmin(index);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await post(index, bob, `comment ${i}`)).body.id as number);
    assertError(await call(index, 'delete', `/api/repositories/alice/web/comments/${ids[0]}`, carol), 403, 'DENIED');
    await call(index, 'delete', `/api/repositories/alice/web/comments/${ids[0]}`, bob).expect(204);
    await call(index, 'delete', `/api/repositories/alice/web/comments/${ids[1]}`, alice).expect(204);
    await call(index, 'delete', `/api/repositories/alice/web/comments/${ids[2]}`, admin).expect(204);
    assertError(await call(index, 'delete', `/api/repositories/alice/web/comments/${ids[2]}`, admin), 404, 'NOT_FOUND');
    assertError(await call(index, 'delete', '/api/repositories/alice/web/comments/abc', admin), 404, 'NOT_FOUND');
  });

  it('belong to their repository: another repository\'s comment id is 404', async () => {
    const { index, alice, bob } = await setup();
    await createRepo(index, alice, 'alice/other');
    const id = (await post(index, bob, 'on web')).body.id as number;
    assertError(await call(index, 'delete', `/api/repositories/alice/other/comments/${id}`, alice), 404, 'NOT_FOUND');
  });
});
