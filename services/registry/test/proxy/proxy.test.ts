// The pull-through cache against a fake upstream (fake-upstream.ts): fills, TTL, cache while the
// upstream is down, verification, single-flight, refusal of writes, local namespaces and the
// upstream token dance. Every upstream request is counted at the upstream.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { createServer } from 'node:net';
import request from 'supertest';
import { assertError, pushBlob, pushImage, raw } from '../api/harness.js';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';
import { buildProxy, indexSecret, startFakeIndex } from './harness.js';

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close();
});

async function upstream(options: Parameters<typeof startFakeUpstream>[0] = {}): Promise<FakeUpstream> {
  const up = await startFakeUpstream(options);
  closers.push(up.close);
  return up;
}

const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

describe('pull-through: manifests and blobs', () => {
  it('pulls an image through, then serves it from the cache without asking for the bytes again', async () => {
    const up = await upstream();
    const image = await pushImage(up.app, 'library/app', { tag: 'v1', layers: ['layer one', 'layer two'] });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'] }] });
    const app = registry.app;
    for (let round = 0; round < 2; round++) {
      const res = await raw(request(app).get('/v2/library/app/manifests/v1').set('Accept', accept));
      assert.equal(res.status, 200, res.text);
      assert.equal(res.headers['docker-content-digest'], image.digest);
      assert.deepEqual(res.body, image.bytes);
      for (const blob of [image.config, ...image.layers]) {
        const got = await raw(request(app).get(`/v2/library/app/blobs/${blob.digest}`));
        assert.equal(got.status, 200);
        assert.deepEqual(got.body, blob.content);
        assert.equal(got.headers['docker-content-digest'], blob.digest);
      }
    }
    assert.equal(up.count('GET', /\/manifests\/v1$/), 1);
    assert.equal(up.count('GET', /\/blobs\//), 3, 'each blob fetched once');
    // Within the default 5m TTL the tag is not even checked.
    assert.equal(up.count('HEAD', /\/manifests\//), 0);
    // The cache is a repository like any other: it is in the catalog and answers by digest.
    const catalog = await request(app).get('/v2/_catalog');
    assert.deepEqual(catalog.body.repositories, ['library/app']);
    const byDigest = await request(app).head(`/v2/library/app/manifests/${image.digest}`).set('Accept', accept);
    assert.equal(byDigest.status, 200);
  });

  it('fetches by digest, verifies and stores; an unknown digest upstream is MANIFEST_UNKNOWN', async () => {
    const up = await upstream();
    const image = await pushImage(up.app, 'library/app', { layers: ['x'] });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['*'] }] });
    const res = await raw(request(registry.app).get(`/v2/library/app/manifests/${image.digest}`).set('Accept', accept));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, image.bytes);
    const missing = await request(registry.app).get(`/v2/library/app/manifests/sha256:${'0'.repeat(64)}`).set('Accept', accept);
    assertError(missing, 404, 'MANIFEST_UNKNOWN');
  });

  it('checks a tag after its TTL with HEAD, and fetches only when the digest changed', async () => {
    const up = await upstream();
    const first = await pushImage(up.app, 'library/app', { tag: 'latest', layers: ['first'] });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'], tagTtl: '0s' }] });
    const get = () => request(registry.app).get('/v2/library/app/manifests/latest').set('Accept', accept);
    assert.equal((await get()).headers['docker-content-digest'], first.digest);
    assert.equal((await get()).headers['docker-content-digest'], first.digest);
    assert.equal(up.count('GET', /\/manifests\/latest$/), 1, 'unchanged tag: HEAD only');
    assert.equal(up.count('HEAD', /\/manifests\/latest$/), 1);
    const second = await pushImage(up.app, 'library/app', { tag: 'latest', layers: ['second'] });
    assert.equal((await get()).headers['docker-content-digest'], second.digest);
    assert.equal(up.count('GET', /\/manifests\/latest$/), 2);
  });

  it('keeps serving a cached tag within its TTL without asking the upstream', async () => {
    const up = await upstream();
    const first = await pushImage(up.app, 'library/app', { tag: 'latest', layers: ['first'] });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'], tagTtl: '1h' }] });
    const get = () => request(registry.app).get('/v2/library/app/manifests/latest').set('Accept', accept);
    assert.equal((await get()).headers['docker-content-digest'], first.digest);
    await pushImage(up.app, 'library/app', { tag: 'latest', layers: ['second'] });
    assert.equal((await get()).headers['docker-content-digest'], first.digest);
    assert.equal(up.requests.filter((r) => r.path.includes('/manifests/')).length, 1);
  });

  it('serves the cache while the upstream is down; what was never cached is UNAVAILABLE', async () => {
    const up = await upstream();
    const image = await pushImage(up.app, 'library/app', { tag: 'v1', layers: ['cached'] });
    await pushImage(up.app, 'library/other', { tag: 'v1', layers: ['never pulled'] });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'], tagTtl: '0s' }] });
    const app = registry.app;
    await request(app).get('/v2/library/app/manifests/v1').set('Accept', accept).expect(200);
    for (const blob of [image.config, ...image.layers]) await raw(request(app).get(`/v2/library/app/blobs/${blob.digest}`)).expect(200);
    up.down = true;
    const res = await raw(request(app).get('/v2/library/app/manifests/v1').set('Accept', accept));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, image.bytes);
    const layer = await raw(request(app).get(`/v2/library/app/blobs/${image.layers[0]!.digest}`));
    assert.deepEqual(layer.body, image.layers[0]!.content);
    const tags = await request(app).get('/v2/library/app/tags/list');
    assert.deepEqual(tags.body, { name: 'library/app', tags: ['v1'] });
    assertError(await request(app).get('/v2/library/other/manifests/v1').set('Accept', accept), 503, 'UNAVAILABLE');
  });

  it('lists a proxied repository\'s tags from the upstream', async () => {
    const up = await upstream();
    await pushImage(up.app, 'library/app', { tag: 'a', layers: ['1'] });
    await pushImage(up.app, 'library/app', { tag: 'b', layers: ['2'] });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'] }] });
    const res = await request(registry.app).get('/v2/library/app/tags/list');
    assert.deepEqual(res.body, { name: 'library/app', tags: ['a', 'b'] });
    assertError(await request(registry.app).get('/v2/library/nothing/tags/list'), 404, 'NAME_UNKNOWN');
  });

  it('stores nothing of a blob whose bytes do not match its digest, and cuts the response short', async () => {
    const up = await upstream();
    const image = await pushImage(up.app, 'library/app', { tag: 'v1', layers: ['the genuine layer bytes'] });
    const layer = image.layers[0]!;
    up.tampered.set(layer.digest, Buffer.alloc(layer.size, 0x61));
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'] }] });
    const app = registry.app;
    await assert.rejects(raw(request(app).get(`/v2/library/app/blobs/${layer.digest}`)).then((r) => r));
    // Nothing became visible: with genuine bytes upstream again, the next pull fetches them anew.
    up.tampered.clear();
    const res = await raw(request(app).get(`/v2/library/app/blobs/${layer.digest}`));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, layer.content);
    assert.equal(up.count('GET', new RegExp(`/blobs/${layer.digest}$`)), 2);
  });

  it('fetches a blob from the upstream once for twenty concurrent pulls', async () => {
    const up = await upstream();
    const big = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
    const blob = await pushBlob(up.app, 'library/big', big);
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'] }] });
    const server = registry.app.listen(0, '127.0.0.1');
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    const bodies = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await fetch(`${base}/v2/library/big/blobs/${blob.digest}`);
        assert.equal(res.status, 200);
        return Buffer.from(await res.arrayBuffer());
      }),
    );
    for (const body of bodies) assert.ok(body.equals(big));
    assert.equal(up.count('GET', /\/blobs\//), 1);
    // A ranged read of a cached blob comes from storage.
    const part = await fetch(`${base}/v2/library/big/blobs/${blob.digest}`, { headers: { Range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.ok(Buffer.from(await part.arrayBuffer()).equals(big.subarray(10, 20)));
    assert.equal(up.count('GET', /\/blobs\//), 1);
  });
});

describe('pull-through: a client that goes away', () => {
  it('keeps storing the blob after the first reader disconnects', async () => {
    const up = await upstream();
    const big = Buffer.alloc(4 * 1024 * 1024, 0x5a);
    big.write('the start of a large layer');
    const blob = await pushBlob(up.app, 'library/big', big);
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'] }] });
    const server = registry.app.listen(0, '127.0.0.1');
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    const controller = new AbortController();
    const res = await fetch(`${base}/v2/library/big/blobs/${blob.digest}`, { signal: controller.signal });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.cancel().catch(() => undefined);
    // The fill finishes without the client; then the upstream can go.
    let cached = false;
    for (let i = 0; i < 100 && !cached; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      cached = (await registry.storage.blobs.statContent(blob.digest)) !== undefined;
    }
    assert.ok(cached, 'the blob was stored');
    up.down = true;
    const again = await fetch(`${base}/v2/library/big/blobs/${blob.digest}`);
    assert.equal(again.status, 200);
    assert.ok(Buffer.from(await again.arrayBuffer()).equals(big));
    assert.equal(up.count('GET', /\/blobs\//), 1);
  });
});

describe('pull-through: a client that stops reading', () => {
  it('is cut off, and the fill goes on for everyone else', async () => {
    const up = await upstream();
    const big = Buffer.alloc(24 * 1024 * 1024, 0x33);
    big.write('a layer too big for the socket buffers');
    const blob = await pushBlob(up.app, 'library/big', big);
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'], timeout: '1s' }] });
    const server = registry.app.listen(0, '127.0.0.1');
    closers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }));
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    // The first reader takes the headers and then nothing, its connection left open.
    const stalled = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port, path: `/v2/library/big/blobs/${blob.digest}` }, (res) => {
        res.pause();
        resolve(res);
      });
      req.on('error', reject);
    });
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${port}/v2/library/big/blobs/${blob.digest}`);
    assert.equal(res.status, 200);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(big));
    assert.ok(Date.now() - started < 15_000, `the follower waited ${Date.now() - started} ms`);
    // Reading again, the stalled reader finds its response cut short.
    let received = 0;
    stalled.on('data', (chunk: Buffer) => (received += chunk.length));
    stalled.on('error', () => undefined);
    stalled.resume();
    await new Promise((resolve) => stalled.once('close', resolve));
    assert.ok(received < big.length, `the stalled reader got ${received} of ${big.length} bytes`);
    assert.equal(up.count('GET', /\/blobs\//), 1);
  });
});

describe('pull-through: writes and local names', () => {
  it('refuses pushes and deletes on proxied names, naming the upstream; local names work and never reach it', async () => {
    const up = await upstream();
    await pushImage(up.app, 'library/app', { tag: 'v1', layers: ['x'] });
    const { registry } = await buildProxy({ upstreams: [{ name: 'hub', url: up.url, prefixes: ['library/'] }] });
    const app = registry.app;
    const before = up.requests.length;
    const post = await request(app).post('/v2/library/app/blobs/uploads/');
    assertError(post, 405, 'UNSUPPORTED');
    assert.match(post.body.errors[0].message, /upstream "hub"/);
    const put = await request(app)
      .put('/v2/library/app/manifests/v1')
      .set('Content-Type', 'application/vnd.oci.image.manifest.v1+json')
      .send('{}');
    assertError(put, 405, 'UNSUPPORTED');
    assertError(await request(app).delete('/v2/library/app/manifests/v1'), 405, 'UNSUPPORTED');
    assertError(await request(app).delete(`/v2/library/app/blobs/sha256:${'1'.repeat(64)}`), 405, 'UNSUPPORTED');
    const local = await pushImage(app, 'team/app', { tag: 'v1', layers: ['private bytes'] });
    const got = await raw(request(app).get('/v2/team/app/manifests/v1').set('Accept', accept));
    assert.deepEqual(got.body, local.bytes);
    assert.equal(up.requests.length, before, 'the upstream saw nothing of any of it');
  });

  it("with '*', names in the index's namespaces are local: pushed and pulled here, never asked upstream", async () => {
    const up = await upstream();
    await pushImage(up.app, 'acme/app', { tag: 'v1', layers: ['the upstream acme'] });
    await pushImage(up.app, 'library/app', { tag: 'v1', layers: ['upstream'] });
    const index = await startFakeIndex(['acme']);
    closers.push(index.close);
    const { registry } = await buildProxy({
      upstreams: [{ name: 'up', url: up.url, prefixes: ['*'] }],
      localNamespaces: { url: index.url, secret: indexSecret },
    });
    const app = registry.app;
    assertError(await request(app).get('/v2/acme/app/manifests/v1').set('Accept', accept), 404, 'MANIFEST_UNKNOWN');
    assertError(await request(app).get('/v2/acme/app/tags/list'), 404, 'NAME_UNKNOWN');
    const mine = await pushImage(app, 'acme/app', { tag: 'v1', layers: ['the local acme'] });
    const got = await request(app).get('/v2/acme/app/manifests/v1').set('Accept', accept);
    assert.equal(got.headers['docker-content-digest'], mine.digest);
    assert.equal(up.requests.filter((r) => r.path.includes('/acme/')).length, 0, 'no acme request upstream');
    // Other names go upstream; a namespace the index creates later becomes local on its first use.
    await request(app).get('/v2/library/app/manifests/v1').set('Accept', accept).expect(200);
    assertError(await request(app).post('/v2/library/new/blobs/uploads/'), 405, 'UNSUPPORTED');
    index.namespaces = ['acme', 'library'];
    // Misses reload the list at most every `refresh` (2s by default).
    await new Promise((resolve) => setTimeout(resolve, 2100));
    assert.equal((await request(app).post('/v2/library/new/blobs/uploads/')).status, 202);
    assert.equal(up.requests.filter((r) => r.path.includes('/library/new')).length, 0);
  });

  it('treats every name as local while the index cannot say which namespaces are its own', async () => {
    const up = await upstream();
    await pushImage(up.app, 'library/app', { tag: 'v1', layers: ['upstream'] });
    const { registry } = await buildProxy({
      upstreams: [{ name: 'up', url: up.url, prefixes: ['*'] }],
      localNamespaces: { url: `http://127.0.0.1:${await closedPort()}`, secret: indexSecret },
    });
    assertError(await request(registry.app).get('/v2/library/app/manifests/v1').set('Accept', accept), 404, 'MANIFEST_UNKNOWN');
    assert.equal(up.requests.length, 0);
  });
});

describe('pull-through: upstream authentication', () => {
  it('does the token dance anonymously, reuses the token, and never forwards the caller\'s Authorization', async () => {
    const up = await upstream({ auth: 'bearer' });
    const image = await pushImage(up.app, 'library/app', { tag: 'v1', layers: ['a', 'b', 'c'] });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'] }] });
    const app = registry.app;
    const callerAuth = 'Basic bG9jYWw6c2VjcmV0';
    await request(app).get('/v2/library/app/manifests/v1').set('Accept', accept).set('Authorization', callerAuth).expect(200);
    for (const blob of [image.config, ...image.layers]) {
      const res = await raw(request(app).get(`/v2/library/app/blobs/${blob.digest}`).set('Authorization', callerAuth));
      assert.deepEqual(res.body, blob.content);
    }
    assert.equal(up.tokenRequests.length, 1, 'one token for the whole pull');
    assert.equal(up.tokenRequests[0]!.authorization, undefined, 'anonymous');
    assert.ok(up.requests.every((r) => r.authorization !== callerAuth));
  });

  it('reaches a private upstream repository only with configured credentials', async () => {
    const user = { username: 'mirror', password: 'mirror-password' };
    const up = await upstream({ auth: 'bearer', user });
    const image = await pushImage(up.app, 'private/app', { tag: 'v1', layers: ['secret'] });
    const anonymous = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['private/'] }] });
    assertError(await request(anonymous.registry.app).get('/v2/private/app/manifests/v1').set('Accept', accept), 404, 'MANIFEST_UNKNOWN');
    const withCredentials = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['private/'], ...user }] });
    const res = await request(withCredentials.registry.app).get('/v2/private/app/manifests/v1').set('Accept', accept);
    assert.equal(res.headers['docker-content-digest'], image.digest);
    const wrong = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['private/'], username: 'mirror', password: 'wrong' }] });
    assertError(await request(wrong.registry.app).get('/v2/private/app/manifests/v1').set('Accept', accept), 404, 'MANIFEST_UNKNOWN');
  });

  it('sends a configured token as is, without the token dance', async () => {
    const up = await upstream({ auth: 'bearer', user: { username: 'mirror', password: 'mirror-password' } });
    const image = await pushImage(up.app, 'private/app', { tag: 'v1', layers: ['by token'] });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['private/'], token: 'tok|user|repository:private/app:pull' }] });
    const res = await request(registry.app).get('/v2/private/app/manifests/v1').set('Accept', accept);
    assert.equal(res.headers['docker-content-digest'], image.digest);
    assert.equal(up.tokenRequests.length, 0);
  });

  it('sends Basic credentials to an upstream that asks for Basic', async () => {
    const user = { username: 'mirror', password: 'mirror-password' };
    const up = await upstream({ auth: 'basic', user });
    const image = await pushImage(up.app, 'library/app', { tag: 'v1', layers: ['basic'] });
    // The fake's own pushes went to the app directly; the proxy must authenticate.
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'], ...user }] });
    const res = await request(registry.app).get('/v2/library/app/manifests/v1').set('Accept', accept);
    assert.equal(res.headers['docker-content-digest'], image.digest);
  });
});

/** A loopback port nothing listens on (it was free a moment ago): connections are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
