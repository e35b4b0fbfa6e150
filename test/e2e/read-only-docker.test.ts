// The real docker CLI against a registry in read-only mode (storage.readOnly) over the storage
// another Wharf registry wrote: docker pulls what is there, and a push fails with the reason.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, dockerTry, imageId, loadImage, requireDocker, uniqueName } from '../helpers/docker.js';
import { startWharf, type RunningRegistry } from '../helpers/stack.js';
import { snapshotFiles } from '../helpers/store-files.js';

describe('docker against a read-only registry', () => {
  const skip = requireDocker();
  let workDir: string;
  let dataDir: string;
  let readOnly: RunningRegistry | undefined;
  const refs: string[] = [];

  before(async () => {
    if (skip) return;
    workDir = await mkdtemp(join(tmpdir(), 'wharf-ro-docker-'));
    dataDir = join(workDir, 'data');
  });
  after(async () => {
    if (skip) return;
    for (const ref of refs) await dockerTry(['rmi', '-f', ref]);
    await readOnly?.stop();
    await rm(workDir, { recursive: true, force: true });
  });

  it('pulls what a writable registry pushed to the same storage, and refuses a push, naming read-only mode', { skip, timeout: 300_000 }, async () => {
    const name = `ro/${uniqueName('app')}`;
    const writer = await startWharf({ dataDir });
    const pushedRef = `${writer.host}/${name}:v1`;
    refs.push(pushedRef);
    const id = await loadImage(workDir, pushedRef, 2);
    await docker('push', pushedRef);
    await writer.stop();
    const before = await snapshotFiles(dataDir);

    readOnly = await startWharf({ dataDir, env: { WHARF_REGISTRY_STORAGE_READONLY: 'true' } });
    const pullRef = `${readOnly.host}/${name}:v1`;
    refs.push(pullRef);
    await docker('pull', pullRef);
    assert.equal(await imageId(pullRef), id);

    const pushRef = `${readOnly.host}/${name}:v2`;
    refs.push(pushRef);
    await docker('tag', pullRef, pushRef);
    const refused = await dockerTry(['push', pushRef]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stdout + refused.stderr, /read-only mode/);
    assert.deepEqual(await snapshotFiles(dataDir), before, 'the storage is exactly as the writer left it');
  });
});
