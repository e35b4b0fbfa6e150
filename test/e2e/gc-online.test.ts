// Online garbage collection against a running `wharf registry`: the collector runs in a loop (as
// a second process would: its own driver over the same directory) while ten clients push and
// pull, some of them re-using layers that are garbage at that very moment. Every push succeeds
// the first time and every image pulls back intact; then whole repositories are deleted and
// `wharf gc` frees exactly the bytes the test computes from what it pushed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { collectGarbage, createFilesystemDriver, createRegistryStorage } from '@wharf/registry';
import { cliMain, withoutWharfVars } from '../helpers/launch.js';
import { runOk } from '../helpers/process.js';
import { bytesOf, pullVerified, pushImage, type PushedImage } from '../helpers/push-api.js';
import { deleteManifest } from '../helpers/registry-api.js';
import { startWharf, type RunningRegistry } from '../helpers/stack.js';
import { ageFiles, storeBytes } from '../helpers/store-files.js';

const workers = 10;
const rounds = 3;
/** Far longer than a push's HEAD-to-manifest gap here, far shorter than the ageing below. */
const graceMs = 10_000;
const maxCollectorRuns = 400;

describe('online garbage collection during concurrent pushes and pulls', () => {
  let registry: RunningRegistry;

  before(async () => {
    registry = await startWharf();
  });
  after(async () => {
    await registry?.stop();
  });

  it('breaks no push or pull, then frees exactly what deleted repositories no longer reference', { timeout: 300_000 }, async (t) => {
    const base = registry.url;
    const reused = Array.from({ length: 5 }, () => randomBytes(24 * 1024));
    const sharedBase = randomBytes(48 * 1024);

    // Garbage first: five images, deleted, their files aged past any grace period. Their first
    // layers come back in the pushes below while the collector is deleting them.
    for (let k = 0; k < reused.length; k++) {
      const old = await pushImage(base, `old/img-${k}`, 'v1', [reused[k] as Buffer, randomBytes(40 * 1024)]);
      assert.equal((await deleteManifest(base, old.name, old.digest)).status, 202);
    }
    await ageFiles(join(registry.dataDir, 'docker'), 2 * 3_600_000);

    const collector = createRegistryStorage(createFilesystemDriver({ rootDirectory: registry.dataDir }));
    let pushing = true;
    let runs = 0;
    let freedDuringPushes = 0;
    const collecting = (async () => {
      while (pushing && runs < maxCollectorRuns) {
        const report = await collectGarbage(collector, { gracePeriodMs: graceMs });
        freedDuringPushes += report.bytesFreed;
        runs += 1;
      }
    })();

    const pushed: PushedImage[] = [];
    const pushAndPull = async (w: number): Promise<void> => {
      for (let r = 0; r < rounds; r++) {
        const layers = [sharedBase, reused[(w + r) % reused.length] as Buffer, randomBytes(16 * 1024)];
        const image = await pushImage(base, `live/app-${w}`, `r${r}`, layers);
        pushed.push(image);
        await pullVerified(base, image.name, image.tag, image.digest);
        // And someone else's image, pushed by another client meanwhile.
        const other = pushed[(w * 7 + r) % pushed.length] as PushedImage;
        await pullVerified(base, other.name, other.tag, other.digest);
      }
    };
    try {
      await Promise.all(Array.from({ length: workers }, (_, w) => pushAndPull(w)));
    } finally {
      pushing = false;
      await collecting;
    }
    t.diagnostic(`collector: ${runs} runs during the pushes, ${freedDuringPushes} bytes freed meanwhile`);
    assert.ok(runs >= 1, 'the collector ran while pushing');
    assert.ok(freedDuringPushes > 0, 'the collector freed garbage while pushes went on');
    assert.equal(pushed.length, workers * rounds);
    for (const image of pushed) await pullVerified(base, image.name, image.tag, image.digest);

    // Quiet now: with everything made old, whatever is left over from the old images goes, and
    // the store holds exactly the blobs of the pushed images.
    await ageFiles(join(registry.dataDir, 'docker'), 3_600_000);
    await collectGarbage(collector, { gracePeriodMs: 0 });
    assert.equal(await storeBytes(registry.dataDir), bytesOf(pushed));

    // Delete half of the repositories (every manifest of each); the rest keep the shared layers.
    const deleted = pushed.filter((image) => Number(image.name.split('-')[1]) < workers / 2);
    const kept = pushed.filter((image) => !deleted.includes(image));
    for (const image of deleted) assert.equal((await deleteManifest(base, image.name, image.digest)).status, 202);
    const keptDigests = new Set(kept.flatMap((image) => [...image.blobs.keys()]));
    const unreferenced = new Map<string, number>();
    for (const image of deleted) for (const [digest, size] of image.blobs) if (!keptDigests.has(digest)) unreferenced.set(digest, size);
    const expectedFreed = [...unreferenced.values()].reduce((a, b) => a + b, 0);
    assert.ok(expectedFreed > 0);

    const env = { ...withoutWharfVars(process.env), WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: registry.dataDir };
    await ageFiles(join(registry.dataDir, 'docker'), 3_600_000);
    const before = await storeBytes(registry.dataDir);
    const dry = await runOk(process.execPath, [cliMain, 'gc', '--dry-run', '--grace', '0s'], { env });
    const listed = [...dry.stdout.matchAll(/^would remove (?:blob|manifest) (sha256:[0-9a-f]{64}) (\d+)$/gm)].map((m) => m[1]);
    assert.deepEqual(listed.sort(), [...unreferenced.keys()].sort());
    assert.match(dry.stdout, new RegExp(`would free ${expectedFreed} bytes`));
    assert.equal(await storeBytes(registry.dataDir), before, 'a dry run frees nothing');

    const real = await runOk(process.execPath, [cliMain, 'gc', '--grace', '0s'], { env });
    const blobs = unreferenced.size === 1 ? '1 blob' : `${unreferenced.size} blobs`;
    assert.match(real.stdout, new RegExp(`gc: freed ${expectedFreed} bytes .*: ${blobs} \\(`));
    assert.equal(before - (await storeBytes(registry.dataDir)), expectedFreed);
    for (const image of kept) await pullVerified(base, image.name, image.tag, image.digest);
  });
});
