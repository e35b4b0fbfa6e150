// Wharf's registry on a real Ceph cluster (RADOS Gateway, S3 driver): docker push/pull, a chunked
// upload that survives a registry restart, a 2 GiB blob streamed through; blob redirects to
// presigned URLs that docker and skopeo follow; two registry processes over one bucket.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { freshS3Storage, removeS3Storage, requireCeph, type S3Storage } from '../helpers/ceph.js';
import { fetchBlobDigest, finishUpload, generatedBlob, patchChunk, startUpload } from '../helpers/chunked-upload.js';
import { docker, dockerTry, loadLayers, requireDocker, uniqueName } from '../helpers/docker.js';
import { makeLayers, sha256 } from '../helpers/images.js';
import { requireClient } from '../helpers/clients.js';
import { getManifest, request } from '../helpers/registry-api.js';
import { withLogs } from '../helpers/process.js';
import { skopeoCopy } from '../helpers/skopeo.js';
import { startWharf, type RunningRegistry } from '../helpers/stack.js';

const MiB = 1024 * 1024;
const skip = requireDocker() ?? (await requireCeph());

/** Loads a generated image as ref (and any further tags); returns its image id. */
function loadImage(workDir: string, ref: string, layers: number): Promise<string> {
  return loadLayers(workDir, ref, makeLayers(layers, ref, 512));
}

async function imageId(ref: string): Promise<string> {
  return (await docker('image', 'inspect', '--format', '{{.Id}}', ref)).stdout.trim();
}

function pushedDigest(output: string): string {
  const match = /digest: (sha256:[0-9a-f]{64})/.exec(output);
  assert.ok(match?.[1], `no digest in docker push output:\n${output}`);
  return match[1];
}

/** Pushes ref, removes it locally, pulls it back: the same image id and manifest digest. */
async function pushPullRoundTrip(pushRef: string, pullRef: string, id: string): Promise<string> {
  const digest = pushedDigest((await docker('push', pushRef)).stdout);
  await docker('rmi', '-f', id);
  await docker('pull', pullRef);
  assert.equal(await imageId(pullRef), id);
  return digest;
}

const chunk = (bytes: Buffer) => Readable.from([bytes]);

describe('Wharf on Ceph RGW', { skip }, () => {
  let storage: S3Storage;
  let registry: RunningRegistry;
  let workDir: string;
  const images: string[] = [];

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'wharf-ceph-e2e-'));
    storage = await freshS3Storage('wharf-e2e');
    registry = await startWharf({ s3: storage });
  });

  after(async () => {
    for (const id of images) await dockerTry(['rmi', '-f', id]);
    await registry?.stop();
    if (storage) await removeS3Storage(storage);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('docker pushes a 4-layer image and pulls it back after rmi', { timeout: 300_000 }, async () => {
    const name = `ceph/${uniqueName('docker')}`;
    const ref = `${registry.host}/${name}:v1`;
    const id = await loadImage(workDir, ref, 4);
    images.push(id);
    const digest = await withLogs(registry, () => pushPullRoundTrip(ref, ref, id));
    const manifest = await getManifest(registry.url, name, 'v1');
    assert.equal(manifest.headers.get('docker-content-digest'), digest);
    assert.equal((JSON.parse(manifest.body.toString()) as { layers: unknown[] }).layers.length, 4);
  });

  it('a chunked upload survives a registry restart mid-upload', { timeout: 300_000 }, async () => {
    const name = `ceph/${uniqueName('restart')}`;
    const parts = [Buffer.alloc(6 * MiB, 1), Buffer.alloc(100, 2), Buffer.alloc(3 * MiB, 3), Buffer.alloc(7, 4)];
    const whole = Buffer.concat(parts);
    let location = await startUpload(registry.url, name);
    let held = 0;
    for (const [i, bytes] of parts.entries()) {
      ({ location, size: held } = await patchChunk(registry.url, location, chunk(bytes)));
      if (i === 1) {
        // The process holds nothing the next one needs: everything is in the bucket.
        await registry.stop();
        registry = await startWharf({ s3: storage });
        const status = await request(`${registry.url}${location}`);
        assert.equal(status.status, 204);
        assert.equal(status.headers.get('range'), `0-${held - 1}`);
      }
    }
    assert.equal(held, whole.length);
    await finishUpload(registry.url, location, sha256(whole));
    const pulled = await fetchBlobDigest(registry.url, name, sha256(whole));
    assert.deepEqual(pulled, { size: whole.length, digest: sha256(whole) });
  });

  it('streams a 2 GiB blob through Ceph and pulls it back with the same digest', { timeout: 1_200_000 }, async () => {
    const name = `ceph/${uniqueName('big')}`;
    const size = 2 * 1024 * MiB;
    const blob = generatedBlob(size);
    const location = await startUpload(registry.url, name);
    const { location: next, size: held } = await withLogs(registry, () => patchChunk(registry.url, location, blob.stream));
    assert.equal(held, size);
    const digest = blob.digest();
    await withLogs(registry, () => finishUpload(registry.url, next, digest));
    const head = await request(`${registry.url}/v2/${name}/blobs/${digest}`, { method: 'HEAD' });
    assert.equal(head.headers.get('content-length'), String(size));
    assert.deepEqual(await fetchBlobDigest(registry.url, name, digest), { size, digest });
  });
});

describe('blob redirects to presigned Ceph URLs (storage.redirect)', { skip: skip ?? requireClient('skopeo') }, () => {
  let storage: S3Storage;
  let registry: RunningRegistry;
  let workDir: string;
  let name: string;
  let ref: string;
  let id: string;

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'wharf-ceph-redirect-'));
    storage = await freshS3Storage('wharf-redirect');
    registry = await startWharf({ s3: storage, redirect: true });
    name = `redirect/${uniqueName('img')}`;
    ref = `${registry.host}/${name}:v1`;
    id = await loadImage(workDir, ref, 3);
    await docker('push', ref);
  });

  after(async () => {
    if (id) await dockerTry(['rmi', '-f', id]);
    await registry?.stop();
    if (storage) await removeS3Storage(storage);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('answers blob GET and HEAD with 307 to a presigned URL of the store', async () => {
    const manifest = JSON.parse((await getManifest(registry.url, name, 'v1')).body.toString()) as { layers: { digest: string; size: number }[] };
    const layer = manifest.layers[0]!;
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(`${registry.url}/v2/${name}/blobs/${layer.digest}`, { method, redirect: 'manual' });
      assert.equal(res.status, 307, method);
      const location = res.headers.get('location') ?? '';
      assert.ok(location.startsWith(`${storage.endpoint}/${storage.bucket}/`), location);
      assert.match(location, /X-Amz-Signature=/);
      const direct = await fetch(location, { method });
      assert.equal(direct.status, 200);
      assert.equal(direct.headers.get('content-length'), String(layer.size));
      if (method === 'GET') assert.equal(sha256(Buffer.from(await direct.arrayBuffer())), layer.digest);
    }
  });

  it('docker pulls through the redirect', { timeout: 300_000 }, async () => {
    await docker('rmi', '-f', id);
    await withLogs(registry, () => docker('pull', ref));
    assert.equal(await imageId(ref), id);
  });

  it('skopeo copies out through the redirect', { timeout: 300_000 }, async () => {
    const out = join(workDir, 'oci');
    await skopeoCopy(`docker://${ref}`, `oci:${out}:v1`);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifestDigest = index.manifests[0]!.digest;
    const manifest = JSON.parse(await readFile(join(out, 'blobs', 'sha256', manifestDigest.slice(7)), 'utf8')) as { layers: { digest: string }[] };
    assert.equal(manifest.layers.length, 3);
    for (const layer of manifest.layers) {
      assert.equal(sha256(await readFile(join(out, 'blobs', 'sha256', layer.digest.slice(7)))), layer.digest);
    }
  });
});

describe('two registry processes over one Ceph bucket', { skip }, () => {
  let storage: S3Storage;
  let a: RunningRegistry;
  let b: RunningRegistry;
  let workDir: string;
  const images: string[] = [];

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'wharf-ceph-two-'));
    storage = await freshS3Storage('wharf-two');
    [a, b] = await Promise.all([startWharf({ s3: storage }), startWharf({ s3: storage })]);
  });

  after(async () => {
    for (const id of images) await dockerTry(['rmi', '-f', id]);
    await Promise.all([a?.stop(), b?.stop()]);
    if (storage) await removeS3Storage(storage);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('push through one, pull through the other', { timeout: 300_000 }, async () => {
    const name = `two/${uniqueName('ab')}`;
    const id = await loadImage(workDir, `${a.host}/${name}:v1`, 3);
    images.push(id);
    await pushPullRoundTrip(`${a.host}/${name}:v1`, `${b.host}/${name}:v1`, id);
  });

  it('concurrent pushes of the same layers through both', { timeout: 300_000 }, async () => {
    const name = `two/${uniqueName('race')}`;
    const refA = `${a.host}/${name}:v1`;
    const refB = `${b.host}/${name}:v1`;
    const id = await loadImage(workDir, refA, 4);
    images.push(id);
    await docker('tag', refA, refB);
    const [pushA, pushB] = await Promise.all([docker('push', refA), docker('push', refB)]);
    assert.equal(pushedDigest(pushA.stdout), pushedDigest(pushB.stdout));
    await docker('rmi', '-f', id);
    await docker('pull', refB);
    assert.equal(await imageId(refB), id);
    for (const registry of [a, b]) {
      const manifest = await getManifest(registry.url, name, 'v1');
      assert.equal(manifest.headers.get('docker-content-digest'), pushedDigest(pushA.stdout));
    }
  });

  it('a chunked upload started on one and finished on the other', { timeout: 120_000 }, async () => {
    const name = `two/${uniqueName('handoff')}`;
    const first = Buffer.alloc(5 * MiB + 3, 7);
    const second = Buffer.from('finished elsewhere');
    const whole = Buffer.concat([first, second]);
    const started = await startUpload(a.url, name);
    const { location } = await patchChunk(a.url, started, chunk(first));
    const { location: last, size } = await patchChunk(b.url, location, chunk(second));
    assert.equal(size, whole.length);
    await finishUpload(a.url, last, sha256(whole));
    for (const registry of [a, b]) {
      assert.deepEqual(await fetchBlobDigest(registry.url, name, sha256(whole)), { size: whole.length, digest: sha256(whole) });
    }
  });
});
