// Scenario E with the real docker CLI: two complete Wharf stacks on loopback (`wharf serve`
// each: index + registry in token mode). The upstream has a public and a private repository; the
// private stack is chained to it (index.upstream, registry.proxy with '*' for everything not
// local, and 'mirror/' for the upstream reached with a read-only upstream account).
//  - docker pulls an upstream image through the private registry, anonymously (tokenPolicy
//    anonymous), and the private index records the checksums its registry cached;
//  - a retag upstream shows after the tag TTL;
//  - the upstream private repository is reachable only through the credentialed upstream;
//  - a push to a private namespace works and the upstream never receives anything (its catalog,
//    read as its admin, and its storage); a push to a proxied name is refused;
//  - search on the private index merges both indexes' results;
//  - with the upstream stopped, the cached image pulls again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadImage, requireDocker, uniqueName } from '../helpers/docker.js';
import { processTempDir, waitFor, withLogs } from '../helpers/process.js';
import { dockerAs, startWharfStack, type DockerClient, type WharfStack } from '../helpers/wharf-stack.js';

const ownerPassword = 'upowner-correct-horse';
const mirrorPassword = 'mirror-battery-staple';
const adminPassword = 'upadmin-password-42';
const alicePassword = 'alice-private-side-1';
const tagTtlMs = 2_000;

describe('docker through a private Wharf chained to an upstream Wharf', { skip: requireDocker() }, () => {
  let upstream: WharfStack;
  let chained: WharfStack;
  let work: string;
  let asOwner: DockerClient;
  let asAlice: DockerClient;
  let anonymous: DockerClient;
  const loaded = new Set<string>();
  const logs = () => `--- private ---\n${chained?.logs().slice(-5000)}\n--- upstream ---\n${upstream?.logs().slice(-3000)}`;
  const logged = <T>(fn: () => Promise<T>) => withLogs({ logs }, fn);

  async function load(ref: string): Promise<string> {
    const imageId = await loadImage(work, ref, 2, `${ref} ${uniqueName('img')}`);
    loaded.add(imageId);
    return imageId;
  }

  async function removeLocal(id: string): Promise<void> {
    await anonymous.ok('rmi', '-f', id);
  }

  const imageId = async (ref: string) => (await anonymous.ok('image', 'inspect', '--format', '{{.Id}}', ref)).stdout.trim();
  const up = (name: string) => `${upstream.registryHost}/${name}`;
  const via = (name: string) => `${chained.registryHost}/${name}`;

  /** Pushes a fresh image to the upstream as its owner; returns the image id. */
  async function publishUpstream(name: string): Promise<string> {
    const id = await load(up(name));
    await asOwner.ok('push', up(name));
    await removeLocal(id);
    return id;
  }

  before(async () => {
    work = processTempDir('wharf-chained-');
    upstream = await startWharfStack({ dataDirPrefix: 'wharf-upstream-' });
    await upstream.addUser('upadmin', adminPassword, { admin: true });
    await upstream.signUp('upowner', ownerPassword);
    await upstream.signUp('mirror', mirrorPassword);
    await upstream.createRepository(`upowner:${ownerPassword}`, 'upowner/public', 'public', 'a public tool from upstream');
    await upstream.createRepository(`upowner:${ownerPassword}`, 'upowner/private', 'private', 'a private tool');
    await upstream.addCollaborator(`upowner:${ownerPassword}`, 'upowner/private', 'mirror', 'read');
    const config = join(work, 'chained.yaml');
    await writeFile(
      config,
      JSON.stringify({
        index: { upstream: { url: upstream.indexUrl, tokenPolicy: 'anonymous' }, repositories: { defaultVisibility: 'private' } },
        registry: {
          proxy: {
            upstreams: [
              { name: 'upstream-mirror', url: upstream.registryUrl, prefixes: ['mirror/'], stripPrefix: true, username: 'mirror', password: mirrorPassword, tagTtl: `${tagTtlMs}ms` },
              { name: 'upstream', url: upstream.registryUrl, prefixes: ['*'], tagTtl: `${tagTtlMs}ms` },
            ],
          },
        },
      }),
    );
    chained = await startWharfStack({ dataDirPrefix: 'wharf-chained-', env: { WHARF_CONFIG: config } });
    await chained.signUp('alice', alicePassword);
    asOwner = dockerAs(join(work, 'owner'));
    asAlice = dockerAs(join(work, 'alice'));
    anonymous = dockerAs(join(work, 'anonymous'));
    assert.equal((await asOwner.login(upstream.registryHost, 'upowner', ownerPassword)).code, 0);
    assert.equal((await asAlice.login(chained.registryHost, 'alice', alicePassword)).code, 0);
  });

  after(async () => {
    for (const id of loaded) await anonymous?.try(['rmi', '-f', id]);
    await chained?.stop();
    await upstream?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  let publicId: string;

  it('pulls an upstream image through the private registry; the private index records what was cached', () =>
    logged(async () => {
      publicId = await publishUpstream('upowner/public:v1');
      await anonymous.ok('pull', via('upowner/public:v1'));
      assert.equal(await imageId(via('upowner/public:v1')), publicId);
      // The checksums the private index keeps are the upstream's own (as its index recorded the push).
      await upstream.waitForRepository('upowner/public', `upowner:${ownerPassword}`, 'v1 pushed', (r) => r.tags.some((t) => t.tag === 'v1'));
      const pushed = await upstream.apiOk<{ tags: { tag: string; digest: string; layers: string[] }[] }>('GET', '/api/repositories/upowner/public', { auth: `upowner:${ownerPassword}` });
      const { digest, layers } = pushed.tags.find((t) => t.tag === 'v1')!;
      await waitFor('the private index records the cached tag and manifest', async () => {
        const res = await chained.api<{ source?: string; cached?: { tags: { tag: string; digest: string }[]; manifests: { digest: string; layers: string[] }[] } }>(
          'GET',
          '/api/repositories/upowner/public',
        );
        if (res.status !== 200 || res.body.source !== 'upstream') return false;
        const { tags, manifests } = res.body.cached!;
        return tags.some((t) => t.tag === 'v1' && t.digest === digest) && manifests.some((m) => m.digest === digest && m.layers.join() === layers.join());
      });
    }));

  it('shows a retagged upstream image after the tag TTL', () =>
    logged(async () => {
      const retagged = await publishUpstream('upowner/public:v1');
      assert.notEqual(retagged, publicId);
      await new Promise((resolve) => setTimeout(resolve, tagTtlMs + 300));
      await removeLocal(publicId);
      await anonymous.ok('pull', via('upowner/public:v1'));
      assert.equal(await imageId(via('upowner/public:v1')), retagged);
      publicId = retagged;
    }));

  it('reaches the upstream private repository only through the credentialed upstream', () =>
    logged(async () => {
      const secretId = await publishUpstream('upowner/private:v1');
      const direct = await anonymous.try(['pull', via('upowner/private:v1')]);
      assert.notEqual(direct.code, 0, 'anonymous at the upstream: no access');
      assert.match(direct.stderr, /not found|unknown/i);
      await anonymous.ok('pull', via('mirror/upowner/private:v1'));
      assert.equal(await imageId(via('mirror/upowner/private:v1')), secretId);
    }));

  it('pushes to a private namespace without the upstream receiving anything; proxied names refuse pushes', () =>
    logged(async () => {
      const mineId = await load(via('alice/app:v1'));
      await asAlice.ok('push', via('alice/app:v1'));
      await removeLocal(mineId);
      await asAlice.ok('pull', via('alice/app:v1'));
      assert.equal(await imageId(via('alice/app:v1')), mineId);
      const { token } = await upstream.registryToken(`upadmin:${adminPassword}`, 'registry:catalog:*');
      const res = await fetch(`${upstream.registryUrl}/v2/_catalog`, { headers: { Authorization: `Bearer ${token}` } });
      const catalog = (await res.json()) as { repositories: string[] };
      assert.ok(catalog.repositories.includes('upowner/public'), JSON.stringify(catalog));
      assert.ok(!catalog.repositories.some((r) => r.startsWith('alice/')), JSON.stringify(catalog));
      const repositories = join(upstream.dataDir, 'registry/docker/registry/v2/repositories');
      assert.ok((await stat(join(repositories, 'upowner'))).isDirectory(), 'the storage path is the upstream\'s real one');
      await assert.rejects(stat(join(repositories, 'alice')), { code: 'ENOENT' });
      await anonymous.ok('tag', mineId, via('upowner/public:alice'));
      const refused = await asAlice.try(['push', via('upowner/public:alice')]);
      assert.notEqual(refused.code, 0);
      // docker shows why: the registry names the upstream rather than "insufficient scope".
      assert.match(refused.stderr, /pull-through cache of upstream "upstream"/);
    }));

  it('searches both indexes from the private one', () =>
    logged(async () => {
      await chained.apiOk('PATCH', '/api/repositories/alice/app', { auth: `alice:${alicePassword}`, body: { description: 'a local tool' } });
      const res = await chained.api<{ results: { name: string; source: string }[]; upstream: { status: string } }>('GET', '/v1/search?q=tool', { auth: `alice:${alicePassword}` });
      assert.equal(res.body.upstream.status, 'ok');
      assert.ok(res.body.results.some((r) => r.name === 'upowner/public' && r.source === 'upstream'), JSON.stringify(res.body));
      assert.ok(res.body.results.some((r) => r.name === 'alice/app' && r.source === 'local'), JSON.stringify(res.body));
      assert.ok(!res.body.results.some((r) => r.name === 'upowner/private'), 'the upstream index shows its private repository to no one here');
    }));

  it('pulls the cached image again with the upstream stopped', () =>
    logged(async () => {
      await upstream.stop();
      await new Promise((resolve) => setTimeout(resolve, tagTtlMs + 300));
      await removeLocal(publicId);
      await anonymous.ok('pull', via('upowner/public:v1'));
      assert.equal(await imageId(via('upowner/public:v1')), publicId);
    }));
});
