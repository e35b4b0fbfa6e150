// Issue #12, unbounded memory: reading many large distinct manifests must not keep them all.
// The manifest cache is bounded by bytes (cache.manifestBytes) and holds one compact form of
// each manifest (its bytes), so what reads leave behind stays near that budget.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { digestOf, mediaTypes } from '@wharf/shared';
import { buildRegistry, pushBlob, raw, type TestRegistry } from './harness.js';
import { MiB, retainedBytes } from '../retained-memory.js';
import { createMemoryDriver } from '../../src/storage/driver/memory/memory-driver.js';
import { createRegistryStorage } from '../../src/storage/registry-storage.js';
import { ManifestStore } from '../../src/storage/manifest-store.js';

/** Pushes `count` distinct manifests of just under 4 MiB (long annotations) and returns their digests. */
async function pushLargeManifests({ app, registry }: TestRegistry, name: string, count: number): Promise<string[]> {
  const config = await pushBlob(app, name, '{}');
  const layer = await pushBlob(app, name, 'layer');
  const digests: string[] = [];
  for (let n = 0; n < count; n++) {
    const annotations: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) annotations[`m${n}.k${i}`] = `value ${i} of manifest ${n} `.padEnd(4000, '.');
    const manifest = {
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      config: { mediaType: mediaTypes.ociConfig, digest: config.digest, size: config.size },
      layers: [{ mediaType: mediaTypes.ociLayerGzip, digest: layer.digest, size: layer.size }],
      annotations,
    };
    // Stored without the HTTP round trip, which would only slow the test: the reads are the point.
    const bytes = Buffer.from(JSON.stringify(manifest));
    assert.ok(bytes.length > 3.5 * MiB && bytes.length <= 4 * MiB, `manifest of ${bytes.length} bytes`);
    const digest = digestOf(bytes);
    await registry.storage.manifests.put(name, digest, bytes, mediaTypes.ociManifest);
    digests.push(digest);
  }
  return digests;
}

async function readAll(app: Express, name: string, digests: string[]): Promise<void> {
  for (const digest of digests) {
    const res = await raw(request(app).get(`/v2/${name}/manifests/${digest}`));
    assert.equal(res.status, 200);
  }
}

describe('manifest cache memory', () => {
  it('reading 60 distinct ~4 MiB manifests keeps what stays in memory within the default budget', async (t) => {
    const built = await buildRegistry();
    const { app } = built;
    const digests = await pushLargeManifests(built, 'big/manifests', 60);
    const before = retainedBytes();
    await readAll(app, 'big/manifests', digests);
    const grown = retainedBytes() - before;
    t.diagnostic(`reads left ${Math.round(grown / MiB)} MiB behind`);
    // Default cache.manifestBytes is 64 MiB; the rest is slack for the runtime's own growth.
    assert.ok(grown < 96 * MiB, `reads left ${Math.round(grown / MiB)} MiB behind`);
  });

  it('accounts the cached bytes within a configured budget and still serves every manifest', async () => {
    const driver = createMemoryDriver();
    const digests = await pushLargeManifests(await buildRegistry({ driver }), 'big/accounted', 6);
    const storage = createRegistryStorage(driver, { manifestCache: { maxBytes: 10 * MiB, maxEntries: 2048 } });
    assert.ok(storage.manifests instanceof ManifestStore);
    for (const [n, digest] of digests.entries()) {
      const stored = await storage.manifests.get('big/accounted', digest);
      assert.equal(stored.parsed.annotations?.[`m${n}.k0`], `value 0 of manifest ${n} `.padEnd(4000, '.'));
      assert.ok(storage.manifests.cachedBytes <= 10 * MiB, `${storage.manifests.cachedBytes} bytes cached`);
    }
    assert.equal(storage.manifests.cachedEntries, 2, 'two ~4 MiB manifests fit in 10 MiB');
  });
});
