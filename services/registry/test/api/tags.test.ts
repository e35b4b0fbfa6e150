// GET /v2/<name>/tags/list with pagination (OCI end-8a/8b; Docker API "Listing Image Tags").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { assertError, buildRegistry, pushBlob, pushImage, putManifest, recordingDriver } from './harness.js';

const name = 'team/app';
const tags = ['v2', 'latest', '1.0', 'v10', 'beta', 'alpha', '2.0-rc1'];
const sorted = [...tags].sort();

async function tagged(repo = name): Promise<Express> {
  const { app } = await buildRegistry();
  const image = await pushImage(app, repo);
  for (const tag of tags) assert.equal((await putManifest(app, repo, tag, image.bytes, image.mediaType)).status, 201);
  return app;
}

function linkOf(header: unknown): string | undefined {
  if (header === undefined) return undefined;
  const match = /^<([^>]+)>; rel="next"$/.exec(String(header));
  assert.ok(match, `malformed Link header ${String(header)}`);
  return match[1];
}

describe('tags list', () => {
  it('lists every tag in lexical order with the repository name, and no Link', async () => {
    const app = await tagged();
    const res = await request(app).get(`/v2/${name}/tags/list`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(res.body, { name, tags: sorted });
    assert.equal(res.headers.link, undefined);
  });

  it('paginates with n: each page has n tags and a Link to the next, the last page has none', async () => {
    const app = await tagged();
    const first = await request(app).get(`/v2/${name}/tags/list?n=3`);
    assert.equal(first.status, 200);
    assert.deepEqual(first.body, { name, tags: sorted.slice(0, 3) });
    assert.equal(first.headers.link, `</v2/${name}/tags/list?last=${sorted[2]}&n=3>; rel="next"`);

    const seen = [...(first.body as { tags: string[] }).tags];
    let next = linkOf(first.headers.link);
    let pages = 1;
    while (next) {
      const page = await request(app).get(next);
      assert.equal(page.status, 200);
      const pageTags = (page.body as { tags: string[] }).tags;
      assert.ok(pageTags.length > 0 && pageTags.length <= 3);
      seen.push(...pageTags);
      next = linkOf(page.headers.link);
      pages++;
    }
    assert.equal(pages, Math.ceil(tags.length / 3));
    assert.deepEqual(seen, sorted);
  });

  it('last alone returns every tag after it; with n, up to n of them', async () => {
    const app = await tagged();
    const after = await request(app).get(`/v2/${name}/tags/list?last=beta`);
    assert.deepEqual(after.body, { name, tags: sorted.filter((t) => t > 'beta') });
    assert.equal(after.headers.link, undefined);
    const two = await request(app).get(`/v2/${name}/tags/list?n=2&last=beta`);
    assert.deepEqual(two.body, { name, tags: sorted.filter((t) => t > 'beta').slice(0, 2) });
    assert.ok(two.headers.link);
    const past = await request(app).get(`/v2/${name}/tags/list?last=zzz`);
    assert.deepEqual(past.body, { name, tags: [] });
  });

  it('n equal to or larger than the count returns everything without a Link', async () => {
    const app = await tagged();
    for (const n of [tags.length, 1000]) {
      const res = await request(app).get(`/v2/${name}/tags/list?n=${n}`);
      assert.deepEqual(res.body, { name, tags: sorted });
      assert.equal(res.headers.link, undefined, `n=${n}`);
    }
  });

  it('n=0 returns an empty list and no Link (OCI end-8b)', async () => {
    const app = await tagged();
    const res = await request(app).get(`/v2/${name}/tags/list?n=0`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { name, tags: [] });
    assert.equal(res.headers.link, undefined);
  });

  it('an invalid n → 400 PAGINATION_NUMBER_INVALID', async () => {
    const app = await tagged();
    for (const n of ['abc', '-1', '1.5', '1e3', '10001']) {
      assertError(await request(app).get(`/v2/${name}/tags/list?n=${n}`), 400, 'PAGINATION_NUMBER_INVALID');
    }
  });

  it('an unknown repository → 404 NAME_UNKNOWN, also one that holds only blobs', async () => {
    const { app } = await buildRegistry();
    assertError(await request(app).get('/v2/team/nothing/tags/list'), 404, 'NAME_UNKNOWN');
    await pushBlob(app, 'team/blobs-only', 'a layer');
    assertError(await request(app).get('/v2/team/blobs-only/tags/list'), 404, 'NAME_UNKNOWN');
  });

  it('a repository whose only manifest was pushed by digest lists no tags', async () => {
    const { app } = await buildRegistry();
    await pushImage(app, name);
    const res = await request(app).get(`/v2/${name}/tags/list`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { name, tags: [] });
  });

  it('works for nested names and keeps repositories apart', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, 'a/b/c', { tag: 'deep' });
    await putManifest(app, 'a/b/c', 'deeper', image.bytes, image.mediaType);
    await pushImage(app, 'a/b', { tag: 'shallow' });
    assert.deepEqual((await request(app).get('/v2/a/b/c/tags/list')).body, { name: 'a/b/c', tags: ['deep', 'deeper'] });
    assert.deepEqual((await request(app).get('/v2/a/b/tags/list')).body, { name: 'a/b', tags: ['shallow'] });
    const paged = await request(app).get('/v2/a/b/c/tags/list?n=1');
    assert.equal(paged.headers.link, '</v2/a/b/c/tags/list?last=deep&n=1>; rel="next"');
  });

  it('a deleted tag disappears from the list', async () => {
    const app = await tagged();
    assert.equal((await request(app).delete(`/v2/${name}/manifests/beta`)).status, 202);
    assert.deepEqual((await request(app).get(`/v2/${name}/tags/list`)).body, { name, tags: sorted.filter((t) => t !== 'beta') });
  });

  it('costs one directory list, however many tags (no read per tag: object storage pays per request)', async () => {
    const recorded = recordingDriver();
    const { app } = await buildRegistry({ driver: recorded.driver });
    const image = await pushImage(app, name);
    for (const tag of tags) assert.equal((await putManifest(app, name, tag, image.bytes, image.mediaType)).status, 201);
    recorded.calls.length = 0;
    assert.deepEqual((await request(app).get(`/v2/${name}/tags/list`)).body, { name, tags: sorted });
    assert.deepEqual(recorded.calls, [`list /docker/registry/v2/repositories/${name}/_manifests/tags`]);
  });
});
