// CNCF Distribution 2.8 in proxy mode (its `proxy.remoteurl` with username/password) in front of
// a Wharf registry in token mode (`wharf serve`: Wharf's index is the token server Distribution
// must get its tokens from). Distribution with the owner's credentials serves both the public and
// the private repository; without credentials only the public one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { requireClient } from '../helpers/clients.js';
import { startDistribution } from '../helpers/distribution.js';
import { uniqueName } from '../helpers/docker.js';
import { buildOciImage, type BuiltImage } from '../helpers/images.js';
import { withLogs } from '../helpers/process.js';
import { pushImageHttp } from '../helpers/push-http.js';
import { getBlob, getManifest } from '../helpers/registry-api.js';
import type { RunningRegistry } from '../helpers/stack.js';
import { startWharfStack, type WharfStack } from '../helpers/wharf-stack.js';

const ownerPassword = 'owner-correct-horse-1';
const owner = `owner:${ownerPassword}`;

describe('Distribution in proxy mode in front of a Wharf registry with token auth', { skip: requireClient('docker-registry') }, () => {
  let stack: WharfStack;
  let withCredentials: RunningRegistry;
  let anonymousProxy: RunningRegistry;
  const images: Record<string, BuiltImage> = {};
  const logs = () =>
    `--- distribution (credentials) ---\n${withCredentials?.logs().slice(-3000)}\n--- distribution (anonymous) ---\n${anonymousProxy?.logs().slice(-2000)}\n--- wharf serve ---\n${stack?.logs().slice(-3000)}`;
  const logged = <T>(fn: () => Promise<T>) => withLogs({ logs }, fn);

  before(async () => {
    stack = await startWharfStack({ dataDirPrefix: 'wharf-behind-distribution-' });
    await stack.signUp('owner', ownerPassword);
    await stack.createRepository(owner, 'owner/public', 'public');
    await stack.createRepository(owner, 'owner/private', 'private');
    for (const name of ['owner/public', 'owner/private']) {
      images[name] = buildOciImage(2, uniqueName(name));
      const { token } = await stack.registryToken(owner, `repository:${name}:pull,push`);
      await pushImageHttp(stack.registryUrl, name, 'v1', images[name]!, { bearer: token });
    }
    withCredentials = await startDistribution({ proxy: { remoteUrl: stack.registryUrl, username: 'owner', password: ownerPassword }, logLevel: 'info' });
    anonymousProxy = await startDistribution({ proxy: { remoteUrl: stack.registryUrl }, logLevel: 'info' });
  });

  after(async () => {
    await withCredentials?.stop();
    await anonymousProxy?.stop();
    await stack?.stop();
  });

  async function pullsThrough(proxy: RunningRegistry, name: string): Promise<void> {
    const image = images[name]!;
    const manifest = await getManifest(proxy.url, name, 'v1');
    assert.equal(manifest.status, 200, manifest.body.toString());
    assert.equal(manifest.headers.get('docker-content-digest'), image.manifestDigest);
    assert.ok(manifest.body.equals(image.manifest));
    for (const layer of image.layers) {
      const blob = await getBlob(proxy.url, name, layer.digest);
      assert.equal(blob.status, 200);
      assert.ok(blob.body.equals(layer.gzip));
    }
  }

  it('pulls public and private repositories with the configured credentials (tokens from the Wharf index)', () =>
    logged(async () => {
      await pullsThrough(withCredentials, 'owner/public');
      await pullsThrough(withCredentials, 'owner/private');
      // Served again from Distribution's own cache.
      await pullsThrough(withCredentials, 'owner/private');
    }));

  it('without credentials, pulls only the public repository', () =>
    logged(async () => {
      await pullsThrough(anonymousProxy, 'owner/public');
      const denied = await getManifest(anonymousProxy.url, 'owner/private', 'v1');
      assert.notEqual(denied.status, 200);
    }));
});
