// Wharf on Azure Blob storage (Azurite): a real docker push and pull, a skopeo copy in and out,
// and everything still there after the registry restarts on the same container: no state
// outside the storage. The catalog is served from its index, and a rebuild finds nothing missing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../helpers/azurite.js';
import { requireClient } from '../helpers/clients.js';
import { docker, dockerTry, loadLayers, requireDocker, uniqueName } from '../helpers/docker.js';
import { buildOciImage, makeLayers, writeOciLayout } from '../helpers/images.js';
import { cliMain, withoutWharfVars } from '../helpers/launch.js';
import { runOk } from '../helpers/process.js';
import { skopeoCopy } from '../helpers/skopeo.js';
import { startWharf, type RunningRegistry } from '../helpers/stack.js';

describe('Wharf on Azure Blob storage (Azurite)', () => {
  const dockerSkip = requireDocker();
  const skopeoSkip = requireClient('skopeo');
  let azurite: RunningAzurite;
  let storageEnv: Record<string, string>;
  let registry: RunningRegistry;
  let work: string;
  const dockerName = `azure/${uniqueName('docker')}`;
  const skopeoName = `azure/${uniqueName('skopeo')}`;
  let imageId: string | undefined;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'wharf-azure-e2e-'));
    azurite = await startAzurite();
    // 1 MiB blocks, so each 3 MiB layer is staged as several blocks.
    storageEnv = { ...azurite.storageEnv(), WHARF_REGISTRY_STORAGE_AZURE_BLOCKSIZE: String(1024 * 1024) };
    registry = await startWharf({ storageEnv });
  });

  after(async () => {
    if (imageId) await dockerTry(['rmi', '-f', imageId]);
    await registry?.stop();
    await azurite?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('docker pushes a 3-layer image and pulls it back after rmi, same image id', { skip: dockerSkip }, async () => {
    const ref = `${registry.host}/${dockerName}:v1`;
    imageId = await loadLayers(work, ref, makeLayers(3, ref, 3 * 1024));
    const push = await docker('push', ref);
    assert.match(push.stdout, /digest: sha256:[0-9a-f]{64}/);
    await docker('rmi', '-f', imageId!);
    await docker('pull', ref);
    assert.equal((await docker('image', 'inspect', '--format', '{{.Id}}', ref)).stdout.trim(), imageId!);
  });

  it('skopeo copies an OCI image in and back out byte for byte', { skip: skopeoSkip }, async () => {
    const image = buildOciImage(2, 'azure-skopeo');
    await writeOciLayout(join(work, 'oci-in'), 'v1', image);
    const ref = `docker://${registry.host}/${skopeoName}:v1`;
    await skopeoCopy(`oci:${join(work, 'oci-in')}:v1`, ref);
    await skopeoCopy(ref, `dir:${join(work, 'out')}`);
    assert.ok((await readFile(join(work, 'out', 'manifest.json'))).equals(image.manifest));
    for (const layer of image.layers) {
      assert.ok((await readFile(join(work, 'out', layer.digest.slice('sha256:'.length)))).equals(layer.gzip));
    }
  });

  it('serves the same content after a restart on the same container', async () => {
    await registry.stop();
    registry = await startWharf({ storageEnv });
    const expected = [...(dockerSkip ? [] : [dockerName]), ...(skopeoSkip ? [] : [skopeoName])].sort();
    const catalog = (await (await fetch(`${registry.url}/v2/_catalog`)).json()) as { repositories: string[] };
    assert.deepEqual(catalog.repositories, expected);
    if (!dockerSkip) {
      const ref = `${registry.host}/${dockerName}:v1`;
      await docker('rmi', '-f', imageId!);
      await docker('pull', ref);
      assert.equal((await docker('image', 'inspect', '--format', '{{.Id}}', ref)).stdout.trim(), imageId);
    }
    if (!skopeoSkip) await skopeoCopy(`docker://${registry.host}/${skopeoName}:v1`, `dir:${join(work, 'again')}`);
  });

  it('wharf catalog rebuild on the container finds the index complete', async () => {
    const result = await runOk(process.execPath, [cliMain, 'catalog', 'rebuild'], { env: { ...withoutWharfVars(process.env), ...storageEnv } });
    const count = (dockerSkip ? 0 : 1) + (skopeoSkip ? 0 : 1);
    const repositories = count === 1 ? '1 repository' : `${count} repositories`;
    assert.match(result.stdout, new RegExp(`: ${repositories} \\(0 added, 0 removed\\)`));
  });
});
