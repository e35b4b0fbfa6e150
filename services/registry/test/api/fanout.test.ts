// Issue #12, item 1: a manifest's references are checked deduplicated, a few at a time, and a
// manifest listing more than storage.maxManifestReferences is refused before any storage work.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request, { type Response } from 'supertest';
import type { Express } from 'express';
import { digestOf } from '@wharf/shared';
import type { StorageDriver } from '../../src/storage/driver/driver.js';
import { createFilesystemDriver } from '../../src/storage/driver/filesystem/filesystem-driver.js';
import { createMemoryDriver } from '../../src/storage/driver/memory/memory-driver.js';
import { layerLinkPath } from '../../src/storage/paths.js';
import { assertError, buildRegistry, emptyConfig, mediaTypes, pushBlob, pushImage, putManifest } from './harness.js';

const name = 'team/app';

/** An OCI image manifest over the empty config with `layers` as its layer digests. */
function manifestOf(layers: readonly string[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      config: { mediaType: mediaTypes.ociEmpty, digest: emptyConfig.digest, size: emptyConfig.size },
      layers: layers.map((digest) => ({ mediaType: mediaTypes.ociLayerGzip, digest, size: 1 })),
    }),
  );
}

function missingLayers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => digestOf(`missing layer ${i}`));
}

/** Counts the driver calls made while `during` runs, and the most that were in flight at once. */
function observedDriver(inner: StorageDriver, delayMs = 0): { driver: StorageDriver; calls: () => number; peak: () => number } {
  let calls = 0;
  let active = 0;
  let peak = 0;
  const driver = new Proxy(inner, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'name') return value;
      return async (...args: unknown[]) => {
        calls++;
        active++;
        peak = Math.max(peak, active);
        try {
          if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          active--;
        }
      };
    },
  });
  return { driver, calls: () => calls, peak: () => peak };
}

async function openFds(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

describe('manifest reference fan-out', () => {
  it('one layer listed 25,000 times (within 4 MiB) is refused with 400 MANIFEST_INVALID before any storage work', async () => {
    const observed = observedDriver(createMemoryDriver());
    const { app } = await buildRegistry({ driver: observed.driver });
    const layer = await pushBlob(app, name, 'the one layer');
    await pushBlob(app, name, emptyConfig.content);
    const body = manifestOf(Array(25_000).fill(layer.digest));
    assert.ok(body.length < 4 * 1024 * 1024);
    const before = observed.calls();
    const started = Date.now();
    const res = await putManifest(app, name, 'dup', body, mediaTypes.ociManifest);
    assertError(res, 400, 'MANIFEST_INVALID');
    assert.match(res.body.errors[0].message, /10000/);
    assert.deepEqual(res.body.errors[0].detail, { references: 25_001, limit: 10_000 });
    assert.equal(observed.calls() - before, 0, 'no storage call for a refused manifest');
    assert.ok(Date.now() - started < 5000, `answered in ${Date.now() - started} ms`);
  });

  it('25,000 distinct missing layers are refused the same way', async () => {
    const observed = observedDriver(createMemoryDriver());
    const { app } = await buildRegistry({ driver: observed.driver });
    const before = observed.calls();
    const res = await putManifest(app, name, 'many', manifestOf(missingLayers(25_000)), mediaTypes.ociManifest);
    assertError(res, 400, 'MANIFEST_INVALID');
    assert.equal(observed.calls() - before, 0);
  });

  it('the limit is storage.maxManifestReferences', async () => {
    const { app } = await buildRegistry({ storage: { maxManifestReferences: 3 } });
    const layers = [await pushBlob(app, name, 'a'), await pushBlob(app, name, 'b')];
    await pushBlob(app, name, emptyConfig.content);
    const fits = await putManifest(app, name, 'fits', manifestOf(layers.map((l) => l.digest)), mediaTypes.ociManifest);
    assert.equal(fits.status, 201);
    const over = await putManifest(app, name, 'over', manifestOf([...layers, layers[0]!].map((l) => l.digest)), mediaTypes.ociManifest);
    assertError(over, 400, 'MANIFEST_INVALID');
    assert.deepEqual(over.body.errors[0].detail, { references: 4, limit: 3 });
  });

  it('a digest listed many times is checked once', async () => {
    const memory = createMemoryDriver();
    const observed = observedDriver(memory);
    const { app } = await buildRegistry({ driver: observed.driver });
    const layer = await pushBlob(app, name, 'repeated layer');
    await pushBlob(app, name, emptyConfig.content);
    const before = observed.calls();
    const res = await putManifest(app, name, 'dup', manifestOf(Array(2000).fill(layer.digest)), mediaTypes.ociManifest);
    assert.equal(res.status, 201, res.text);
    // Two distinct references (config, layer), each a link read and a claim, plus the writes of
    // the manifest itself: a few dozen calls, not thousands.
    assert.ok(observed.calls() - before < 50, `${observed.calls() - before} storage calls`);
  });

  it('distinct references are checked a few at a time and the missing ones all reported', async () => {
    const observed = observedDriver(createMemoryDriver(), 1);
    const { app } = await buildRegistry({ driver: observed.driver });
    await pushBlob(app, name, emptyConfig.content);
    const missing = missingLayers(500);
    const res = await putManifest(app, name, 'wide', manifestOf(missing), mediaTypes.ociManifest);
    assertError(res, 400, 'MANIFEST_BLOB_UNKNOWN');
    assert.deepEqual([...res.body.errors[0].detail.digests].sort(), [...missing].sort());
    assert.ok(observed.peak() <= 32, `${observed.peak()} storage calls in flight at once`);
  });

  it('on the filesystem: a 25,000-reference push neither spikes open files nor holds up another request', async () => {
    await withFilesystemRegistry(async (app, layer) => {
      const { peak, attack, normal } = await attackDuringNormalRequest(app, manifestOf(Array(25_000).fill(layer)));
      assertError(attack, 400, 'MANIFEST_INVALID');
      assert.equal(normal.status, 200);
      assert.ok(peak < 200, `${peak} more files open at once`);
    });
  });

  it('on the filesystem: 600 distinct layers linked but without content (under the cap) keep a few files open, and another request is served', async () => {
    await withFilesystemRegistry(async (app, _layer, driver) => {
      // Linked, so each check reads a link and writes a claim (the files a check opens), but
      // absent, so the PUT fails without 600 blobs to upload first.
      const linked = missingLayers(600);
      for (const digest of linked) await driver.putContent(layerLinkPath(name, digest), Buffer.from(digest));
      const { peak, attack, normal } = await attackDuringNormalRequest(app, manifestOf(linked));
      assertError(attack, 400, 'MANIFEST_BLOB_UNKNOWN');
      assert.equal(attack.body.errors[0].detail.digests.length, 600);
      assert.equal(normal.status, 200);
      assert.ok(peak < 100, `${peak} more files open at once`);
    });
  });
});

/** A registry on a fresh filesystem root holding image `ok`; `run` gets its first layer. */
async function withFilesystemRegistry(run: (app: Express, layer: string, driver: StorageDriver) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'wharf-fanout-'));
  try {
    const driver = createFilesystemDriver({ rootDirectory: root });
    const { app } = await buildRegistry({ driver });
    const image = await pushImage(app, name, { tag: 'ok' });
    await pushBlob(app, name, emptyConfig.content);
    await run(app, image.layers[0]!.digest, driver);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** PUTs `manifest` while GETting image `ok`; the most files open at once above the baseline. */
async function attackDuringNormalRequest(app: Express, manifest: Buffer): Promise<{ peak: number; attack: Response; normal: Response }> {
  const baseline = await openFds();
  let peak = baseline;
  const sampler = setInterval(() => void openFds().then((n) => (peak = Math.max(peak, n)), () => undefined), 1);
  try {
    const [attack, normal] = await Promise.all([
      putManifest(app, name, 'attack', manifest, mediaTypes.ociManifest),
      request(app).get(`/v2/${name}/manifests/ok`).set('Accept', mediaTypes.ociManifest),
    ]);
    return { peak: peak - baseline, attack, normal };
  } finally {
    clearInterval(sampler);
  }
}
