// Issue #12, item 8: a v1 layer is gunzipped to compute its diff id, and a small gzip of zeros
// (about 1000× smaller than what it expands to) cost half a minute of CPU. The decompressed size
// is bounded (a ratio of the bytes received, over a fixed allowance, and an absolute cap), and so
// is the time spent decompressing and hashing; past either the upload fails with a clear 400 and
// nothing is kept.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { registryConfigSchema } from '../../src/config/schema.js';
import { makeImage, type V1TestImage } from './fixtures.js';
import { assertV1Error, buildV1Registry, putChecksum, putJson, putLayer, type V1BuildOptions } from './harness.js';

/**
 * `members` concatenated gzip members of `memberMiB` MiB of zeros each (gunzip reads them as one
 * stream): a large expansion made without compressing it all.
 */
function gzipBomb(memberMiB: number, members: number): Buffer {
  const member = gzipSync(Buffer.alloc(memberMiB * 1024 * 1024), { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => member));
}

/** An image whose JSON is pushed, ready for a layer. */
async function started(options: V1BuildOptions = {}): Promise<{ app: Awaited<ReturnType<typeof buildV1Registry>>['app']; driver: Awaited<ReturnType<typeof buildV1Registry>>['driver']; image: V1TestImage }> {
  const { app, driver } = await buildV1Registry(options);
  const image = makeImage();
  assert.equal((await putJson(app, image)).status, 200);
  return { app, driver, image };
}

async function assertNothingKept(app: Parameters<typeof putChecksum>[0], driver: Awaited<ReturnType<typeof buildV1Registry>>['driver'], image: V1TestImage): Promise<void> {
  assertV1Error(await putChecksum(app, image), 400, 'Image layer not uploaded');
  const left = await driver.list(`/docker/registry/v1/images/${image.id}`);
  assert.deepEqual(left.filter((p) => p.endsWith('/uploads') || p.endsWith('/layer')), [], 'no upload or layer record is kept');
  assertV1Error(await request(app).get(`/v1/images/${image.id}/json`), 400);
}

describe('v1 layers: decompression bombs', () => {
  it('refuses a 1 GiB-of-zeros gzip layer (~1 MiB) under the default limits', async () => {
    const { app, driver, image } = await started();
    const bomb = gzipBomb(16, 64);
    assert.ok(bomb.length < 2 * 1024 * 1024, `the bomb is small (${bomb.length} bytes)`);
    assertV1Error(await putLayer(app, image, undefined, bomb), 400, /decompresses to more than/);
    await assertNothingKept(app, driver, image);
    // The same image then takes its real layer.
    assert.equal((await putLayer(app, image)).status, 200);
    assert.equal((await putChecksum(app, image)).status, 200);
  });

  it('bounds the expansion by the configured ratio and allowance, and by the absolute cap', async () => {
    const ratio = await started({ v1: { maxLayerExpansion: 10, layerExpansionAllowance: 1024 * 1024 } });
    assertV1Error(await putLayer(ratio.app, ratio.image, undefined, gzipBomb(4, 1)), 400, /decompresses to more than/);
    await assertNothingKept(ratio.app, ratio.driver, ratio.image);
    assert.equal((await putLayer(ratio.app, ratio.image)).status, 200, 'an ordinary layer passes');

    const cap = await started({ v1: { maxLayerUncompressedBytes: 2 * 1024 * 1024 } });
    assertV1Error(await putLayer(cap.app, cap.image, undefined, gzipBomb(1, 3)), 400, /decompresses to more than 2097152 bytes/);
    await assertNothingKept(cap.app, cap.driver, cap.image);
  });

  it('bounds the time spent decompressing and hashing one layer', async () => {
    const { app, driver, image } = await started({ v1: { maxLayerExpansion: 100_000, layerDigestTimeout: '20ms' } });
    assertV1Error(await putLayer(app, image, undefined, gzipBomb(16, 32)), 400, /took longer than 20ms/);
    await assertNothingKept(app, driver, image);
  });

  it('takes the limits from config, with defaults, and refuses nonsense', () => {
    const defaults = registryConfigSchema.parse({ storage: { memory: {} } }).v1;
    assert.deepEqual(
      [defaults.maxLayerExpansion, defaults.layerExpansionAllowance, defaults.maxLayerUncompressedBytes, defaults.layerDigestTimeout],
      [100, 256 * 1024 * 1024, 32 * 1024 * 1024 * 1024, '5m'],
    );
    for (const v1 of [{ maxLayerExpansion: 0 }, { maxLayerExpansion: 1.5 }, { layerExpansionAllowance: -1 }, { maxLayerUncompressedBytes: 0 }, { layerDigestTimeout: 'soon' }]) {
      assert.equal(registryConfigSchema.safeParse({ storage: { memory: {} }, v1 }).success, false, JSON.stringify(v1));
    }
  });
});
