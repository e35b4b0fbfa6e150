// Two more real clients against `wharf serve` (token auth through the index): buildah builds
// and pushes images in the OCI, Docker and zstd forms and pulls them back; containerd's ctr
// (the engine's own containerd, from dockerd.sh) pulls them through the token server, which it
// reaches by the OAuth2 POST of Docker's token spec rather than docker's GET, and pushes one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireClient } from '../helpers/clients.js';
import { containerdAddress, requireDocker, uniqueName } from '../helpers/docker.js';
import { run, runOk, type RunResult } from '../helpers/process.js';
import { skopeo } from '../helpers/skopeo.js';
import { startWharfStack, type WharfStack } from '../helpers/wharf-stack.js';

const password = 'buildah-and-ctr-pw';

/** buildah bound to a private store and auth file under `dir` (vfs: no overlay or user setup). */
function buildahIn(dir: string) {
  const global = ['--root', join(dir, 'root'), '--runroot', join(dir, 'runroot'), '--storage-driver', 'vfs'];
  writeFileSync(join(dir, 'auth.json'), '{"auths":{}}');
  mkdirSync(join(dir, 'xdg'), { recursive: true, mode: 0o700 });
  const env = { ...process.env, REGISTRY_AUTH_FILE: join(dir, 'auth.json'), XDG_RUNTIME_DIR: join(dir, 'xdg'), BUILDAH_ISOLATION: 'chroot' };
  return {
    ok: async (...args: string[]) => (await runOk('buildah', [...global, ...args], { env, timeoutMs: 180_000 })).stdout.trim(),
    try: (args: string[], input?: string): Promise<RunResult> => run('buildah', [...global, ...args], { env, input, timeoutMs: 180_000 }),
  };
}

/** The manifest the registry holds for `ref`, read with skopeo as alice. */
async function remoteManifest(stack: WharfStack, ref: string): Promise<{ mediaType: string; layers: { mediaType: string }[]; digest: string }> {
  const creds = `--creds=alice:${password}`;
  const raw = (await skopeo('inspect', '--tls-verify=false', creds, '--raw', `docker://${stack.registryHost}/${ref}`)).stdout;
  const digest = (await skopeo('inspect', '--tls-verify=false', creds, '--format', '{{.Digest}}', `docker://${stack.registryHost}/${ref}`)).stdout.trim();
  return { ...(JSON.parse(raw) as { mediaType: string; layers: { mediaType: string }[] }), digest };
}

describe('buildah and containerd (ctr) against wharf serve', () => {
  const skip = requireClient('buildah', 'ctr', 'skopeo') ?? requireDocker();
  let stack: WharfStack;
  let work: string;
  let buildah: ReturnType<typeof buildahIn>;
  const repo = 'alice/built';
  const label = randomBytes(6).toString('hex');
  const pushed = new Map<string, string>();

  before(async () => {
    if (skip) return;
    work = await mkdtemp(join(tmpdir(), 'wharf-buildah-ctr-'));
    buildah = buildahIn(work);
    stack = await startWharfStack({ logLevel: 'warn' });
    await stack.addUser('alice', password);
  });

  after(async () => {
    if (skip) return;
    await buildah?.try(['rmi', '--all', '--force']);
    await stack?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('buildah logs in, pushes OCI, Docker and zstd images, and pulls each back', { skip }, async () => {
    // Two commits, two layers: a file, then another on top, with a label to find again.
    await writeFile(join(work, 'one.txt'), randomBytes(4096).toString('hex'));
    await writeFile(join(work, 'two.txt'), randomBytes(4096).toString('hex'));
    const base = await buildah.ok('from', 'scratch');
    await buildah.ok('copy', base, join(work, 'one.txt'), '/one.txt');
    await buildah.ok('commit', '--quiet', base, 'localhost/built-base:1');
    const top = await buildah.ok('from', 'localhost/built-base:1');
    await buildah.ok('copy', top, join(work, 'two.txt'), '/two.txt');
    await buildah.ok('config', '--label', `wharf.test=${label}`, '--cmd', '["/two.txt"]', top);
    await buildah.ok('commit', '--quiet', top, 'localhost/built:1');
    // buildah reuses a blob the registry already holds in another compression (this version has
    // no --force-compression), so the zstd form is an image of its own.
    await writeFile(join(work, 'three.txt'), randomBytes(4096).toString('hex'));
    const alone = await buildah.ok('from', 'scratch');
    await buildah.ok('copy', alone, join(work, 'three.txt'), '/three.txt');
    await buildah.ok('config', '--label', `wharf.test=${label}`, alone);
    await buildah.ok('commit', '--quiet', alone, 'localhost/built-zstd:1');

    const refused = await buildah.try(['login', '--tls-verify=false', '-u', 'alice', '--password-stdin', stack.registryHost], 'not-the-password\n');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /401|unauthorized|invalid username\/password/i);
    await buildah.try(['login', '--tls-verify=false', '-u', 'alice', '--password-stdin', stack.registryHost], `${password}\n`).then((r) => assert.equal(r.code, 0, r.stderr));

    const forms: [string, string, string[]][] = [
      ['oci', 'localhost/built:1', []],
      ['docker', 'localhost/built:1', ['--format', 'docker']],
      ['zstd', 'localhost/built-zstd:1', ['--compression-format', 'zstd']],
    ];
    for (const [tag, image, flags] of forms) {
      const digestFile = join(work, `${tag}.digest`);
      await buildah.ok('push', '--tls-verify=false', '--digestfile', digestFile, ...flags, image, `docker://${stack.registryHost}/${repo}:${tag}`);
      pushed.set(tag, (await readFile(digestFile, 'utf8')).trim());
    }
    const oci = await remoteManifest(stack, `${repo}:oci`);
    assert.equal(oci.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(oci.layers.length, 2);
    assert.equal(oci.digest, pushed.get('oci'));
    const docker = await remoteManifest(stack, `${repo}:docker`);
    assert.equal(docker.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.ok(docker.layers.every((l) => l.mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip'));
    const zstd = await remoteManifest(stack, `${repo}:zstd`);
    assert.equal(zstd.layers.length, 1);
    assert.equal(zstd.layers[0]?.mediaType, 'application/vnd.oci.image.layer.v1.tar+zstd');

    await buildah.ok('rmi', '--all', '--force');
    for (const [tag] of forms) {
      await buildah.ok('pull', '--tls-verify=false', `docker://${stack.registryHost}/${repo}:${tag}`);
      const labels = await buildah.ok('inspect', '--type', 'image', '--format', '{{index .OCIv1.Config.Labels "wharf.test"}}', `${stack.registryHost}/${repo}:${tag}`);
      assert.equal(labels, label, tag);
    }

    await buildah.ok('logout', stack.registryHost);
    // --policy always: by default buildah would find the image it holds and never ask.
    const anonymous = await buildah.try(['pull', '--policy', 'always', '--tls-verify=false', `docker://${stack.registryHost}/${repo}:oci`]);
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr, /unauthorized|denied|authentication required|insufficient_scope/i);
  });

  it('ctr pulls through the token server with a password, is refused without one, and pushes', { skip }, async () => {
    assert.ok(pushed.size === 3, 'needs the images buildah pushed');
    const address = await containerdAddress();
    const namespace = uniqueName('wharf-e2e');
    const ctr = (...args: string[]) => run('ctr', ['--address', address, '--namespace', namespace, ...args], { timeoutMs: 180_000 });
    const ctrOk = async (...args: string[]) => {
      const r = await ctr(...args);
      assert.equal(r.code, 0, `ctr ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const ref = (name: string, tag: string) => `${stack.registryHost}/${name}:${tag}`;
    try {
      for (const tag of ['oci', 'docker', 'zstd']) {
        await ctrOk('images', 'pull', '--plain-http', '--user', `alice:${password}`, ref(repo, tag));
        const listed = await ctrOk('images', 'ls', `name==${ref(repo, tag)}`);
        assert.ok(listed.includes(pushed.get(tag)!), `ctr holds ${tag} with the pushed digest:\n${listed}`);
      }

      const anonymous = await ctr('images', 'pull', '--plain-http', ref(repo, 'oci'));
      assert.notEqual(anonymous.code, 0);
      assert.match(anonymous.stderr, /pull access denied|insufficient_scope|authorization/i);
      const wrong = await ctr('images', 'pull', '--plain-http', '--user', 'alice:wrong-password', ref(repo, 'oci'));
      assert.notEqual(wrong.code, 0);
      assert.match(wrong.stderr, /401|unauthorized/i);

      // The same manifest under a repository ctr creates by pushing: same digest there.
      await ctrOk('images', 'tag', ref(repo, 'oci'), ref('alice/from-ctr', 'v1'));
      await ctrOk('images', 'push', '--plain-http', '--user', `alice:${password}`, ref('alice/from-ctr', 'v1'));
      assert.equal((await remoteManifest(stack, 'alice/from-ctr:v1')).digest, pushed.get('oci'));
    } finally {
      const images = (await ctr('images', 'ls', '--quiet')).stdout.split('\n').filter(Boolean);
      if (images.length > 0) await ctr('images', 'rm', ...images);
      await ctr('namespaces', 'remove', namespace);
    }
  });
});
