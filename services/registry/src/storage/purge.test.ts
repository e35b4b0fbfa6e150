import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { createMemoryDriver } from './driver/memory/memory-driver.js';
import { createRegistryStorage } from './registry-storage.js';
import { purgeUploads } from './purge.js';
import { uploadStartedAtPath } from './paths.js';

const hour = 3_600_000;

describe('purgeUploads', () => {
  it('removes uploads older than the age and keeps recent ones', async () => {
    const storage = createRegistryStorage(createMemoryDriver());
    const old = await storage.uploads.start('team/app');
    const recent = await storage.uploads.start('team/app');
    const other = await storage.uploads.start('solo');
    await storage.uploads.append('team/app', old.uuid, Readable.from([Buffer.from('partial')]));
    const longAgo = new Date(Date.now() - 200 * hour).toISOString();
    await storage.driver.putContent(uploadStartedAtPath('team/app', old.uuid), Buffer.from(longAgo));
    await storage.driver.putContent(uploadStartedAtPath('solo', other.uuid), Buffer.from(longAgo));

    const removed = await purgeUploads(storage.driver, storage.catalog, 168 * hour);

    assert.deepEqual(removed.sort(), [`solo/${other.uuid}`, `team/app/${old.uuid}`]);
    await assert.rejects(storage.uploads.status('team/app', old.uuid), { code: 'BLOB_UPLOAD_UNKNOWN' });
    assert.equal((await storage.uploads.status('team/app', recent.uuid)).size, 0);
  });

  it('finds uploads of repositories that have no blobs or manifests yet', async () => {
    const storage = createRegistryStorage(createMemoryDriver());
    const upload = await storage.uploads.start('fresh/repo');
    assert.deepEqual(await storage.catalog.repositories(), []);
    const removed = await purgeUploads(storage.driver, storage.catalog, hour, Date.now() + 2 * hour);
    assert.deepEqual(removed, [`fresh/repo/${upload.uuid}`]);
  });
});

describe('an interrupted upload', () => {
  it('never makes a blob visible, and a retry succeeds', async () => {
    const storage = createRegistryStorage(createMemoryDriver());
    const content = Buffer.alloc(1024 * 1024, 7);
    const { createHash } = await import('node:crypto');
    const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
    const session = await storage.uploads.start('demo/app');
    const broken = new Readable({
      read() {
        this.push(content.subarray(0, 4096));
        this.destroy(new Error('client went away'));
      },
    });
    await assert.rejects(storage.uploads.commit('demo/app', session.uuid, digest, broken));
    await assert.rejects(storage.blobs.stat('demo/app', digest), { code: 'BLOB_UNKNOWN' });
    assert.equal(await storage.blobs.statContent(digest), undefined);

    const retry = await storage.uploads.start('demo/app');
    const info = await storage.uploads.commit('demo/app', retry.uuid, digest, Readable.from([content]));
    assert.equal(info.size, content.length);
    assert.equal((await storage.blobs.stat('demo/app', digest)).size, content.length);
  });
});
