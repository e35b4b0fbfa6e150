// podman against Wharf: an image pushed with skopeo is pulled by tag and by digest (same image
// id), pushed back under a new name, and `podman login` works against htpasswd auth. podman runs
// with its own temp storage (vfs driver, --root/--runroot) so it needs no overlay or user setup.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireClient } from '../helpers/clients.js';
import { uniqueName } from '../helpers/docker.js';
import { buildOciImage, writeOciLayout, type BuiltImage } from '../helpers/images.js';
import { run, runOk, type RunResult } from '../helpers/process.js';
import { getManifest } from '../helpers/registry-api.js';
import { skopeoCopy } from '../helpers/skopeo.js';
import { startWharf, type RunningRegistry } from '../helpers/stack.js';

/** A podman bound to a private store under `dir`. */
function podmanIn(dir: string) {
  const global = [
    '--root', join(dir, 'root'),
    '--runroot', join(dir, 'runroot'),
    '--storage-driver', 'vfs',
    '--cgroup-manager', 'cgroupfs',
    '--events-backend', 'none',
  ];
  // podman refuses a REGISTRY_AUTH_FILE that does not exist yet.
  writeFileSync(join(dir, 'auth.json'), '{"auths":{}}');
  mkdirSync(join(dir, 'xdg'), { recursive: true, mode: 0o700 });
  const env = { ...process.env, REGISTRY_AUTH_FILE: join(dir, 'auth.json'), XDG_RUNTIME_DIR: join(dir, 'xdg') };
  return {
    ok: (...args: string[]) => runOk('podman', [...global, ...args], { env, timeoutMs: 180_000 }),
    try: (args: string[], input?: string): Promise<RunResult> => run('podman', [...global, ...args], { env, input, timeoutMs: 180_000 }),
  };
}

describe('podman pull and push against Wharf', () => {
  const skip = requireClient('podman', 'skopeo');
  let registry: RunningRegistry;
  let work: string;
  let podman: ReturnType<typeof podmanIn>;
  let image: BuiltImage;
  let name: string;

  before(async () => {
    if (skip) return;
    work = await mkdtemp(join(tmpdir(), 'wharf-podman-e2e-'));
    podman = podmanIn(work);
    registry = await startWharf();
    image = buildOciImage(3, 'podman');
    name = `podman/${uniqueName('img')}`;
    await writeOciLayout(join(work, 'layout'), 'v1', image);
    await skopeoCopy(`oci:${join(work, 'layout')}:v1`, `docker://${registry.host}/${name}:v1`);
  });

  after(async () => {
    if (skip) return;
    await podman?.try(['rmi', '--all', '--force']);
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  });

  const imageId = async (ref: string) => `sha256:${(await podman.ok('image', 'inspect', '--format', '{{.Id}}', ref)).stdout.trim()}`;

  it('pulls by tag, with the config digest as image id', { skip }, async () => {
    const ref = `${registry.host}/${name}:v1`;
    await podman.ok('pull', '--tls-verify=false', ref);
    assert.equal(await imageId(ref), image.configDigest);
    const layers = (await podman.ok('image', 'inspect', '--format', '{{len .RootFS.Layers}}', ref)).stdout.trim();
    assert.equal(layers, '3');
  });

  it('pulls by digest after removing the image', { skip }, async () => {
    await podman.ok('rmi', '--force', image.configDigest.slice('sha256:'.length));
    const ref = `${registry.host}/${name}@${image.manifestDigest}`;
    const pull = await podman.ok('pull', '--tls-verify=false', ref);
    assert.match(pull.stderr, /Copying blob/, 'the pull did not fetch anything');
    assert.equal(await imageId(ref), image.configDigest);
  });

  it('pushes the pulled image back under a new name', { skip }, async () => {
    const target = `${registry.host}/podman/${uniqueName('pushed')}:copy`;
    await podman.ok('tag', `${registry.host}/${name}@${image.manifestDigest}`, target);
    await podman.ok('push', '--tls-verify=false', target);
    const repo = target.slice(registry.host.length + 1, -':copy'.length);
    const manifest = await getManifest(registry.url, repo, 'copy');
    assert.equal(manifest.status, 200);
    const parsed = JSON.parse(manifest.body.toString('utf8')) as { config: { digest: string }; layers: unknown[] };
    assert.equal(parsed.config.digest, image.configDigest);
    assert.equal(parsed.layers.length, 3);
  });
});

describe('podman login against Wharf with htpasswd auth', () => {
  const skip = requireClient('podman', 'skopeo', 'htpasswd');
  const [user, password] = ['podman-user', 'p0dman-pass'];
  let registry: RunningRegistry;
  let work: string;
  let podman: ReturnType<typeof podmanIn>;
  let image: BuiltImage;
  let ref: string;

  before(async () => {
    if (skip) return;
    work = await mkdtemp(join(tmpdir(), 'wharf-podman-auth-'));
    podman = podmanIn(work);
    await writeFile(join(work, 'htpasswd'), (await runOk('htpasswd', ['-Bbn', user, password])).stdout);
    registry = await startWharf({ htpasswdPath: join(work, 'htpasswd') });
    image = buildOciImage(2, 'podman-auth');
    ref = `${registry.host}/podman/${uniqueName('auth')}:v1`;
    await writeOciLayout(join(work, 'layout'), 'v1', image);
    await skopeoCopy(`oci:${join(work, 'layout')}:v1`, `docker://${ref}`, '--dest-creds', `${user}:${password}`);
  });

  after(async () => {
    if (skip) return;
    await podman?.try(['rmi', '--all', '--force']);
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('cannot pull anonymously or log in with a wrong password', { skip }, async () => {
    const anonymous = await podman.try(['pull', '--tls-verify=false', ref]);
    assert.notEqual(anonymous.code, 0, anonymous.stderr);
    assert.match(anonymous.stderr, /unauthorized|authentication required/i);
    const login = await podman.try(['login', '--tls-verify=false', '-u', user, '--password-stdin', registry.host], 'wrong');
    assert.notEqual(login.code, 0, login.stdout);
    assert.match(login.stderr, /unauthorized|invalid username\/password|401/i);
  });

  it('logs in with the right password and pulls', { skip }, async () => {
    const login = await podman.try(['login', '--tls-verify=false', '-u', user, '--password-stdin', registry.host], password);
    assert.equal(login.code, 0, login.stderr);
    await podman.ok('pull', '--tls-verify=false', ref);
    assert.equal(`sha256:${(await podman.ok('image', 'inspect', '--format', '{{.Id}}', ref)).stdout.trim()}`, image.configDigest);
  });
});
