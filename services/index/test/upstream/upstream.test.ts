// A private index chained to an upstream index (config upstream): federated search, lookups of
// repositories it does not know, tokens for proxied names by its policy (grant.ts), the
// registry's cache fills recorded, and the namespace list the chained registry reads.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import jwt from 'jsonwebtoken';
import type { Index, IndexConfigInput } from '../../src/index.js';
import { assertError, buildIndex, makeAdmin, createRepo, password, signUp, type TestUser } from '../api/harness.js';
import { pushEvent, recordEvents, secret } from '../events/helpers.js';

interface Chain {
  upstream: Index;
  upstreamUrl: string;
  local: Index;
  alice: TestUser;
}

async function chain(upstreamConfig: Partial<NonNullable<IndexConfigInput['upstream']>> = {}): Promise<Chain> {
  const upstream = await buildIndex();
  const owner = await signUp(upstream, 'upowner');
  await createRepo(upstream, owner, 'upowner/tool', 'public', 'a tool from upstream');
  await createRepo(upstream, owner, 'upowner/secret-tool', 'private', 'a private tool');
  // A name that exists upstream and in a namespace the private index owns too.
  const shadow = await signUp(upstream, 'alice');
  await createRepo(upstream, shadow, 'alice/tool', 'public', 'the upstream alice');
  const bound = await upstream.listen(0, '127.0.0.1');
  const upstreamUrl = `http://127.0.0.1:${bound.port}`;
  const local = await buildIndex({ events: { secret }, upstream: { url: upstreamUrl, ...upstreamConfig } });
  const alice = await signUp(local, 'alice');
  await createRepo(local, alice, 'alice/tool', 'public', 'the local tool');
  return { upstream, upstreamUrl, local, alice };
}

async function granted(index: Index, scope: string, auth?: string): Promise<string[]> {
  const req = request(index.app).get('/token').query({ service: 'wharf-registry', scope });
  const res = await (auth ? req.set('Authorization', auth) : req);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return (jwt.decode(res.body.token) as { access: { actions: string[] }[] }).access.flatMap((a) => a.actions).sort();
}

describe('chained index: search', () => {
  it('merges local and upstream results, each saying where it comes from', async () => {
    const { local, upstreamUrl } = await chain();
    const res = await request(local.app).get('/v1/search').query({ q: 'tool' });
    assert.equal(res.status, 200);
    const results = (res.body.results as { name: string; source: string }[]).map((r) => `${r.source}:${r.name}`);
    // upstream alice/tool is dropped: alice is a local namespace; the private upstream repository is not shown.
    assert.deepEqual(results, ['local:alice/tool', 'upstream:upowner/tool']);
    assert.deepEqual(res.body.upstream, { url: upstreamUrl, status: 'ok' });
    assert.equal(res.body.num_results, 3, 'the upstream counted alice/tool');
  });

  it('shows what the configured upstream account may see', async () => {
    const { local } = await chain({ username: 'upowner', password });
    const res = await request(local.app).get('/v1/search').query({ q: 'tool' });
    assert.deepEqual((res.body.results as { name: string }[]).map((r) => r.name).sort(), ['alice/tool', 'upowner/secret-tool', 'upowner/tool']);
  });

  it('answers with local results and a warning while the upstream is down', async () => {
    const { local, upstream } = await chain();
    await upstream.close();
    const res = await request(local.app).get('/v1/search').query({ q: 'tool' });
    assert.equal(res.status, 200);
    assert.deepEqual((res.body.results as { name: string; source: string }[]).map((r) => `${r.source}:${r.name}`), ['local:alice/tool']);
    assert.equal(res.body.upstream.status, 'unavailable');
    assert.match(res.body.upstream.message, /unreachable/);
    assert.match(String(res.headers.warning), /upstream index unavailable/);
  });
});

describe('chained index: repository lookup', () => {
  it('answers a repository it does not know from the upstream, with what the registry cached', async () => {
    const { local, upstreamUrl } = await chain({ tokenPolicy: 'anonymous' });
    const digest = `sha256:${'c'.repeat(64)}`;
    await recordEvents(local, pushEvent('upowner/tool', digest, { tag: 'v1' }));
    const res = await request(local.app).get('/api/repositories/upowner/tool');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.source, 'upstream');
    assert.equal(res.body.description, 'a tool from upstream');
    assert.deepEqual(res.body.upstream, { url: upstreamUrl, status: 'ok' });
    assert.deepEqual(res.body.cached.tags.map((t: { tag: string; digest: string }) => [t.tag, t.digest]), [['v1', digest]]);
    assert.equal(res.body.cached.manifests[0].layers.length, 2);
    // Unknown upstream too, or private there: not found.
    assertError(await request(local.app).get('/api/repositories/upowner/secret-tool'), 404, 'NOT_FOUND');
    assertError(await request(local.app).get('/api/repositories/nobody/nothing'), 404, 'NOT_FOUND');
    // A local namespace's repositories are never looked up upstream, even when missing here.
    assertError(await request(local.app).get('/api/repositories/alice/other'), 404, 'NOT_FOUND');
    const mine = await request(local.app).get('/api/repositories/alice/tool');
    assert.equal(mine.body.description, 'the local tool');
  });

  it('needs a signed-in caller under the authenticated policy', async () => {
    const { local, alice } = await chain({ tokenPolicy: 'authenticated' });
    assertError(await request(local.app).get('/api/repositories/upowner/tool'), 404, 'NOT_FOUND');
    const res = await request(local.app).get('/api/repositories/upowner/tool').set('Authorization', alice.auth);
    assert.equal(res.status, 200);
  });

  it('answers from the cache records while the upstream is down', async () => {
    const { local, upstream } = await chain({ tokenPolicy: 'anonymous' });
    await recordEvents(local, pushEvent('upowner/tool', `sha256:${'d'.repeat(64)}`, { tag: 'v2' }));
    await upstream.close();
    const res = await request(local.app).get('/api/repositories/upowner/tool');
    assert.equal(res.status, 200);
    assert.equal(res.body.upstream.status, 'unavailable');
    assert.equal(res.body.cached.tags[0].tag, 'v2');
    assertError(await request(local.app).get('/api/repositories/upowner/other'), 503, 'UNAVAILABLE');
  });

  it('shows what the registry cached of a name the upstream index does not show (a credentialed mirror)', async () => {
    const { local, upstreamUrl } = await chain({ tokenPolicy: 'anonymous' });
    const digest = `sha256:${'e'.repeat(64)}`;
    await recordEvents(local, pushEvent('mirror/upowner/secret-tool', digest, { tag: 'v1' }));
    const res = await request(local.app).get('/api/repositories/mirror/upowner/secret-tool');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.upstream, { url: upstreamUrl, status: 'not-shown' });
    assert.deepEqual(res.body.cached.tags.map((t: { tag: string; digest: string }) => [t.tag, t.digest]), [['v1', digest]]);
    assert.equal(res.body.description, undefined, 'nothing of the upstream view');
  });
});

describe('chained index: what reaches the upstream index', () => {
  it('asks it only about repository names: no encoded slashes or dots walk to other paths with its account', async () => {
    const { local } = await chain({ tokenPolicy: 'anonymous', username: 'upowner', password });
    for (const path of ['upowner%2F..%2F..%2Fuser', 'x/..%2F..%2F..%2Fapi%2Fuser', 'upowner/tool%3Fx=1', 'UPOWNER/tool']) {
      const res = await request(local.app).get(`/api/repositories/${path}`);
      assert.notEqual(res.status, 200, `${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.username, undefined, `${path} answered with the upstream account`);
    }
  });
});

describe('chained index: an upstream index that misbehaves', () => {
  it('costs only its own results when it sends an endless answer', async () => {
    const endless = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"results":[');
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    try {
      const local = await buildIndex({ upstream: { url: `http://127.0.0.1:${(endless.address() as AddressInfo).port}` } });
      const res = await request(local.app).get('/v1/search').query({ q: 'tool' });
      assert.equal(res.status, 200);
      assert.equal(res.body.upstream.status, 'unavailable');
      assert.match(res.body.upstream.message, /exceeds/);
    } finally {
      endless.closeAllConnections();
      endless.close();
    }
  });
});

describe('chained index: tokens for proxied names', () => {
  it("'authenticated': signed-in users pull, anonymous callers get nothing, nobody pushes", async () => {
    const { local, alice } = await chain({ tokenPolicy: 'authenticated' });
    const admin = await makeAdmin(local);
    assert.deepEqual(await granted(local, 'repository:upowner/tool:pull'), []);
    assert.deepEqual(await granted(local, 'repository:upowner/tool:pull,push', alice.auth), ['pull']);
    assert.deepEqual(await granted(local, 'repository:library/alpine:pull,push,delete', alice.auth), ['pull']);
    assert.deepEqual(await granted(local, 'repository:library/alpine:pull,push,delete', admin.auth), ['pull'], 'not even a site admin pushes there');
    // Local namespaces keep their own rules.
    assert.deepEqual(await granted(local, 'repository:alice/tool:pull,push', alice.auth), ['pull', 'push']);
    assert.deepEqual(await granted(local, 'repository:alice/new:pull,push'), []);
  });

  it("'anonymous': everyone pulls proxied names", async () => {
    const { local } = await chain({ tokenPolicy: 'anonymous' });
    assert.deepEqual(await granted(local, 'repository:upowner/tool:pull'), ['pull']);
    assert.deepEqual(await granted(local, 'repository:alice/private-thing:pull'), []);
  });

  it('without an upstream, names in no local namespace get nothing (as before)', async () => {
    const index = await buildIndex();
    assert.deepEqual(await granted(index, 'repository:upowner/tool:pull'), []);
  });
});

describe('chained index: what the registry reads and reports', () => {
  it('lists its namespaces to the registry holding the events secret, and to nobody else', async () => {
    const { local, alice } = await chain();
    const res = await request(local.app).get('/registry/namespaces').set('Authorization', `Bearer ${secret}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { namespaces: ['alice'] });
    assert.equal((await request(local.app).get('/registry/namespaces')).status, 401);
    assert.equal((await request(local.app).get('/registry/namespaces').set('Authorization', alice.auth)).status, 401);
  });

  it('records cache fills for names in no local namespace only when chained', async () => {
    const { local } = await chain();
    const res = await request(local.app)
      .post('/events')
      .set({ Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' })
      .send({ events: [pushEvent('library/alpine', `sha256:${'e'.repeat(64)}`, { tag: '3' })] });
    assert.equal(res.body.events[0].outcome, 'recorded');
    assert.deepEqual(local.store.upstreamCache.tags('library/alpine').map((t) => t.tag), ['3']);
    const plain = await buildIndex({ events: { secret } });
    const ignored = await request(plain.app)
      .post('/events')
      .set({ Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' })
      .send({ events: [pushEvent('library/alpine', `sha256:${'e'.repeat(64)}`, { tag: '3' })] });
    assert.equal(ignored.body.events[0].outcome, 'ignored');
  });
});
