// The real docker CLI and `wharf gc`: two images sharing layers are pushed, one is deleted by
// digest, the collector runs while the registry serves, frees exactly the blobs only the deleted
// image used, and the other image still pulls with the same image id.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, dockerTry, loadLayers, requireDocker, uniqueName } from '../helpers/docker.js';
import { makeLayers, sha256, type Layer } from '../helpers/images.js';
import { cliMain, withoutWharfVars } from '../helpers/launch.js';
import { runOk } from '../helpers/process.js';
import { deleteManifest, getManifest } from '../helpers/registry-api.js';
import { startWharf, type RunningRegistry } from '../helpers/stack.js';
import { ageFiles } from '../helpers/store-files.js';

interface PushedManifest {
  digest: string;
  /** Config and layers as the registry stores them (docker compresses layers on push). */
  blobs: Map<string, number>;
  bytes: number;
}

async function pushedManifest(base: string, name: string, tag: string): Promise<PushedManifest> {
  const res = await getManifest(base, name, tag);
  assert.equal(res.status, 200);
  const json = JSON.parse(res.body.toString('utf8')) as { config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
  const blobs = new Map([json.config, ...json.layers].map((d) => [d.digest, d.size]));
  return { digest: sha256(res.body), blobs, bytes: res.body.length };
}

describe('docker push, delete, wharf gc, pull', () => {
  const skip = requireDocker();
  let registry: RunningRegistry;
  let workDir: string;
  const ids: string[] = [];

  before(async () => {
    if (skip) return;
    workDir = await mkdtemp(join(tmpdir(), 'wharf-gc-docker-'));
    registry = await startWharf();
  });
  after(async () => {
    if (skip) return;
    for (const id of ids) await dockerTry(['rmi', '-f', id]);
    await registry?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('frees only what the deleted image used; the image sharing its layers still pulls', { skip, timeout: 300_000 }, async () => {
    const name = `gc/${uniqueName('docker')}`;
    const shared = makeLayers(2, `${name} shared`);
    const load = async (tag: string, layers: Layer[]): Promise<string> => {
      const ref = `${registry.host}/${name}:${tag}`;
      const imageId = await loadLayers(workDir, ref, layers);
      ids.push(imageId);
      return imageId;
    };
    const idA = await load('a', [...shared, ...makeLayers(1, `${name} only a`)]);
    const idB = await load('b', [...shared, ...makeLayers(1, `${name} only b`)]);
    await docker('push', `${registry.host}/${name}:a`);
    const pushB = await docker('push', `${registry.host}/${name}:b`);
    assert.match(pushB.stdout, /already exists/, 'b re-uses the shared layers a pushed');

    const a = await pushedManifest(registry.url, name, 'a');
    const b = await pushedManifest(registry.url, name, 'b');
    const onlyA = [...a.blobs].filter(([digest]) => !b.blobs.has(digest));
    assert.equal(onlyA.length, 2, "a's own layer and its config");
    const expectedFreed = onlyA.reduce((sum, [, size]) => sum + size, 0) + a.bytes;

    assert.equal((await deleteManifest(registry.url, name, a.digest)).status, 202);
    const env = { ...withoutWharfVars(process.env), WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: registry.dataDir };
    // As if pushed long ago: the shortest grace would keep what was claimed seconds before.
    await ageFiles(join(registry.dataDir, 'docker'), 3_600_000);
    const gc = await runOk(process.execPath, [cliMain, 'gc', '--grace', '0s'], { env });
    assert.match(gc.stdout, new RegExp(`gc: freed ${expectedFreed} bytes .*: 3 blobs`));
    for (const [digest] of onlyA) assert.match(gc.stdout, new RegExp(`removed blob ${digest} `));
    assert.match(gc.stdout, new RegExp(`removed manifest ${a.digest} `));

    for (const id of [idA, idB]) await docker('rmi', '-f', id);
    await docker('pull', `${registry.host}/${name}:b`);
    assert.equal((await docker('image', 'inspect', '--format', '{{.Id}}', `${registry.host}/${name}:b`)).stdout.trim(), idB);
    const pullA = await dockerTry(['pull', `${registry.host}/${name}:a`]);
    assert.notEqual(pullA.code, 0, 'the deleted image is gone');
  });
});
