// `wharf gc` over a Ceph RGW bucket a running registry serves (issue 8): repositories deleted
// through the API, the collector (its own process, its own S3 client) frees exactly the blobs no
// kept image references, a dry run first lists them, and every kept image still pulls intact.
// Object stores keep file times to the second and have no directories to age: the test waits the
// shortest grace instead.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshS3Storage, removeS3Storage, requireCeph, type S3Storage } from '../helpers/ceph.js';
import { cliMain, withoutWharfVars } from '../helpers/launch.js';
import { runOk, withLogs } from '../helpers/process.js';
import { pullVerified, pushImage, type PushedImage } from '../helpers/push-api.js';
import { deleteManifest, request } from '../helpers/registry-api.js';
import { s3StorageEnv, startWharf, type RunningRegistry } from '../helpers/stack.js';

const skip = await requireCeph();
/** Past the collector's 2 s minimum grace plus the store's 1 s time grain. */
const pastShortestGraceMs = 3_500;

describe('wharf gc on Ceph RGW', { skip }, () => {
  let storage: S3Storage | undefined;
  let registry: RunningRegistry | undefined;

  before(async () => {
    storage = await freshS3Storage('wharf-gc');
    registry = await startWharf({ s3: storage });
  });
  after(async () => {
    await registry?.stop();
    if (storage) await removeS3Storage(storage);
  });

  it('frees exactly what deleted repositories no longer reference, while the registry serves', { timeout: 300_000 }, async () => {
    const running = registry!;
    const base = running.url;
    const shared = randomBytes(32 * 1024);
    const pushed: PushedImage[] = [];
    await withLogs(running, async () => {
      for (let i = 0; i < 6; i++) pushed.push(await pushImage(base, `gc/app-${i}`, 'v1', [shared, randomBytes((i + 1) * 8 * 1024)]));
      // Delete half the repositories' images; the shared layer stays referenced by the rest.
      for (const image of pushed.slice(0, 3)) assert.equal((await deleteManifest(base, image.name, image.digest)).status, 202);
    });
    const kept = pushed.slice(3);
    const keptDigests = new Set(kept.flatMap((image) => [...image.blobs.keys()]));
    const unreferenced = new Map<string, number>();
    for (const image of pushed.slice(0, 3)) for (const [digest, size] of image.blobs) if (!keptDigests.has(digest)) unreferenced.set(digest, size);
    const expectedFreed = [...unreferenced.values()].reduce((a, b) => a + b, 0);
    await sleep(pastShortestGraceMs);

    const env = { ...withoutWharfVars(process.env), ...s3StorageEnv(storage!) };
    const dry = await runOk(process.execPath, [cliMain, 'gc', '--dry-run', '--grace', '0s'], { env, timeoutMs: 120_000 });
    const listed = [...dry.stdout.matchAll(/^would remove (?:blob|manifest) (sha256:[0-9a-f]{64}) (\d+)$/gm)].map((m) => m[1]);
    assert.deepEqual(listed.sort(), [...unreferenced.keys()].sort());
    assert.match(dry.stdout, new RegExp(`would free ${expectedFreed} bytes`));

    const real = await runOk(process.execPath, [cliMain, 'gc', '--grace', '0s'], { env, timeoutMs: 120_000 });
    const blobs = unreferenced.size === 1 ? '1 blob' : `${unreferenced.size} blobs`;
    assert.match(real.stdout, new RegExp(`gc: freed ${expectedFreed} bytes .*: ${blobs} \\(`));
    const again = await runOk(process.execPath, [cliMain, 'gc', '--grace', '0s'], { env, timeoutMs: 120_000 });
    assert.match(again.stdout, /gc: freed 0 bytes/, 'a second run finds nothing more');

    await withLogs(running, async () => {
      for (const image of kept) await pullVerified(base, image.name, image.tag, image.digest);
      for (const image of pushed.slice(0, 3)) {
        for (const digest of image.blobs.keys()) {
          if (keptDigests.has(digest)) continue;
          assert.equal((await request(`${base}/v2/${image.name}/blobs/${digest}`, { method: 'HEAD' })).status, 404, `${image.name}@${digest} was freed`);
        }
      }
    });
  });
});
