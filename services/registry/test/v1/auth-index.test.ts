// v1 auth with an index (docs/protocol-v1.md): tokens validated by calling the index with the client's
// Authorization header, the token's repository and access checked against the request, positive
// answers cached for tokenCacheTtl, public repositories readable without a token.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { startFakeIndex, type FakeIndex } from './fake-index.js';
import { makeChain, makeImage } from './fixtures.js';
import { assertUnauthorized, assertV1Error, authed, buildV1Registry, pushAndTag, putJson, putTag } from './harness.js';

let index: FakeIndex;

before(async () => {
  index = await startFakeIndex();
});

after(async () => {
  await index.close();
});

async function registry(tokenCacheTtl = '60s'): Promise<Express> {
  return (await buildV1Registry({ index: index.url, tokenCacheTtl })).app;
}

function callsFor(path: string): number {
  return index.calls.filter((c) => c.path === path).length;
}

describe('v1 with an index: tokens', () => {
  it('ping says X-Docker-Registry-Standalone: False', async () => {
    const app = await registry();
    for (const path of ['/v1/_ping', '/_ping']) assert.equal((await request(app).get(path)).headers['x-docker-registry-standalone'], 'False');
  });

  it('a write token pushes and tags; the index sees the header verbatim on the images route', async () => {
    const app = await registry();
    const token = index.issue('alice/app', 'write');
    index.calls.length = 0;
    await pushAndTag(app, 'alice/app', 'latest', makeChain(2), token);
    const validations = index.calls.filter((c) => c.path === '/v1/repositories/alice/app/images');
    assert.ok(validations.length >= 1);
    assert.ok(validations.every((c) => c.method === 'GET' && c.authorization === token));
    // The push token also reads (Docker looks images up with it).
    assert.equal((await authed(request(app).get('/v1/repositories/alice/app/tags'), token)).status, 200);
  });

  it('without a token: 401 Requires authorization with WWW-Authenticate: Token', async () => {
    const app = await registry();
    const image = makeImage();
    assertUnauthorized(await putJson(app, image));
    assertUnauthorized(await request(app).get(`/v1/images/${image.id}/json`));
    assertUnauthorized(await request(app).get('/v1/repositories/alice/secret/tags'));
    assertUnauthorized(await request(app).delete('/v1/repositories/alice/secret/'));
    assertUnauthorized(await authed(request(app).get('/v1/repositories/alice/secret/tags'), 'Token nonsense'));
  });

  it("a token for another repository is refused without asking the index", async () => {
    const app = await registry();
    const token = index.issue('alice/other', 'write');
    index.calls.length = 0;
    assertUnauthorized(await authed(request(app).get('/v1/repositories/alice/app/tags'), token));
    assertUnauthorized(await putTag(app, 'alice/app', 'latest', makeImage().id, token));
    assert.equal(index.calls.length, 0);
  });

  it('a read token cannot write; a write token cannot delete; a delete token only deletes', async () => {
    const app = await registry();
    const read = index.issue('alice/app', 'read');
    const write = index.issue('alice/app', 'write');
    const del = index.issue('alice/app', 'delete');
    const image = makeImage();
    assertUnauthorized(await putJson(app, image, read));
    assertUnauthorized(await putTag(app, 'alice/app', 'latest', image.id, read));
    assertUnauthorized(await authed(request(app).delete('/v1/repositories/alice/app/'), write));
    assertUnauthorized(await authed(request(app).delete('/v1/repositories/alice/app/tags/latest'), read));
    assertUnauthorized(await authed(request(app).get('/v1/repositories/alice/app/tags'), del));
    assertUnauthorized(await putJson(app, image, del));
  });

  it('a delete token is validated with PUT /v1/repositories/<r>/auth and deletes the repository', async () => {
    const app = await registry();
    await pushAndTag(app, 'alice/gone', 'latest', makeChain(1), index.issue('alice/gone', 'write'));
    const del = index.issue('alice/gone', 'delete');
    index.calls.length = 0;
    assert.equal((await authed(request(app).delete('/v1/repositories/alice/gone/'), del)).status, 200);
    assert.deepEqual(index.calls.map((c) => [c.method, c.path, c.authorization]), [['PUT', '/v1/repositories/alice/gone/auth', del]]);
    // A delete token the index no longer knows (403 from /auth) is refused.
    const stale = index.issue('alice/gone', 'delete');
    index.revoke(stale);
    assertUnauthorized(await authed(request(app).delete('/v1/repositories/alice/gone/'), stale));
    // Nor may a delete token of another repository delete this one.
    assertUnauthorized(await authed(request(app).delete('/v1/repositories/alice/gone/'), index.issue('alice/other', 'delete')));
  });

  it('the index saying 401 (an unknown token) is 401; an index failure is 503, never a "no"', async () => {
    const app = await registry();
    const token = index.issue('alice/app', 'read');
    index.revoke(token);
    assertUnauthorized(await authed(request(app).get('/v1/repositories/alice/app/tags'), token));
    const fresh = index.issue('alice/app', 'read');
    index.failWith = 500;
    try {
      assertV1Error(await authed(request(app).get('/v1/repositories/alice/app/tags'), fresh), 503, 'Index unavailable');
    } finally {
      index.failWith = undefined;
    }
    const down = (await buildV1Registry({ index: 'http://127.0.0.1:59' })).app;
    assertV1Error(await authed(request(down).get('/v1/repositories/alice/app/tags'), fresh), 503, 'Index unavailable');
  });

  it('one-segment names are library/…, in the URL and in the token', async () => {
    const app = await registry();
    const token = index.issue('library/busybox', 'write');
    await pushAndTag(app, 'busybox', 'latest', makeChain(1), token);
    const loose = token.replace('repository="library/busybox"', 'repository=busybox');
    assert.equal((await authed(request(app).get('/v1/repositories/library/busybox/tags'), loose)).status, 200);
  });
});

describe('v1 with an index: caching', () => {
  it('within the TTL a token is validated once, however many requests use it (and at once)', async () => {
    const app = await registry('60s');
    const token = index.issue('alice/cached', 'write');
    await pushAndTag(app, 'alice/cached', 'latest', makeChain(3), token);
    assert.equal(callsFor('/v1/repositories/alice/cached/images'), 1);
    const reads = await Promise.all(Array.from({ length: 5 }, () => authed(request(app).get('/v1/repositories/alice/cached/tags'), token)));
    assert.ok(reads.every((r) => r.status === 200));
    assert.equal(callsFor('/v1/repositories/alice/cached/images'), 1);
    // Another token for the same repository is a separate question.
    assert.equal((await authed(request(app).get('/v1/repositories/alice/cached/tags'), index.issue('alice/cached', 'read'))).status, 200);
    assert.equal(callsFor('/v1/repositories/alice/cached/images'), 2);
  });

  it('identical validations in flight share one call to the index', async () => {
    const app = await registry('60s');
    const token = index.issue('alice/burst', 'read');
    const before = callsFor('/v1/repositories/alice/burst/images');
    const reads = await Promise.all(Array.from({ length: 6 }, () => authed(request(app).get('/v1/repositories/alice/burst/tags'), token)));
    assert.ok(reads.every((r) => r.status === 404 || r.status === 200));
    assert.equal(callsFor('/v1/repositories/alice/burst/images') - before, 1);
  });

  it('after the TTL the index is asked again, and a revoked token is then refused', async () => {
    // Long enough for the push and the check right after it, even on a loaded machine.
    const app = await registry('500ms');
    const token = index.issue('alice/ttl', 'write');
    await pushAndTag(app, 'alice/ttl', 'latest', makeChain(1), token);
    const asked = callsFor('/v1/repositories/alice/ttl/images');
    index.revoke(token);
    assert.equal((await authed(request(app).get('/v1/repositories/alice/ttl/tags'), token)).status, 200, 'still cached');
    await new Promise((resolve) => setTimeout(resolve, 550));
    assertUnauthorized(await authed(request(app).get('/v1/repositories/alice/ttl/tags'), token));
    assert.equal(callsFor('/v1/repositories/alice/ttl/images'), asked + 1);
  });

  it('a "no" is not cached: the same token is asked about again next time', async () => {
    const app = await registry('60s');
    await pushAndTag(app, 'alice/neg', 'latest', makeChain(1), index.issue('alice/neg', 'write'));
    const token = index.issue('alice/neg', 'read');
    index.failWith = 401;
    try {
      assertUnauthorized(await authed(request(app).get('/v1/repositories/alice/neg/tags'), token));
    } finally {
      index.failWith = undefined;
    }
    assert.equal((await authed(request(app).get('/v1/repositories/alice/neg/tags'), token)).status, 200);
  });
});

describe('v1 with an index: public repositories', () => {
  it('are readable without a token: tags, and the images reachable from them', async () => {
    const app = await registry('50ms');
    const chain = makeChain(2);
    await pushAndTag(app, 'library/pub', 'latest', chain, index.issue('library/pub', 'write'));
    index.setPublic('library/pub');
    try {
      assert.deepEqual((await request(app).get('/v1/repositories/pub/tags')).body, { latest: chain[1]!.id });
      assert.equal((await request(app).get('/v1/repositories/pub/tags/latest')).body, chain[1]!.id);
      for (const image of chain) {
        for (const what of ['json', 'layer', 'ancestry']) assert.equal((await request(app).get(`/v1/images/${image.id}/${what}`)).status, 200, what);
      }
      // Reading is all: writing still needs a token.
      assertUnauthorized(await putTag(app, 'library/pub', 'other', chain[0]!.id));
      assertUnauthorized(await request(app).delete('/v1/repositories/library/pub/tags/latest'));
    } finally {
      index.setPublic('library/pub', false);
    }
    // Once the cached "public" has expired, the now private repository wants a token.
    await new Promise((resolve) => setTimeout(resolve, 80));
    assertUnauthorized(await request(app).get('/v1/repositories/pub/tags'));
    assertUnauthorized(await request(app).get(`/v1/images/${chain[0]!.id}/json`));
  });

  it('a public answer is cached too', async () => {
    const app = await registry();
    index.setPublic('library/pubcache');
    const before = callsFor('/v1/repositories/library/pubcache/images');
    for (let i = 0; i < 3; i++) assert.equal((await request(app).get('/v1/repositories/pubcache/tags')).status, 404);
    assert.equal(callsFor('/v1/repositories/library/pubcache/images') - before, 1);
  });
});
