// skopeo and podman against the whole system (`wharf serve`: index + registry in token mode):
// `skopeo copy --dest-creds` into alice's private repository, byte for byte; anonymous and
// unauthorised reads of it fail; after alice grants bobby read, `skopeo copy --src-creds bobby`
// out and `podman login` + `podman pull` work while pushes stay refused; write lets bobby push,
// admin lets him `skopeo delete`, and removing him locks him out; a read-only personal access
// token pulls but cannot push.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireClient } from '../helpers/clients.js';
import { uniqueName } from '../helpers/docker.js';
import { buildOciImage, writeOciLayout, type BuiltImage } from '../helpers/images.js';
import { run, runOk, withLogs, type RunResult } from '../helpers/process.js';
import { manifestAccept, request } from '../helpers/registry-api.js';
import { skopeo, skopeoCopy, skopeoTry } from '../helpers/skopeo.js';
import { startWharfStack, type WharfStack } from '../helpers/wharf-stack.js';

const alicePassword = 'alice-correct-horse';
const bobbyPassword = 'bobby-battery-staple';
const alice = `alice:${alicePassword}`;
const bobby = `bobby:${bobbyPassword}`;

/** What containers/image reports when the token server grants less than the request needs. */
const refused = /denied|unauthorized|authentication required|401|403/i;

/** A podman bound to a private store and auth file under `dir` (vfs, no user setup needed). */
function podmanIn(dir: string) {
  const global = ['--root', join(dir, 'root'), '--runroot', join(dir, 'runroot'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'];
  mkdirSync(dir, { recursive: true });
  // podman refuses a REGISTRY_AUTH_FILE that does not exist yet.
  writeFileSync(join(dir, 'auth.json'), '{"auths":{}}');
  mkdirSync(join(dir, 'xdg'), { recursive: true, mode: 0o700 });
  const env = { ...process.env, REGISTRY_AUTH_FILE: join(dir, 'auth.json'), XDG_RUNTIME_DIR: join(dir, 'xdg') };
  return {
    ok: (...args: string[]) => runOk('podman', [...global, ...args], { env, timeoutMs: 180_000 }),
    try: (args: string[], input?: string): Promise<RunResult> => run('podman', [...global, ...args], { env, timeoutMs: 180_000, ...(input === undefined ? {} : { input }) }),
  };
}

describe('skopeo and podman against wharf serve: private repositories and collaborators', () => {
  const skip = requireClient('skopeo', 'podman');
  let stack: WharfStack;
  let work: string;
  let image: BuiltImage;
  let layout: string;
  let podman: ReturnType<typeof podmanIn>;
  const name = 'alice/tools';
  const docker = (tag: string) => `docker://${stack.registryHost}/${name}:${tag}`;
  const logged = <T>(fn: () => Promise<T>) => withLogs(stack, fn);

  async function manifestAtRegistry(tag: string): Promise<{ status: number; body: Buffer }> {
    const { token } = await stack.registryToken(alice, `repository:${name}:pull`);
    const res = await request(`${stack.registryUrl}/v2/${name}/manifests/${tag}`, { headers: { accept: manifestAccept, authorization: `Bearer ${token}` } });
    return { status: res.status, body: res.body };
  }

  before(async () => {
    if (skip) return;
    work = await mkdtemp(join(tmpdir(), 'wharf-index-clients-'));
    podman = podmanIn(join(work, 'podman'));
    stack = await startWharfStack({ env: { WHARF_REGISTRY_STORAGE_DELETE_ENABLED: 'true' } });
    await stack.signUp('alice', alicePassword);
    await stack.signUp('bobby', bobbyPassword);
    await stack.createRepository(alice, name, 'private');
    image = buildOciImage(3, uniqueName('index-clients'));
    layout = join(work, 'layout');
    await writeOciLayout(layout, 'v1', image);
  });

  after(async () => {
    if (skip) return;
    await podman?.try(['rmi', '--all', '--force']);
    await stack?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('skopeo copy --dest-creds pushes into alice/tools; nobody else may', { skip }, () =>
    logged(async () => {
      const anonymous = await skopeoTry('copy', '--dest-tls-verify=false', `oci:${layout}:v1`, docker('anon'));
      assert.notEqual(anonymous.code, 0, `anonymous push succeeded:\n${anonymous.stdout}`);
      assert.match(anonymous.stderr, refused);
      const asBobby = await skopeoTry('copy', '--dest-tls-verify=false', '--dest-creds', bobby, `oci:${layout}:v1`, docker('bobby'));
      assert.notEqual(asBobby.code, 0, `bobby pushed into alice/tools:\n${asBobby.stdout}`);
      assert.match(asBobby.stderr, refused);
      const wrong = await skopeoTry('copy', '--dest-tls-verify=false', '--dest-creds', 'alice:wrong-password', `oci:${layout}:v1`, docker('wrong'));
      assert.notEqual(wrong.code, 0, `push with a wrong password succeeded:\n${wrong.stdout}`);
      assert.match(wrong.stderr, /unauthorized|invalid username or password|401/i);

      await skopeoCopy(`oci:${layout}:v1`, docker('v1'), '--dest-creds', alice);
      const manifest = await manifestAtRegistry('v1');
      assert.equal(manifest.status, 200);
      assert.ok(manifest.body.equals(image.manifest), 'the pushed manifest is not byte-identical');
      for (const tag of ['anon', 'bobby', 'wrong']) assert.equal((await manifestAtRegistry(tag)).status, 404, tag);
      const repo = await stack.waitForRepository(name, alice, 'lists v1', (r) => r.tags.some((t) => t.tag === 'v1'));
      assert.equal(repo.tags.find((t) => t.tag === 'v1')?.digest, image.manifestDigest);
      assert.deepEqual(repo.tags.map((t) => t.tag), ['v1'], 'refused pushes left tags in the index');
    }));

  it('anonymous clients and bobby cannot read the private repository', { skip }, () =>
    logged(async () => {
      const anonymous = await skopeoTry('inspect', '--tls-verify=false', '--no-creds', docker('v1'));
      assert.notEqual(anonymous.code, 0, `anonymous inspect succeeded:\n${anonymous.stdout}`);
      assert.match(anonymous.stderr, refused);
      const asBobby = await skopeoTry('inspect', '--tls-verify=false', '--creds', bobby, docker('v1'));
      assert.notEqual(asBobby.code, 0, `bobby inspected alice/tools before any grant:\n${asBobby.stdout}`);
      assert.match(asBobby.stderr, refused);
      const copy = await skopeoTry('copy', '--src-tls-verify=false', '--src-creds', bobby, docker('v1'), `dir:${join(work, 'denied')}`);
      assert.notEqual(copy.code, 0, `bobby copied alice/tools out before any grant:\n${copy.stdout}`);
      const podmanPull = await podman.try(['pull', '--tls-verify=false', `${stack.registryHost}/${name}:v1`]);
      assert.notEqual(podmanPull.code, 0, `anonymous podman pull succeeded:\n${podmanPull.stdout}`);
      assert.match(podmanPull.stderr, refused);
    }));

  it('after a read grant, skopeo copy --src-creds bobby copies it out byte for byte', { skip }, () =>
    logged(async () => {
      await stack.addCollaborator(alice, name, 'bobby', 'read');
      const out = join(work, 'out');
      await skopeoCopy(docker('v1'), `dir:${out}`, '--src-creds', bobby);
      assert.ok((await readFile(join(out, 'manifest.json'))).equals(image.manifest), 'manifest bytes changed');
      assert.ok((await readFile(join(out, image.configDigest.slice(7)))).equals(image.config), 'config bytes changed');
      for (const [i, layer] of image.layers.entries()) {
        assert.ok((await readFile(join(out, layer.digest.slice(7)))).equals(layer.gzip), `layer ${i} differs`);
      }
      const inspect = JSON.parse((await skopeo('inspect', '--tls-verify=false', '--creds', bobby, docker('v1'))).stdout) as { Digest: string };
      assert.equal(inspect.Digest, image.manifestDigest);
      // Read is not write.
      const push = await skopeoTry('copy', '--dest-tls-verify=false', '--dest-creds', bobby, `oci:${layout}:v1`, docker('bobby'));
      assert.notEqual(push.code, 0, `a read collaborator pushed:\n${push.stdout}`);
      assert.match(push.stderr, refused);
      assert.equal((await manifestAtRegistry('bobby')).status, 404);
      // Still private to everyone else.
      const anonymous = await skopeoTry('inspect', '--tls-verify=false', '--no-creds', docker('v1'));
      assert.notEqual(anonymous.code, 0, anonymous.stdout);
    }));

  it('podman login as bobby and podman pull; podman push is refused', { skip }, () =>
    logged(async () => {
      const wrong = await podman.try(['login', '--tls-verify=false', '-u', 'bobby', '--password-stdin', stack.registryHost], 'not-his-password');
      assert.notEqual(wrong.code, 0, `podman login with a wrong password succeeded:\n${wrong.stdout}`);
      assert.match(wrong.stderr, /unauthorized|invalid username\/password|invalid username or password|401/i);
      const login = await podman.try(['login', '--tls-verify=false', '-u', 'bobby', '--password-stdin', stack.registryHost], bobbyPassword);
      assert.equal(login.code, 0, login.stderr);
      const ref = `${stack.registryHost}/${name}:v1`;
      await podman.ok('pull', '--tls-verify=false', ref);
      assert.equal(`sha256:${(await podman.ok('image', 'inspect', '--format', '{{.Id}}', ref)).stdout.trim()}`, image.configDigest);
      const target = `${stack.registryHost}/${name}:podman-bobby`;
      await podman.ok('tag', ref, target);
      const push = await podman.try(['push', '--tls-verify=false', target]);
      assert.notEqual(push.code, 0, `podman push by a read collaborator succeeded:\n${push.stdout}`);
      assert.match(push.stderr, refused);
      assert.equal((await manifestAtRegistry('podman-bobby')).status, 404);
      await podman.ok('logout', stack.registryHost);
    }));

  it('write lets bobby push, admin lets him delete, removal locks him out', { skip }, () =>
    logged(async () => {
      await stack.addCollaborator(alice, name, 'bobby', 'write');
      await skopeoCopy(`oci:${layout}:v1`, docker('by-bobby'), '--dest-creds', bobby);
      assert.ok((await manifestAtRegistry('by-bobby')).body.equals(image.manifest));
      const collaborators = await stack.apiOk<{ collaborators: { username: string; permission: string }[] }>('GET', `/api/repositories/${name}/collaborators`, { auth: alice });
      assert.deepEqual(collaborators.collaborators.map((c) => [c.username, c.permission]), [['bobby', 'write']]);

      // skopeo deletes by digest, so the doomed tag gets an image of its own (v1 must survive).
      const other = buildOciImage(1, uniqueName('doomed'));
      await writeOciLayout(join(work, 'doomed'), 'v1', other);
      await skopeoCopy(`oci:${join(work, 'doomed')}:v1`, docker('doomed'), '--dest-creds', bobby);
      const writeDelete = await skopeoTry('delete', '--tls-verify=false', '--creds', bobby, docker('doomed'));
      assert.notEqual(writeDelete.code, 0, `a write collaborator deleted a manifest:\n${writeDelete.stdout}`);
      assert.match(writeDelete.stderr, refused);
      assert.equal((await manifestAtRegistry('doomed')).status, 200);
      await stack.addCollaborator(alice, name, 'bobby', 'admin');
      await stack.waitForRepository(name, alice, 'lists doomed', (r) => r.tags.some((t) => t.tag === 'doomed'));
      await skopeo('delete', '--tls-verify=false', '--creds', bobby, docker('doomed'));
      assert.equal((await manifestAtRegistry('doomed')).status, 404);
      assert.equal((await manifestAtRegistry('v1')).status, 200);
      // The delete event reaches the index: the tag goes, the others stay.
      const repo = await stack.waitForRepository(name, alice, 'drops doomed', (r) => !r.tags.some((t) => t.tag === 'doomed'));
      assert.deepEqual(repo.tags.map((t) => t.tag).sort(), ['by-bobby', 'v1']);

      await stack.apiOk('DELETE', `/api/repositories/${name}/collaborators/bobby`, { auth: alice, expect: [204] });
      const pull = await skopeoTry('inspect', '--tls-verify=false', '--creds', bobby, docker('v1'));
      assert.notEqual(pull.code, 0, `a removed collaborator still reads alice/tools:\n${pull.stdout}`);
      assert.match(pull.stderr, refused);
    }));

  it('a read-only access token pulls with skopeo but cannot push', { skip }, () =>
    logged(async () => {
      const { token } = await stack.createAccessToken(alice, 'read-only', 'read');
      const out = join(work, 'out-token');
      await skopeoCopy(docker('v1'), `dir:${out}`, '--src-creds', `alice:${token}`);
      assert.ok((await readFile(join(out, 'manifest.json'))).equals(image.manifest));
      const push = await skopeoTry('copy', '--dest-tls-verify=false', '--dest-creds', `alice:${token}`, `oci:${layout}:v1`, docker('read-token'));
      assert.notEqual(push.code, 0, `a read-only token pushed:\n${push.stdout}`);
      assert.match(push.stderr, refused);
      assert.equal((await manifestAtRegistry('read-token')).status, 404);
    }));
});
