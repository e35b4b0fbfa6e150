// CNCF Distribution 2.8 as the upstream of a Wharf pull-through cache (`wharf registry` with
// proxy.upstreams): pull through and from the cache, twenty concurrent pulls fetching each blob
// once (counted at the upstream by a forwarder in front of it), a retagged upstream seen after the
// tag TTL, the cache serving on with the upstream stopped, an htpasswd-protected upstream reached
// only with configured credentials, pushes to proxied names refused while local pushes work and
// never reach the upstream (its catalog and its storage).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireClient } from '../helpers/clients.js';
import { startCountingForwarder, type CountingForwarder } from '../helpers/counting-forwarder.js';
import { startDistribution } from '../helpers/distribution.js';
import { buildOciImage, type BuiltImage } from '../helpers/images.js';
import { runOk, withLogs } from '../helpers/process.js';
import { pushImageHttp } from '../helpers/push-http.js';
import { catalog, getBlob, getManifest, request } from '../helpers/registry-api.js';
import type { RunningRegistry } from '../helpers/stack.js';
import { startConfiguredWharf, type ConfiguredWharf } from '../helpers/wharf-config.js';
import { uniqueName } from '../helpers/docker.js';

const mirror = { username: 'mirror', password: 'mirror-password-1' };
const tagTtl = 2_000;

describe('Distribution as the upstream of a Wharf pull-through cache', { skip: requireClient('docker-registry', 'htpasswd') }, () => {
  let work: string;
  let upstreamDir: string;
  let upstream: RunningRegistry;
  let privateUpstream: RunningRegistry;
  let forwarder: CountingForwarder;
  let cache: ConfiguredWharf;
  let cacheUrl: string;
  const logs = () => `--- cache ---\n${cache?.logs().slice(-4000)}\n--- distribution ---\n${upstream?.logs().slice(-2000)}`;
  const logged = <T>(fn: () => Promise<T>) => withLogs({ logs }, fn);

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'proxy-distribution-'));
    upstreamDir = join(work, 'upstream');
    upstream = await startDistribution({ dataDir: upstreamDir });
    forwarder = await startCountingForwarder(upstream.url);
    const htpasswd = join(work, 'htpasswd');
    await writeFile(htpasswd, (await runOk('htpasswd', ['-Bbn', mirror.username, mirror.password])).stdout);
    privateUpstream = await startDistribution({ htpasswdPath: htpasswd });
    cache = await startConfiguredWharf({
      command: 'registry',
      config: ([host], dataDir) => ({
        registry: {
          http: { addr: host },
          log: { level: 'info' },
          storage: { filesystem: { rootDirectory: join(dataDir, 'registry') } },
          proxy: {
            upstreams: [
              { name: 'distribution', url: forwarder.url, prefixes: ['library/'], tagTtl: `${tagTtl}ms` },
              { name: 'private', url: privateUpstream.url, prefixes: ['private/'], ...mirror },
              // The same private upstream without credentials, under another prefix.
              { name: 'private-anonymous', url: privateUpstream.url, prefixes: ['anon/'], stripPrefix: true },
            ],
          },
        },
      }),
    });
    cacheUrl = `http://${cache.hosts[0]}`;
  });

  after(async () => {
    await cache?.stop();
    await forwarder?.close();
    await upstream?.stop();
    await privateUpstream?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** Pulls manifest and blobs through the cache and checks every byte. */
  async function pullThrough(name: string, tag: string, image: BuiltImage): Promise<void> {
    const manifest = await getManifest(cacheUrl, name, tag);
    assert.equal(manifest.status, 200, manifest.body.toString());
    assert.equal(manifest.headers.get('docker-content-digest'), image.manifestDigest);
    assert.ok(manifest.body.equals(image.manifest));
    const blobs: [string, Buffer][] = [[image.configDigest, image.config], ...image.layers.map((l): [string, Buffer] => [l.digest, l.gzip])];
    for (const [digest, bytes] of blobs) {
      const blob = await getBlob(cacheUrl, name, digest);
      assert.equal(blob.status, 200);
      assert.ok(blob.body.equals(bytes), `blob ${digest}`);
    }
  }

  it('pulls an image through, then serves it again without fetching its blobs', () =>
    logged(async () => {
      const image = buildOciImage(2, uniqueName('through'));
      await pushImageHttp(upstream.url, 'library/through', 'v1', image);
      await pullThrough('library/through', 'v1', image);
      await pullThrough('library/through', 'v1', image);
      for (const layer of image.layers) assert.equal(forwarder.count('GET', new RegExp(`/blobs/${layer.digest}$`)), 1);
      assert.equal(forwarder.count('GET', /\/library\/through\/manifests\/v1$/), 1);
    }));

  it('fetches each blob from the upstream once for twenty concurrent pulls of an uncached image', () =>
    logged(async () => {
      const image = buildOciImage(3, uniqueName('burst'));
      await pushImageHttp(upstream.url, 'library/burst', 'v1', image);
      await Promise.all(Array.from({ length: 20 }, () => pullThrough('library/burst', 'v1', image)));
      for (const digest of [image.configDigest, ...image.layers.map((l) => l.digest)]) {
        assert.equal(forwarder.count('GET', new RegExp(`/blobs/${digest}$`)), 1, `GET ${digest}`);
      }
      assert.equal(forwarder.count('GET', /\/library\/burst\/manifests\/v1$/), 1);
    }));

  it('sees a retagged upstream image only after the tag TTL', () =>
    logged(async () => {
      const first = buildOciImage(1, uniqueName('retag-1'));
      await pushImageHttp(upstream.url, 'library/retag', 'latest', first);
      await pullThrough('library/retag', 'latest', first);
      const second = buildOciImage(1, uniqueName('retag-2'));
      await pushImageHttp(upstream.url, 'library/retag', 'latest', second);
      const within = await getManifest(cacheUrl, 'library/retag', 'latest');
      assert.equal(within.headers.get('docker-content-digest'), first.manifestDigest, 'within the TTL: the cached tag');
      await new Promise((resolve) => setTimeout(resolve, tagTtl + 200));
      await pullThrough('library/retag', 'latest', second);
    }));

  it('reaches an htpasswd-protected upstream only with the configured credentials', () =>
    logged(async () => {
      const image = buildOciImage(1, uniqueName('private'));
      await pushImageHttp(privateUpstream.url, 'private/app', 'v1', image, `${mirror.username}:${mirror.password}`);
      await pullThrough('private/app', 'v1', image);
      const anonymous = await getManifest(cacheUrl, 'anon/private/app', 'v1');
      assert.equal(anonymous.status, 404);
      assert.match(anonymous.body.toString(), /MANIFEST_UNKNOWN.*private-anonymous requires authentication/);
    }));

  it('refuses pushes to proxied names; local pushes work and the upstream never receives them', () =>
    logged(async () => {
      const post = await request(`${cacheUrl}/v2/library/through/blobs/uploads/`, { method: 'POST' });
      assert.equal(post.status, 405);
      assert.match(post.body.toString(), /UNSUPPORTED.*upstream \\"distribution\\"/);
      const before = forwarder.requests.length;
      const local = buildOciImage(2, uniqueName('local'));
      await pushImageHttp(cacheUrl, 'team/local', 'v1', local);
      await pullThrough('team/local', 'v1', local);
      assert.equal(forwarder.requests.length, before, 'not one request upstream');
      assert.ok(!(await catalog(upstream.url)).includes('team/local'));
      await assert.rejects(stat(join(upstreamDir, 'docker/registry/v2/repositories/team')), { code: 'ENOENT' });
      for (const layer of local.layers) assert.equal((await getBlob(upstream.url, 'library/through', layer.digest)).status, 404);
    }));

  it('serves the cache with the upstream stopped; what was never pulled is UNAVAILABLE', () =>
    logged(async () => {
      const image = buildOciImage(2, uniqueName('offline'));
      await pushImageHttp(upstream.url, 'library/offline', 'v1', image);
      await pushImageHttp(upstream.url, 'library/never', 'v1', buildOciImage(1, uniqueName('never')));
      await pullThrough('library/offline', 'v1', image);
      await upstream.stop();
      await new Promise((resolve) => setTimeout(resolve, tagTtl + 200));
      await pullThrough('library/offline', 'v1', image);
      const never = await getManifest(cacheUrl, 'library/never', 'v1');
      assert.equal(never.status, 503);
      assert.match(never.body.toString(), /UNAVAILABLE/);
    }));
});
