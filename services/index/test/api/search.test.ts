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
