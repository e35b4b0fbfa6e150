// Mark and sweep on every driver (memory, filesystem, S3 on Ceph RGW, Azure on Azurite): shared
// layers, indexes, referrers, deleted repositories, v1 images, the grace period, and the claim
// handshake with pushes. Object stores keep file times to the second: the moments a test puts on
// either side of a cutoff lie further apart there.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { StorageDriver } from '../driver/driver.js';
import { createFilesystemDriver } from '../driver/filesystem/filesystem-driver.js';
import { createMemoryDriver } from '../driver/memory/memory-driver.js';
import { createRegistryStorage, type RegistryStorage } from '../registry-storage.js';
import { blobClaimPath, blobCollectingPath, layerLinkPath, manifestRevisionLinkPath, repositoryPath } from '../paths.js';
import { claimContent, collectUnclaimed } from '../blob-claims.js';
import { createV1Storage } from '../../v1/storage/v1-storage.js';
import { objectStoreKinds } from '../../../test/helpers/object-stores.js';
import { collectGarbage, minimumGraceMs, type GcReport } from './collector.js';

const hour = 3_600_000;
const sha256 = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const ociManifest = 'application/vnd.oci.image.manifest.v1+json';
const ociIndex = 'application/vnd.oci.image.index.v1+json';

interface Pushed {
  digest: string;
  bytes: number;
  /** Every blob the manifest uses, manifest bytes included, with its size. */
  blobs: Map<string, number>;
}

async function pushBlob(storage: RegistryStorage, name: string, content: Buffer): Promise<string> {
  const digest = sha256(content);
  const upload = await storage.uploads.start(name);
  await storage.uploads.commit(name, upload.uuid, digest, Readable.from([content]));
  return digest;
}

/** Puts a manifest under a tag, or by its digest when no tag is given. */
async function putManifest(storage: RegistryStorage, name: string, tag: string | undefined, manifest: object, mediaType: string): Promise<{ digest: string; size: number }> {
  const content = Buffer.from(JSON.stringify(manifest));
  const { digest } = await storage.manifests.put(name, tag ?? sha256(content), content, mediaType);
  return { digest, size: content.length };
}

/** An image of the given layers (pushed first) with a config of its own. */
async function pushImage(storage: RegistryStorage, name: string, tag: string | undefined, layers: Buffer[], extra: Record<string, unknown> = {}): Promise<Pushed> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', nonce: randomBytes(8).toString('hex') }));
  const blobs = new Map<string, number>();
  for (const blob of [config, ...layers]) blobs.set(await pushBlob(storage, name, blob), blob.length);
  const manifest = {
    schemaVersion: 2,
    mediaType: ociManifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(l), size: l.length })),
    ...extra,
  };
  const { digest, size } = await putManifest(storage, name, tag, manifest, ociManifest);
  blobs.set(digest, size);
  return { digest, bytes: [...blobs.values()].reduce((a, b) => a + b, 0), blobs };
}

/** A referrer (artifact) to `subject`, with one blob of its own. */
async function pushReferrer(storage: RegistryStorage, name: string, subject: { digest: string; size: number }, reference?: string): Promise<Pushed> {
  const payload = randomBytes(300);
  return pushImage(storage, name, reference, [payload], {
    artifactType: 'application/vnd.example.sbom',
    subject: { mediaType: ociManifest, digest: subject.digest, size: subject.size },
  });
}

async function blobExists(storage: RegistryStorage, digest: string): Promise<boolean> {
  return (await storage.blobs.statContent(digest)) !== undefined;
}

/** Collects as if everything written so far were older than the grace period. */
function collectAll(storage: RegistryStorage, dryRun = false): Promise<GcReport> {
  return collectGarbage(storage, { gracePeriodMs: hour, now: Date.now() + 2 * hour, dryRun });
}

const layer = (kib: number) => randomBytes(kib * 1024);

/** The driver with one method replaced, to run a concurrent push at an exact moment of a run. */
function intercept<K extends 'delete' | 'getContent'>(inner: StorageDriver, method: K, replacement: StorageDriver[K]): StorageDriver {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === method) return replacement;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
const roots: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
  await Promise.all(cleanups.map((c) => c()));
});

interface GcDriver {
  name: string;
  skip: string | undefined;
  /** The resolution of the driver's file times. */
  timeGrainMs: number;
  make(): Promise<StorageDriver>;
}

const drivers: GcDriver[] = [
  { name: 'memory', skip: undefined, timeGrainMs: 1, make: async () => createMemoryDriver() },
  {
    name: 'filesystem',
    skip: undefined,
    timeGrainMs: 1,
    make: async () => {
      const root = await mkdtemp(join(tmpdir(), 'wharf-gc-'));
      roots.push(root);
      return createFilesystemDriver({ rootDirectory: root });
    },
  },
  ...objectStoreKinds.map((kind) => ({
    name: kind.name,
    skip: kind.skip,
    timeGrainMs: kind.timeGrainMs,
    make: async () => {
      const { driver, cleanup } = await kind.create();
      cleanups.push(cleanup);
      return driver;
    },
  })),
];

for (const { name: driverName, skip, timeGrainMs, make: makeDriver } of drivers) {
  const fresh = async () => createRegistryStorage(await makeDriver());
  /** Long enough that a file written before and one written after it carry different times. */
  const apart = () => new Promise((resolve) => setTimeout(resolve, Math.max(25, timeGrainMs + 100)));
  // The race is slow where times are coarse (two pauses a round): fewer rounds there.
  const raceRounds = timeGrainMs > 100 ? 8 : 60;

  describe(`garbage collection (${driverName})`, { skip }, () => {
    it('frees exactly the blobs of a deleted image, keeping layers another repository shares', async () => {
      const storage = await fresh();
      const shared = layer(20);
      const onlyA = layer(30);
      const onlyB = layer(7);
      const a = await pushImage(storage, 'team/a', 'v1', [shared, onlyA]);
      const b = await pushImage(storage, 'team/b', 'v1', [shared, onlyB]);
      // Cross-repository mount of the shared layer into a third repository, no manifest there.
      assert.ok(await storage.blobs.mount('team/a', 'team/c', sha256(shared)));

      const before = await collectAll(storage);
      assert.equal(before.blobsRemoved.length, 0);

      await storage.manifests.delete('team/a', a.digest);
      const expected = [...a.blobs].filter(([digest]) => !b.blobs.has(digest));
      const dry = await collectAll(storage, true);
      assert.deepEqual(dry.blobsRemoved.map((x) => x.digest).sort(), expected.map(([d]) => d).sort());
      assert.ok(await blobExists(storage, a.digest), 'a dry run removes nothing');

      const report = await collectAll(storage);
      assert.deepEqual(report.blobsRemoved.map((x) => x.digest).sort(), expected.map(([d]) => d).sort());
      assert.equal(report.bytesFreed, expected.reduce((sum, [, size]) => sum + size, 0));
      assert.deepEqual(report.blobsRemoved.filter((x) => x.manifest).map((x) => x.digest), [a.digest], 'the one manifest among them');
      for (const [digest] of expected) assert.equal(await blobExists(storage, digest), false);
      for (const digest of b.blobs.keys()) assert.ok(await blobExists(storage, digest), `b keeps ${digest}`);
      // Links to content that is gone went with it; b's links stay.
      assert.equal(await storage.blobs.isLinked('team/a', sha256(onlyA)), false);
      assert.ok(await storage.blobs.isLinked('team/b', sha256(onlyB)));
      assert.equal(report.layerLinksRemoved, 2, "team/a's links to its own layer and config");

      const again = await collectAll(storage);
      assert.equal(again.blobsRemoved.length, 0, 'a second run finds nothing more');
    });

    it('follows an index to its children, their configs and layers', async () => {
      const storage = await fresh();
      const amd = await pushImage(storage, 'multi/app', 'amd64', [layer(5)]);
      const arm = await pushImage(storage, 'multi/app', 'arm64', [layer(6)]);
      const index = await putManifest(
        storage,
        'multi/app',
        'latest',
        {
          schemaVersion: 2,
          mediaType: ociIndex,
          manifests: [amd, arm].map((m) => ({ mediaType: ociManifest, digest: m.digest, size: m.blobs.get(m.digest) })),
        },
        ociIndex,
      );
      // Only the index is tagged; the children are untagged revisions, and one is even deleted:
      // the index still needs it.
      await storage.tags.untag('multi/app', 'amd64');
      await storage.tags.untag('multi/app', 'arm64');
      await storage.manifests.delete('multi/app', arm.digest);
      const report = await collectAll(storage);
      assert.equal(report.blobsRemoved.length, 0);
      for (const digest of [...amd.blobs.keys(), ...arm.blobs.keys(), index.digest]) assert.ok(await blobExists(storage, digest));

      await storage.manifests.delete('multi/app', index.digest);
      await storage.manifests.delete('multi/app', amd.digest);
      const gone = await collectAll(storage);
      assert.equal(gone.blobsRemoved.length, amd.blobs.size + arm.blobs.size + 1);
      assert.equal(gone.bytesFreed, amd.bytes + arm.bytes + index.size);
    });

    it('keeps referrers of a present subject and removes referrers (and their chains) of a deleted one', async () => {
      const storage = await fresh();
      const image = await pushImage(storage, 'signed/app', 'v1', [layer(4)]);
      const subject = { digest: image.digest, size: image.blobs.get(image.digest) as number };
      const sbom = await pushReferrer(storage, 'signed/app', subject);
      const signature = await pushReferrer(storage, 'signed/app', { digest: sbom.digest, size: sbom.blobs.get(sbom.digest) as number });
      const tagged = await pushReferrer(storage, 'signed/app', subject, 'keep-me');

      const kept = await collectAll(storage);
      assert.equal(kept.blobsRemoved.length, 0);
      assert.equal(kept.manifestsRemoved.length, 0);

      await storage.manifests.delete('signed/app', image.digest);
      const dry = await collectAll(storage, true);
      assert.deepEqual(dry.manifestsRemoved.map((m) => m.digest).sort(), [sbom.digest, signature.digest].sort());
      assert.ok(await storage.manifests.exists('signed/app', sbom.digest), 'a dry run removes nothing');
      const report = await collectAll(storage);
      assert.equal(report.bytesFreed, dry.bytesFreed);
      assert.deepEqual(report.manifestsRemoved.map((m) => m.digest).sort(), [sbom.digest, signature.digest].sort());
      assert.equal(await storage.manifests.exists('signed/app', sbom.digest), false);
      assert.equal(await storage.manifests.exists('signed/app', signature.digest), false);
      assert.deepEqual(await storage.referrers.digests('signed/app', image.digest), [tagged.digest]);
      assert.deepEqual(await storage.referrers.digests('signed/app', sbom.digest), []);
      // The tagged referrer and the blobs it shares with the image stay.
      assert.ok(await storage.manifests.exists('signed/app', tagged.digest));
      for (const digest of tagged.blobs.keys()) assert.ok(await blobExists(storage, digest));
      const expected = new Map([...image.blobs, ...sbom.blobs, ...signature.blobs]);
      for (const digest of tagged.blobs.keys()) expected.delete(digest);
      assert.deepEqual(report.blobsRemoved.map((b) => b.digest).sort(), [...expected.keys()].sort());
    });

    it('keeps a referrer pushed before its subject for the grace period', async () => {
      const storage = await fresh();
      const absent = { digest: sha256(Buffer.from('not pushed yet')), size: 14 };
      const early = await pushReferrer(storage, 'early/app', absent);
      const report = await collectGarbage(storage, { gracePeriodMs: hour });
      assert.equal(report.manifestsRemoved.length, 0);
      assert.ok(await storage.manifests.exists('early/app', early.digest));
    });

    it('collects everything of a deleted repository', async () => {
      const storage = await fresh();
      const gone = await pushImage(storage, 'old/repo', 'v1', [layer(9), layer(3)]);
      const stays = await pushImage(storage, 'new/repo', 'v1', [layer(2)]);
      await storage.driver.delete(repositoryPath('old/repo'));
      const report = await collectAll(storage);
      assert.equal(report.bytesFreed, gone.bytes);
      assert.equal(report.blobsRemoved.length, gone.blobs.size);
      for (const digest of stays.blobs.keys()) assert.ok(await blobExists(storage, digest));
    });

    it('keeps the layers of v1 images, which no v2 manifest names', async () => {
      const storage = await fresh();
      const v1 = createV1Storage(storage, { maxExpansion: 100, expansionAllowance: 1 << 20, maxUncompressedBytes: 1 << 30, timeoutMs: 60_000 });
      const id = 'a'.repeat(64);
      const json = Buffer.from(JSON.stringify({ id }));
      // The shared copy of an id, and a repository's own copy of it (each has its layer).
      const copies = [{ ref: { id }, bytes: layer(3) }, { ref: { id, owner: 'alice/app' }, bytes: layer(4) }];
      for (const { ref, bytes } of copies) {
        await v1.images.putJson(ref, json, [id]);
        const record = await v1.images.receiveLayer(ref, json, Readable.from([bytes]));
        await v1.images.complete(ref, record, { checksum: record.checksum });
      }
      const unreferenced = await pushBlob(storage, 'v2/only', layer(1));

      const report = await collectAll(storage);
      assert.deepEqual(report.blobsRemoved.map((b) => b.digest), [unreferenced]);
      for (const { bytes } of copies) assert.ok(await blobExists(storage, sha256(bytes)));
    });

    it('keeps unreferenced blobs and links newer than the grace period (a push in progress)', async () => {
      const storage = await fresh();
      const pending = await pushBlob(storage, 'busy/app', layer(2));
      const report = await collectGarbage(storage, { gracePeriodMs: hour });
      assert.equal(report.blobsRemoved.length, 0);
      assert.equal(report.blobsKeptRecent, 0, 'marked through its fresh layer link, not merely recent');
      assert.ok(await storage.blobs.isLinked('busy/app', pending));
      // The push finishes later with a manifest: nothing was lost.
      const layers = [layer(1)];
      const image = await pushImage(storage, 'busy/app', 'v1', layers);
      assert.ok(image.blobs.size > 0);
      const later = await collectAll(storage);
      assert.deepEqual(later.blobsRemoved.map((b) => b.digest), [pending]);
    });

    it('counts a HEAD (an existence check a push skips an upload on) as a fresh reference', async () => {
      const storage = await fresh();
      const checked = await pushBlob(storage, 'head/app', layer(1));
      const unchecked = await pushBlob(storage, 'head/app', layer(1));
      await apart();
      const cutoff = Date.now();
      await apart();
      assert.equal((await storage.blobs.stat('head/app', checked, true)).size, 1024);
      // Both blobs and their links predate the cutoff; only the HEAD's claim is after it.
      const report = await collectGarbage(storage, { gracePeriodMs: 0, now: cutoff + minimumGraceMs });
      assert.deepEqual(report.blobsRemoved.map((b) => b.digest), [unchecked]);
      assert.equal(report.blobsKeptRecent, 1);
      assert.ok(await blobExists(storage, checked));
    });

    it('lets a push re-upload content that was just collected', async () => {
      const storage = await fresh();
      const bytes = layer(2);
      const first = await pushImage(storage, 'again/app', 'v1', [bytes]);
      await storage.manifests.delete('again/app', first.digest);
      await collectAll(storage);
      assert.equal(await blobExists(storage, sha256(bytes)), false);
      const second = await pushImage(storage, 'again/app', 'v1', [bytes]);
      assert.ok(await storage.blobs.isLinked('again/app', sha256(bytes)));
      assert.equal((await storage.manifests.get('again/app', 'v1')).digest, second.digest);
      assert.equal((await collectGarbage(storage, { gracePeriodMs: 0 })).blobsRemoved.length, 0);
    });

    it('never deletes a blob claimed after the cutoff, and a writer waits out a collector', async () => {
      const storage = await fresh();
      const { driver } = storage;
      const digest = await pushBlob(storage, 'race/app', layer(1));
      const cutoff = Date.now() + hour;
      // A claim after the cutoff (here: the cutoff lies in the past for this claim) keeps it.
      await claimContent(driver, digest);
      assert.deepEqual(await collectUnclaimed(driver, digest, Date.now() - hour), { deleted: false, reason: 'claimed' });
      assert.ok(await blobExists(storage, digest));

      // While a collector's marker is there, a writer's claim does not return.
      await driver.putContent(blobCollectingPath(digest), Buffer.from('collector'));
      let claimed = false;
      const claim = claimContent(driver, digest).then(() => (claimed = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(claimed, false);
      await driver.delete(blobCollectingPath(digest));
      await claim;
      assert.ok(claimed);

      // Everything older than the cutoff: deleted, with the marker and the claim.
      assert.deepEqual(await collectUnclaimed(driver, digest, cutoff), { deleted: true, size: 1024 });
      await assert.rejects(driver.stat(blobClaimPath(digest)));
      await assert.rejects(driver.stat(blobCollectingPath(digest)));
      // A manifest naming it now is refused rather than stored dangling.
      await assert.rejects(
        storage.manifests.put(
          'race/app',
          'v1',
          Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: ociManifest, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest, size: 1024 }, layers: [] })),
          ociManifest,
        ),
        { code: 'MANIFEST_BLOB_UNKNOWN' },
      );
      assert.ok(await driver.stat(layerLinkPath('race/app', digest)), 'the link itself is left for the sweep');
    });

    it(`never lets a collector delete content a racing writer found (${raceRounds} races)`, async (t) => {
      const storage = await fresh();
      const { driver } = storage;
      // Well clear of file-time granularity on either side of the cutoff, as the 2 s minimum
      // grace keeps them in a real run.
      const tick = apart;
      let writerWon = 0;
      let collectorWon = 0;
      for (let i = 0; i < raceRounds; i++) {
        const digest = await pushBlob(storage, 'race/many', randomBytes(64));
        await tick();
        const cutoff = Date.now();
        await tick();
        // The writer starts a few microtask turns before or after the collector, varying per round.
        const delay = (n: number) => new Promise<void>((resolve) => {
          let left = n;
          const step = () => (left-- > 0 ? setImmediate(step) : resolve());
          step();
        });
        const [found, outcome] = await Promise.all([
          delay(i % 5).then(() => storage.blobs.claim(digest)),
          delay((i * 3) % 5).then(() => collectUnclaimed(driver, digest, cutoff)),
        ]);
        if (found) {
          writerWon += 1;
          assert.equal(outcome.deleted, false, `round ${i}: the writer found the content, the collector deleted it`);
          assert.ok(await blobExists(storage, digest), `round ${i}: content the writer found is gone`);
        } else {
          collectorWon += 1;
          assert.equal(outcome.deleted, true);
        }
      }
      t.diagnostic(`the writer found the content ${writerWon} times, the collector deleted it first ${collectorWon} times`);
      assert.equal(writerWon + collectorWon, raceRounds);
    });

    it('writes back a dangling layer link a push re-created while the collector removed it', async () => {
      const inner = await makeDriver();
      const bytes = layer(1);
      const digest = sha256(bytes);
      const link = layerLinkPath('relink/app', digest);
      let storage: RegistryStorage | undefined;
      let pushedMeanwhile = false;
      // The push lands right after the collector deleted the link (the worst moment for it).
      const driver = intercept(inner, 'delete', async (path) => {
        await inner.delete(path);
        if (path === link && storage && !pushedMeanwhile) {
          pushedMeanwhile = true;
          await pushBlob(storage, 'relink/app', bytes);
        }
      });
      storage = createRegistryStorage(driver);
      const first = await pushImage(storage, 'relink/app', 'v1', [bytes]);
      await storage.manifests.delete('relink/app', first.digest);
      // First run: the blob goes and its link with it, no push in between (the proxy waits for
      // a link delete whose blob exists: only the second run's).
      pushedMeanwhile = true;
      await collectAll(storage);
      assert.equal(await blobExists(storage, digest), false);
      await inner.putContent(link, Buffer.from(digest));
      pushedMeanwhile = false;
      // Second run: the stale link is removed, and the push that happens right then re-uploads
      // the content and re-links it; the collector must leave a link behind. The cutoff lies
      // between the stale link and the push.
      await apart();
      const cutoff = Date.now();
      await apart();
      const report = await collectGarbage(storage, { gracePeriodMs: minimumGraceMs, now: cutoff + minimumGraceMs });
      assert.ok(pushedMeanwhile);
      assert.equal(report.layerLinksRemoved, 1);
      assert.ok(await storage.blobs.isLinked('relink/app', digest), 'the re-pushed blob is still linked');
      assert.ok(await blobExists(storage, digest));
    });

    it('keeps an orphaned referrer whose subject is pushed again while the collector runs', async () => {
      const inner = await makeDriver();
      let storage: RegistryStorage | undefined;
      let subjectManifest: { content: Buffer; digest: string } | undefined;
      let subjectLink = '';
      const driver = intercept(inner, 'getContent', async (path) => {
        // The re-check before removal reads the subject's revision link: push it just before.
        if (path === subjectLink && storage && subjectManifest) {
          const again = subjectManifest;
          subjectManifest = undefined;
          await storage.manifests.put('back/app', 'v1', again.content, ociManifest);
        }
        return inner.getContent(path);
      });
      storage = createRegistryStorage(driver);
      const image = await pushImage(storage, 'back/app', 'v1', [layer(2)]);
      const content = (await storage.manifests.get('back/app', image.digest)).content;
      const sbom = await pushReferrer(storage, 'back/app', { digest: image.digest, size: content.length });
      await storage.manifests.delete('back/app', image.digest);
      subjectManifest = { content, digest: image.digest };
      subjectLink = manifestRevisionLinkPath('back/app', image.digest);
      // Everything so far predates the cutoff; the re-push during the run comes after it.
      await apart();
      const cutoff = Date.now();
      await apart();
      const report = await collectGarbage(storage, { gracePeriodMs: minimumGraceMs, now: cutoff + minimumGraceMs });
      assert.equal(subjectManifest, undefined, 'the subject was pushed during the run');
      assert.equal(report.manifestsRemoved.length, 0);
      assert.ok(await storage.manifests.exists('back/app', sbom.digest));
      for (const digest of [...sbom.blobs.keys(), ...image.blobs.keys()]) assert.ok(await blobExists(storage, digest), `${digest} kept`);
    });

    it('ignores a marker left by a collector that died', async () => {
      const storage = await fresh();
      const digest = await pushBlob(storage, 'dead/app', layer(1));
      await storage.driver.putContent(blobCollectingPath(digest), Buffer.from('old'));
      if (driverName !== 'filesystem') {
        // Only on the filesystem can a test age a file: skip the expiry part elsewhere.
        await storage.driver.delete(blobCollectingPath(digest));
      } else {
        const { utimes } = await import('node:fs/promises');
        const old = new Date(Date.now() - 60_000);
        const root = roots[roots.length - 1] as string;
        await utimes(join(root, blobCollectingPath(digest)), old, old);
      }
      const started = Date.now();
      await claimContent(storage.driver, digest);
      assert.ok(Date.now() - started < 5_000);
    });
  });
}
