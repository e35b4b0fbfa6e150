// skopeo against Wharf: images generated here (OCI layout, docker-archive, a two-platform OCI
// index) are copied in and back out, and must come back byte for byte / digest for digest.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { requireClient } from '../helpers/clients.js';
import { uniqueName } from '../helpers/docker.js';
import { buildOciImage, buildOciIndex, dockerArchive, makeLayers, mediaTypes, sha256, writeOciLayout } from '../helpers/images.js';
import { runOk } from '../helpers/process.js';
import { getManifest } from '../helpers/registry-api.js';
import { skopeo, skopeoCopy, skopeoTry } from '../helpers/skopeo.js';
import { startWharf, type RunningRegistry } from '../helpers/stack.js';

interface Manifest {
  mediaType?: string;
  config: { digest: string };
  layers: { digest: string; mediaType: string }[];
}

/** A `dir:` transport directory: manifest.json plus one file per blob, named by hex digest. */
async function readDirImage(dir: string) {
  const manifestBytes = await readFile(join(dir, 'manifest.json'));
  const blob = (digest: string) => readFile(join(dir, digest.slice('sha256:'.length)));
  return { manifestBytes, manifest: JSON.parse(manifestBytes.toString('utf8')) as Manifest, blob };
}

describe('skopeo copy through Wharf', () => {
  const skip = requireClient('skopeo');
  let registry: RunningRegistry;
  let work: string;

  before(async () => {
    if (skip) return;
    work = await mkdtemp(join(tmpdir(), 'wharf-skopeo-e2e-'));
    registry = await startWharf();
  });

  after(async () => {
    if (skip) return;
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('copies an OCI layout in and out to a dir, every blob byte-identical', { skip }, async () => {
    const image = buildOciImage(3, 'skopeo-oci');
    const ref = `docker://${registry.host}/skopeo/${uniqueName('oci')}:v1`;
    await writeOciLayout(join(work, 'oci-in'), 'v1', image);
    await skopeoCopy(`oci:${join(work, 'oci-in')}:v1`, ref);
    const out = join(work, 'oci-out');
    await skopeoCopy(ref, `dir:${out}`);
    const copied = await readDirImage(out);
    assert.ok(copied.manifestBytes.equals(image.manifest), 'manifest bytes changed on the round trip');
    assert.ok((await copied.blob(image.configDigest)).equals(image.config));
    assert.equal(copied.manifest.layers.length, 3);
    for (const [i, layer] of image.layers.entries()) {
      assert.equal(copied.manifest.layers[i]?.digest, layer.digest);
      assert.ok((await copied.blob(layer.digest)).equals(layer.gzip), `layer ${i} differs`);
    }
  });

  it('copies a docker-archive in and out, layer contents identical', { skip }, async () => {
    const layers = makeLayers(3, 'skopeo-archive');
    const { archive, imageId } = dockerArchive('skopeo/archive:v1', layers, 'skopeo-archive');
    const archivePath = join(work, 'image.tar');
    await writeFile(archivePath, archive);
    const ref = `docker://${registry.host}/skopeo/${uniqueName('archive')}:v1`;
    await skopeoCopy(`docker-archive:${archivePath}`, ref);
    const out = join(work, 'archive-out');
    await skopeoCopy(ref, `dir:${out}`);
    const copied = await readDirImage(out);
    assert.equal(copied.manifest.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(copied.manifest.config.digest, imageId);
    assert.equal(copied.manifest.layers.length, 3);
    for (const [i, layer] of layers.entries()) {
      const blob = await copied.blob(copied.manifest.layers[i]!.digest);
      const tar = blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob;
      assert.ok(tar.equals(layer.tar), `layer ${i} content differs`);
    }
  });

  it('copies a two-platform OCI index with --all, preserving every digest', { skip }, async () => {
    const built = buildOciIndex('skopeo-index', ['amd64', 'arm64']);
    const name = `skopeo/${uniqueName('index')}`;
    await writeOciLayout(join(work, 'index-in'), 'multi', built);
    await skopeoCopy(`oci:${join(work, 'index-in')}:multi`, `docker://${registry.host}/${name}:multi`, '--all');

    const top = await getManifest(registry.url, name, 'multi');
    assert.equal(top.status, 200);
    assert.equal(top.headers.get('docker-content-digest'), built.indexDigest);
    assert.ok(top.body.equals(built.index), 'index bytes changed');
    for (const { image } of built.images) {
      const child = await getManifest(registry.url, name, image.manifestDigest);
      assert.equal(child.status, 200, `platform manifest ${image.manifestDigest} missing`);
      assert.equal(sha256(child.body), image.manifestDigest);
    }

    const out = join(work, 'index-out');
    await skopeoCopy(`docker://${registry.host}/${name}:multi`, `oci:${out}:multi`, '--all');
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(index.manifests[0]?.digest, built.indexDigest);
    for (const { image } of built.images) {
      for (const blob of [image.manifest, image.config, ...image.layers.map((l) => l.gzip)]) {
        const copy = await readFile(join(out, 'blobs', 'sha256', sha256(blob).slice('sha256:'.length)));
        assert.ok(copy.equals(blob), `blob ${sha256(blob)} differs after the round trip`);
      }
    }
  });

  it('shows the index with skopeo inspect --raw', { skip }, async () => {
    const built = buildOciIndex('skopeo-inspect', ['amd64', 'arm64'], 1);
    const name = `skopeo/${uniqueName('inspect')}`;
    await writeOciLayout(join(work, 'inspect-in'), 'multi', built);
    await skopeoCopy(`oci:${join(work, 'inspect-in')}:multi`, `docker://${registry.host}/${name}:multi`, '--all');
    const raw = (await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/${name}:multi`)).stdout;
    assert.equal(sha256(raw), built.indexDigest, 'inspect --raw is not the pushed index');
    const index = JSON.parse(raw) as { mediaType: string; manifests: { platform: { architecture: string; os: string } }[] };
    assert.equal(index.mediaType, mediaTypes.ociIndex);
    assert.deepEqual(
      index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`),
      ['linux/amd64', 'linux/arm64'],
    );
  });
});

describe('skopeo credentials against Wharf with htpasswd auth', () => {
  const skip = requireClient('skopeo', 'htpasswd');
  const creds = 'skopeo-user:s3cret-pass';
  let registry: RunningRegistry;
  let work: string;
  let layout: string;
  let ref: string;

  before(async () => {
    if (skip) return;
    work = await mkdtemp(join(tmpdir(), 'wharf-skopeo-auth-'));
    const [user, password] = creds.split(':') as [string, string];
    await writeFile(join(work, 'htpasswd'), (await runOk('htpasswd', ['-Bbn', user, password])).stdout);
    registry = await startWharf({ htpasswdPath: join(work, 'htpasswd') });
    layout = `oci:${join(work, 'layout')}:v1`;
    await writeOciLayout(join(work, 'layout'), 'v1', buildOciImage(2, 'skopeo-auth'));
    ref = `docker://${registry.host}/skopeo/${uniqueName('auth')}:v1`;
  });

  after(async () => {
    if (skip) return;
    await registry?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('refuses a copy without credentials or with a wrong password', { skip }, async () => {
    const anonymous = await skopeoTry('copy', '--dest-tls-verify=false', layout, ref);
    assert.notEqual(anonymous.code, 0);
    assert.match(anonymous.stderr, /unauthorized|authentication required/i);
    const wrong = await skopeoTry('copy', '--dest-tls-verify=false', '--dest-creds', 'skopeo-user:nope', layout, ref);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /unauthorized|authentication required|invalid username/i);
  });

  it('copies in with --dest-creds and inspects with --creds', { skip }, async () => {
    await skopeo('copy', '--dest-tls-verify=false', '--dest-creds', creds, layout, ref);
    const inspected = JSON.parse((await skopeo('inspect', '--tls-verify=false', '--creds', creds, ref)).stdout) as { Layers: string[] };
    assert.equal(inspected.Layers.length, 2);
    const denied = await skopeoTry('inspect', '--tls-verify=false', '--creds', 'skopeo-user:nope', ref);
    assert.notEqual(denied.code, 0);
  });
});
