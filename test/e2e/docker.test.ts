// The real docker CLI (private engine from dockerd.sh) against Wharf: a multi-layer image made
// here is loaded, pushed, removed and pulled back by tag and by digest with the same image id;
// a manifest deleted over HTTP can no longer be pulled; `docker login` against htpasswd auth.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, dockerTry, imageId, loadImage, requireDocker, uniqueName } from '../helpers/docker.js';
import { runOk } from '../helpers/process.js';
import { deleteManifest, getManifest } from '../helpers/registry-api.js';
import { startWharf, type RunningRegistry } from '../helpers/stack.js';



/** Removes the image and every tag on it, then checks it is really gone locally. */
async function removeLocal(id: string): Promise<void> {
  await docker('rmi', '-f', id);
  const inspect = await dockerTry(['image', 'inspect', id]);
  assert.notEqual(inspect.code, 0, `image ${id} still present after rmi`);
}

function pushedDigest(pushOutput: string): string {
  const match = /digest: (sha256:[0-9a-f]{64})/.exec(pushOutput);
  assert.ok(match?.[1], `no digest in docker push output:\n${pushOutput}`);
  return match[1];
}

describe('docker push and pull against Wharf', () => {
  const skip = requireDocker();
  let registry: RunningRegistry;
  let workDir: string;
  let name: string;
  let ref: string;
  let expectedId: string;
  let digest: string;

  before(async () => {
    if (skip) return;
    workDir = await mkdtemp(join(tmpdir(), 'wharf-docker-e2e-'));
    registry = await startWharf();
    name = `e2e/${uniqueName('docker')}`;
    ref = `${registry.host}/${name}:v1`;
    expectedId = await loadImage(workDir, ref, 4);
  });

  after(async () => {
    if (skip) return;
    await dockerTry(['rmi', '-f', expectedId]);
    await registry?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('loads a 4-layer image and pushes it', { skip }, async () => {
    const layers = (await docker('image', 'inspect', '--format', '{{len .RootFS.Layers}}', ref)).stdout.trim();
    assert.equal(layers, '4');
    assert.equal(await imageId(ref), expectedId);
    digest = pushedDigest((await docker('push', ref)).stdout);
    const manifest = await getManifest(registry.url, name, 'v1');
    assert.equal(manifest.status, 200);
    assert.equal(manifest.headers.get('docker-content-digest'), digest);
    const parsed = JSON.parse(manifest.body.toString('utf8')) as { layers: unknown[]; config: { digest: string } };
    assert.equal(parsed.layers.length, 4);
    assert.equal(parsed.config.digest, expectedId);
  });

  it('pulls by tag after rmi, with the same image id', { skip }, async () => {
    await removeLocal(expectedId);
    const pull = await docker('pull', ref);
    assert.match(pull.stdout, new RegExp(`Digest: ${digest}`));
    assert.equal(await imageId(ref), expectedId);
  });

  it('pulls by digest after rmi, with the same image id', { skip }, async () => {
    await removeLocal(expectedId);
    const byDigest = `${registry.host}/${name}@${digest}`;
    await docker('pull', byDigest);
    assert.equal(await imageId(byDigest), expectedId);
    const repoDigests = (await docker('image', 'inspect', '--format', '{{json .RepoDigests}}', byDigest)).stdout;
    assert.ok(repoDigests.includes(byDigest), repoDigests);
  });

  it('cannot pull a manifest deleted by digest over HTTP', { skip }, async () => {
    const byDigest = `${registry.host}/${name}@${digest}`;
    // `docker manifest inspect` asks the registry itself (the CLI, not the daemon), so it tells
    // whether the manifest is served; it must see it before the delete for the check to count.
    await docker('manifest', 'inspect', '--insecure', byDigest);
    const deleted = await deleteManifest(registry.url, name, digest);
    assert.equal(deleted.status, 202, deleted.body.toString('utf8'));
    assert.equal((await getManifest(registry.url, name, digest)).status, 404);
    assert.equal((await getManifest(registry.url, name, 'v1')).status, 404);
    const inspect = await dockerTry(['manifest', 'inspect', '--insecure', byDigest]);
    assert.notEqual(inspect.code, 0, `manifest inspect of deleted ${byDigest} succeeded:\n${inspect.stdout}`);
    // A pull by tag must resolve the tag at the registry. (A pull by digest is not checked with the
    // daemon: dockerd answers it from its local manifest cache without asking the registry.)
    await removeLocal(expectedId);
    const pull = await dockerTry(['pull', ref]);
    assert.notEqual(pull.code, 0, `pull of deleted ${ref} succeeded:\n${pull.stdout}`);
    assert.match(pull.stderr, /not found|manifest unknown/i);
  });
});

describe('docker login against Wharf with htpasswd auth', () => {
  const skip = requireDocker('htpasswd');
  const user = 'e2e-user';
  const password = 'correct horse battery';
  let registry: RunningRegistry;
  let workDir: string;
  let name: string;
  let ref: string;
  let expectedId: string;

  before(async () => {
    if (skip) return;
    workDir = await mkdtemp(join(tmpdir(), 'wharf-docker-auth-'));
    const htpasswd = join(workDir, 'htpasswd');
    await writeFile(htpasswd, (await runOk('htpasswd', ['-Bbn', user, password])).stdout);
    registry = await startWharf({ htpasswdPath: htpasswd });
    name = `e2e/${uniqueName('login')}`;
    ref = `${registry.host}/${name}:v1`;
    expectedId = await loadImage(workDir, ref, 3);
  });

  after(async () => {
    if (skip) return;
    await dockerTry(['logout', registry.host]);
    await dockerTry(['rmi', '-f', expectedId]);
    await registry?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('refuses a push without credentials', { skip }, async () => {
    const push = await dockerTry(['push', ref]);
    assert.notEqual(push.code, 0, push.stdout);
    assert.match(push.stderr + push.stdout, /no basic auth credentials|unauthorized|authentication required/i);
  });

  it('refuses login with a wrong password', { skip }, async () => {
    const login = await dockerTry(['login', registry.host, '-u', user, '--password-stdin'], { input: 'wrong password' });
    assert.notEqual(login.code, 0, login.stdout);
    assert.match(login.stderr, /unauthorized|401|incorrect username or password/i);
  });

  it('logs in with the right password, then pushes and pulls', { skip }, async () => {
    const login = await dockerTry(['login', registry.host, '-u', user, '--password-stdin'], { input: password });
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /Login Succeeded/);
    const digest = pushedDigest((await docker('push', ref)).stdout);
    await removeLocal(expectedId);
    await docker('pull', ref);
    assert.equal(await imageId(ref), expectedId);
    assert.equal((await getManifest(registry.url, name, 'v1')).status, 401);
    const manifest = await getManifest(registry.url, name, 'v1', `${user}:${password}`);
    assert.equal(manifest.headers.get('docker-content-digest'), digest);
  });
});
