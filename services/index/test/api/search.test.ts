// GET /v1/search: Docker Hub's v1 result shape, substring matching on name and description,
// private repositories only for those who may pull them, and paging.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Index } from '../../src/index.js';
import { assertError, buildIndex, createRepo, digestA, recordTag, signUp, type TestUser } from './harness.js';

async function setup() {
  const index = await buildIndex();
  const alice = await signUp(index, 'alice');
  const bob = await signUp(index, 'bobby');
  await createRepo(index, alice, 'alice/nginx-proxy', 'public', 'A reverse proxy');
  await createRepo(index, alice, 'alice/tools', 'public', 'Utilities around NGINX');
  await createRepo(index, alice, 'alice/nginx-secret', 'private', 'internal');
  await createRepo(index, alice, 'alice/under_score', 'public', '100% handmade');
  return { index, alice, bob };
}

function search(index: Index, query: Record<string, string | readonly string[]>, user?: TestUser) {
  const test = request(index.app).get('/v1/search').query(query);
  return user ? test.set('Authorization', user.auth) : test;
}

const names = (res: request.Response) => (res.body.results as { name: string }[]).map((r) => r.name).sort();

describe('GET /v1/search', () => {
  it('answers in the Docker Hub v1 shape, with last_push', async () => {
    const { index } = await setup();
    recordTag(index, 'alice/nginx-proxy', 'latest', digestA);
    const res = await search(index, { q: 'proxy' });
    assert.equal(res.status, 200);
    const { results, ...page } = res.body;
    assert.deepEqual(page, { num_pages: 1, num_results: 1, page_size: 25, page: 1, query: 'proxy' });
    const { last_push, ...result } = results[0];
    assert.deepEqual(result, { name: 'alice/nginx-proxy', description: 'A reverse proxy', star_count: 0, is_official: false, is_automated: false, is_trusted: false });
    assert.match(last_push, /^\d{4}-\d\d-\d\dT/);
  });

  it('matches name or description, ignoring case', async () => {
    const { index } = await setup();
    assert.deepEqual(names(await search(index, { q: 'NGINX' })), ['alice/nginx-proxy', 'alice/tools']);
    assert.equal((await search(index, { q: 'reverse' })).body.num_results, 1);
  });

  it('takes % and _ literally', async () => {
    const { index } = await setup();
    assert.deepEqual(names(await search(index, { q: '%' })), ['alice/under_score']);
    assert.deepEqual(names(await search(index, { q: 'under_' })), ['alice/under_score']);
    // As a wildcard, n_i would match "nginx"; literally it matches nothing.
    assert.deepEqual(names(await search(index, { q: 'n_i' })), []);
  });

  it('shows private repositories only to callers who may pull them', async () => {
    const { index, alice, bob } = await setup();
    assert.deepEqual(names(await search(index, { q: 'nginx' })), ['alice/nginx-proxy', 'alice/tools']);
    assert.deepEqual(names(await search(index, { q: 'nginx' }, bob)), ['alice/nginx-proxy', 'alice/tools']);
    assert.deepEqual(names(await search(index, { q: 'nginx' }, alice)), ['alice/nginx-proxy', 'alice/nginx-secret', 'alice/tools']);
    await request(index.app).put('/api/repositories/alice/nginx-secret/collaborators/bobby').set('Authorization', alice.auth).send({ permission: 'read' }).expect(204);
    assert.equal((await search(index, { q: 'secret' }, bob)).body.num_results, 1);
  });

  it('orders by stars and pages with n and page', async () => {
    const { index, alice, bob } = await setup();
    await request(index.app).put('/api/repositories/alice/tools/star').set('Authorization', bob.auth).expect(204);
    const first = await search(index, { q: '', n: '2', page: '1' }, alice);
    assert.deepEqual([first.body.num_results, first.body.num_pages, first.body.page_size], [4, 2, 2]);
    assert.equal(first.body.results[0].name, 'alice/tools');
    assert.equal(first.body.results[0].star_count, 1);
    const second = await search(index, { q: '', n: '2', page: '2' }, alice);
    assert.equal(second.body.results.length, 2);
    const all = [...first.body.results, ...second.body.results].map((r: { name: string }) => r.name);
    assert.equal(new Set(all).size, 4);
    assert.deepEqual((await search(index, { q: '', n: '2', page: '3' }, alice)).body.results, []);
  });

  it('reads one page of rows, however many repositories match (an anonymous search must not load them all)', async () => {
    // A registry of many repositories (tenants create them freely) made every search and the UI's
    // home page read, describe and sort all of them in the index's only thread: ~1 s at 50,000.
    const { index, alice, bob } = await setup();
    const mallory = await signUp(index, 'mallory');
    await createRepo(index, mallory, 'mallory/seed', 'public');
    const db = index.store.db;
    const namespaceId = (db.prepare('SELECT namespace_id AS id FROM repositories WHERE name = ?').get('mallory/seed') as { id: number }).id;
    const insert = db.prepare("INSERT INTO repositories (namespace_id, name, visibility, description, created_at, updated_at) VALUES (?, ?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')");
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(namespaceId, `mallory/r${i}`, i % 10 ? 'public' : 'private', `filler ${'d'.repeat(500)}`);
    })();
    let rowsRead = 0;
    const prepare = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      const statement = prepare(sql);
      const all = statement.all.bind(statement);
      statement.all = ((...params: unknown[]) => {
        const rows = all(...params);
        rowsRead += rows.length;
        return rows;
      }) as typeof statement.all;
      return statement;
    }) as typeof db.prepare;
    for (const [query, user, total] of [
      [{ q: '' }, undefined, 2704],
      [{ q: 'filler', n: '100' }, bob, 2700],
      [{ q: 'filler', page: '3' }, mallory, 3000],
      [{ q: 'nginx' }, alice, 3],
    ] as const) {
      rowsRead = 0;
      const res = await search(index, query, user);
      assert.equal(res.status, 200);
      assert.equal(res.body.num_results, total);
      assert.ok(rowsRead <= 150, `${rowsRead} rows read for one page of ${JSON.stringify(query)}`);
    }
  });

  it('allows n up to 100', async () => {
    const { index } = await setup();
    assert.equal((await search(index, { q: 'nginx', n: '100' })).body.page_size, 100);
  });

  for (const [query, field] of [
    [{ n: '0' }, 'n'],
    [{ n: '101' }, 'n'],
    [{ n: 'ten' }, 'n'],
    [{ n: '-5' }, 'n'],
    [{ page: '0' }, 'page'],
    [{ page: '1.5' }, 'page'],
    [{ q: ['a', 'b'] }, 'q'],
  ] as const) {
    it(`answers 400 INVALID_FIELD for ${JSON.stringify(query)}`, async () => {
      const { index } = await setup();
      const res = await search(index, { q: 'x', ...query });
      assertError(res, 400, 'INVALID_FIELD');
      assert.deepEqual(res.body.errors[0].detail, { field });
    });
  }
});
