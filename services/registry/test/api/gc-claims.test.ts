// The HTTP side of online garbage collection's handshake: the requests a push relies on claim
// the content they reference (storage/blob-claims.ts); plain pulls write nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { StorageDriver } from '../../src/storage/driver/driver.js';
import { blobClaimPath } from '../../src/storage/paths.js';
import { buildRegistry, pushBlob } from './harness.js';

const bytes = Buffer.from('content a push re-uses');

async function claimTime(driver: StorageDriver, digest: string): Promise<number> {
  return (await driver.stat(blobClaimPath(digest))).modTime.getTime();
}

describe('claims made over the v2 API', () => {
  it('HEAD of a blob claims it; GET does not', async () => {
    const { app, driver } = await buildRegistry();
    const blob = await pushBlob(app, 'team/app', bytes);
    const afterPush = await claimTime(driver, blob.digest);
    await new Promise((resolve) => setTimeout(resolve, 15));
    assert.equal((await request(app).get(`/v2/team/app/blobs/${blob.digest}`)).status, 200);
    assert.equal(await claimTime(driver, blob.digest), afterPush, 'a pull leaves the claim alone');
    assert.equal((await request(app).head(`/v2/team/app/blobs/${blob.digest}`)).status, 200);
    assert.ok((await claimTime(driver, blob.digest)) > afterPush, 'the HEAD renewed the claim');
  });

  it('a cross-repository mount claims the blob it links', async () => {
    const { app, driver } = await buildRegistry();
    const blob = await pushBlob(app, 'team/app', bytes);
    const afterPush = await claimTime(driver, blob.digest);
    await new Promise((resolve) => setTimeout(resolve, 15));
    const res = await request(app).post(`/v2/other/app/blobs/uploads/?mount=${blob.digest}&from=team/app`);
    assert.equal(res.status, 201);
    assert.ok((await claimTime(driver, blob.digest)) > afterPush);
  });
});
