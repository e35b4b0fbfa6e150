// GET /v2/_catalog with pagination (Docker API "Listing Repositories").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { assertError, buildRegistry, pushImage } from './harness.js';

const repos = ['library/nginx', 'a/b/c', 'zeta', 'a/b/d', 'alpha', 'team/app'];
const sorted = [...repos].sort();

async function populated(): Promise<Express> {
  const { app } = await buildRegistry();
  for (const repo of repos) await pushImage(app, repo, { tag: 'latest' });
  return app;
}

describe('catalog', () => {
  it('an empty registry lists no repositories', async () => {
    const { app } = await buildRegistry();
    const res = await request(app).get('/v2/_catalog');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(res.body, { repositories: [] });
  });

  it('lists every repository sorted, nested names whole and their parents not at all', async () => {
    const app = await populated();
    const res = await request(app).get('/v2/_catalog');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { repositories: sorted });
    assert.equal(res.headers.link, undefined);
    const names = (res.body as { repositories: string[] }).repositories;
    assert.ok(!names.includes('a') && !names.includes('a/b') && !names.includes('library'));
  });

  it('paginates with n and a Link to the next page; following the Links yields everything once', async () => {
    const app = await populated();
    const first = await request(app).get('/v2/_catalog?n=2');
    assert.deepEqual(first.body, { repositories: sorted.slice(0, 2) });
    assert.equal(first.headers.link, `</v2/_catalog?last=${encodeURIComponent(sorted[1]!)}&n=2>; rel="next"`);

    const seen: string[] = [];
    let next: string | undefined = '/v2/_catalog?n=2';
    while (next) {
      const page = await request(app).get(next);
      assert.equal(page.status, 200);
      seen.push(...(page.body as { repositories: string[] }).repositories);
      const link = page.headers.link as string | undefined;
      next = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
      if (link) assert.ok(next, `malformed Link ${link}`);
    }
    assert.deepEqual(seen, sorted);
  });

  it('last returns the repositories after it', async () => {
    const app = await populated();
    const res = await request(app).get('/v2/_catalog?last=a/b/d');
    assert.deepEqual(res.body, { repositories: sorted.filter((r) => r > 'a/b/d') });
    const encoded = await request(app).get(`/v2/_catalog?n=1&last=${encodeURIComponent('a/b/c')}`);
    assert.deepEqual(encoded.body, { repositories: ['a/b/d'] });
    assert.ok(encoded.headers.link);
  });

  it('n=0 gives an empty list without a Link; n past the end gives the rest without one', async () => {
    const app = await populated();
    const none = await request(app).get('/v2/_catalog?n=0');
    assert.deepEqual(none.body, { repositories: [] });
    assert.equal(none.headers.link, undefined);
    const all = await request(app).get('/v2/_catalog?n=100');
    assert.deepEqual(all.body, { repositories: sorted });
    assert.equal(all.headers.link, undefined);
  });

  it('an invalid n → 400 PAGINATION_NUMBER_INVALID', async () => {
    const { app } = await buildRegistry();
    for (const n of ['x', '-5', '2.5', '10001']) {
      assertError(await request(app).get(`/v2/_catalog?n=${n}`), 400, 'PAGINATION_NUMBER_INVALID');
    }
  });

  it('methods other than GET are 405 UNSUPPORTED', async () => {
    const { app } = await buildRegistry();
    assertError(await request(app).post('/v2/_catalog'), 405, 'UNSUPPORTED');
    assertError(await request(app).delete('/v2/_catalog'), 405, 'UNSUPPORTED');
  });
});
