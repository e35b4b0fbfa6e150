// The tag page's image config against an in-process index and a fake registry: the config is
// read only after the pull check (an anonymous caller of a private repository causes no read),
// with the index's own pull token for exactly that repository; a registry that is down leaves the
// page up with the descriptor and a "config not available" note.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { digestOf } from '@wharf/shared';
import { buildIndex, createRepo, digestA, digestB, password, signUp } from '../api/harness.js';
import { browser } from './harness.js';

const config = Buffer.from(JSON.stringify({ os: 'linux', architecture: 'amd64', config: { Entrypoint: ['/app'], Env: ['A=1'] }, history: [{ created_by: 'COPY app /app' }] }));
const configDigest = digestOf(config);

async function fakeRegistry() {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(200, { 'Content-Length': config.length }).end(config);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function world(registryUrl: string) {
  const index = await buildIndex({ ui: { registryUrl, configTimeout: '2s' } });
  const alice = await signUp(index, 'alice');
  await createRepo(index, alice, 'alice/secret', 'private');
  const repo = index.store.repositories.byName('alice/secret')!;
  index.store.images.recordManifest(repo.id, {
    digest: digestA, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 400, pushedBy: 'alice', layers: [configDigest, digestB],
    references: [{ mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length }, { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestB, size: 10 }],
  });
  index.store.images.setTag(repo.id, 'v1', digestA);
  return index;
}

const claimsOf = (authorization: string | undefined) => JSON.parse(Buffer.from(authorization!.replace(/^Bearer /, '').split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe("the tag page's image config", () => {
  it('is read after the pull check, with a pull token of the index for exactly that repository', async () => {
    const registry = await fakeRegistry();
    const index = await world(registry.url);
    await browser(index).get('/r/alice/secret/-/tags/v1', 404);
    assert.equal(registry.seen.length, 0, 'nothing is read for a caller who may not pull');
    const alice = browser(index);
    await alice.login('alice', password);
    const page = (await alice.get('/r/alice/secret/-/tags/v1')).text;
    assert.match(page, /<dd class="platform">linux\/amd64<\/dd>/);
    assert.match(page, /COPY app \/app/);
    assert.equal(registry.seen.length, 1);
    const claims = claimsOf(registry.seen[0]!.authorization);
    assert.equal(claims.sub, '$wharf-index');
    assert.equal(typeof claims.aud, 'string');
    assert.deepEqual(claims.access, [{ type: 'repository', name: 'alice/secret', actions: ['pull'] }]);
    assert.ok((claims.exp as number) - (claims.iat as number) <= 60, 'short-lived');
    await alice.get('/r/alice/secret/-/tags/v1');
    assert.equal(registry.seen.length, 1, 'the second view is served from the cache');
  });

  it("reads nothing for an artifact whose config is not an image config", async () => {
    const registry = await fakeRegistry();
    const index = await world(registry.url);
    const repo = index.store.repositories.byName('alice/secret')!;
    const chart = `sha256:${'e'.repeat(64)}`;
    index.store.images.recordManifest(repo.id, {
      digest: chart, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 300, pushedBy: 'alice', layers: [configDigest],
      references: [{ mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: configDigest, size: config.length }],
    });
    index.store.images.setTag(repo.id, 'chart', chart);
    const alice = browser(index);
    await alice.login('alice', password);
    assert.doesNotMatch((await alice.get('/r/alice/secret/-/tags/chart')).text, /Image config/);
    assert.equal(registry.seen.length, 0);
  });

  it('says the config is not available when the registry is down, and still shows the descriptor', async () => {
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => down.close(() => resolve()));
    const index = await world(url);
    const alice = browser(index);
    await alice.login('alice', password);
    const page = (await alice.get('/r/alice/secret/-/tags/v1')).text;
    assert.match(page, /class="notice config-unavailable"[^>]*>Config not available/);
    assert.match(page, new RegExp(configDigest));
  });
});
