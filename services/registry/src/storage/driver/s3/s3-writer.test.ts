// What the S3 driver does beyond the shared suite, against a real Ceph RGW: writers resume from
// state kept in S3 alone (a new driver = a restarted process), survive a crash between a part and
// its journal, leave no multipart upload behind when deleted or purged; keys sit under the root
// prefix in Distribution's layout; redirect URLs serve the bytes.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { freshBucket, removeBucket, requireCeph, type CephS3 } from '../../../../test/helpers/ceph.js';
import { checked } from '../checked.js';
import { isPathNotFound, type StorageDriver } from '../driver.js';
import { createRegistryStorage } from '../../registry-storage.js';
import { purgeUploads } from '../../purge.js';
import { uploadDataPath, uploadStartedAtPath } from '../../paths.js';
import { MiB } from './part-size.js';
import { createS3Client } from './s3-client.js';
import { createS3Driver } from './s3-driver.js';
import { journalSuffix, openWriter } from './s3-writer.js';

const skip = requireCeph();
const root = 'wharf-root';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('S3 driver on Ceph RGW: state in S3', { skip }, () => {
  let s3: CephS3;
  let bucket: string;
  let raw: S3Client;
  const drivers: StorageDriver[] = [];
  /** A new driver with its own client and no memory of the others: a restarted registry. */
  const restart = (): StorageDriver => {
    const driver = checked(
      createS3Driver({ ...s3, bucket, forcePathStyle: true, rootDirectory: `/${root}`, storageClass: 'STANDARD', encrypt: false, chunkSize: 5 * MiB, redirectExpiryMs: 60_000 }),
    );
    drivers.push(driver);
    return driver;
  };
  const uploadsOf = async (prefix: string) =>
    (await raw.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `${root}${prefix}` }))).Uploads ?? [];

  before(async () => {
    ({ s3, bucket } = await freshBucket('wharf-s3'));
    raw = createS3Client({ ...s3, forcePathStyle: true });
  });

  after(async () => {
    await Promise.all(drivers.map((d) => d.close?.()));
    raw?.destroy();
    if (bucket) await removeBucket(s3, bucket);
  });

  it('resumes a multipart upload after a restart, with small appends staged until they fill a part', { timeout: 120_000 }, async () => {
    const path = '/resume/_uploads/u1/data';
    const pieces = [randomBytes(7 * MiB), randomBytes(1000), randomBytes(3 * MiB), randomBytes(123)];
    const whole = Buffer.concat(pieces);
    let writer = await restart().writer(path, false);
    for (const [i, piece] of pieces.entries()) {
      if (i > 0) writer = await restart().writer(path, true);
      assert.equal(writer.size, pieces.slice(0, i).reduce((n, p) => n + p.length, 0));
      await writer.append(Readable.from([piece]));
      await writer.close();
      // Between requests everything is in S3: a fresh driver sees the size.
      assert.equal((await restart().stat(path)).size, writer.size);
    }
    const uploads = await uploadsOf('/resume/');
    assert.equal(uploads.length, 1, 'one multipart upload in progress, found by ListMultipartUploads');
    assert.deepEqual(await restart().list('/resume/_uploads/u1'), [path]);
    await (await restart().writer(path, true)).commit();
    const read = await readAll(await restart().reader(path));
    assert.equal(createHash('sha256').update(read).digest('hex'), createHash('sha256').update(whole).digest('hex'));
    assert.deepEqual(await uploadsOf('/resume/'), []);
    const keys = (await raw.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${root}/resume/` }))).Contents?.map((o) => o.Key);
    assert.deepEqual(keys, [`${root}/resume/_uploads/u1/data`], 'the journal is gone after commit');
  });

  it('resumes from its cached journal only while no other instance has changed it', { timeout: 120_000 }, async () => {
    // Two long-lived instances take turns on one upload; each keeps the journal it last saved.
    const path = '/turns/_uploads/u1/data';
    const [a, b] = [restart(), restart()];
    // Tails that stay empty or equal in length too: only the metadata tells the journals apart.
    const pieces = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1000), randomBytes(1000), randomBytes(2 * MiB), randomBytes(3 * MiB)];
    await (await a.writer(path, false)).close();
    for (const [i, piece] of pieces.entries()) {
      const writer = await (i % 2 === 0 ? a : b).writer(path, true);
      assert.equal(writer.size, pieces.slice(0, i).reduce((n, p) => n + p.length, 0));
      await writer.append(Readable.from([piece]));
      await writer.close();
    }
    await (await a.writer(path, true)).commit();
    assert.deepEqual(await restart().getContent(path), Buffer.concat(pieces));
  });

  it('ignores a part uploaded after the last journal (a crash between the two)', { timeout: 120_000 }, async () => {
    const path = '/crash/data';
    const first = randomBytes(6 * MiB);
    const writer = await restart().writer(path, false);
    await writer.append(Readable.from([first]));
    await writer.close();
    const journal = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: `${root}${path}${journalSuffix}` }));
    const uploadId = journal.Metadata?.['upload-id'];
    assert.ok(uploadId);
    assert.equal(journal.Metadata?.parts, '1');
    // The process uploaded part 2 and died before saving the journal.
    await raw.send(new UploadPartCommand({ Bucket: bucket, Key: `${root}${path}`, UploadId: uploadId, PartNumber: 2, Body: Buffer.alloc(5 * MiB, 1) }));
    const resumed = await restart().writer(path, true);
    assert.equal(resumed.size, first.length);
    const second = Buffer.from('after the crash');
    await resumed.append(Readable.from([second]));
    await resumed.commit();
    assert.deepEqual(await restart().getContent(path), Buffer.concat([first, second]));
  });

  it('keeps every byte when a part upload fails mid-append: the size says where to resume', { timeout: 120_000 }, async () => {
    const key = `${root}/failing/data`;
    const content = randomBytes(17 * MiB);
    const failing = createS3Client({ ...s3, forcePathStyle: true });
    let uploads = 0;
    failing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand' && ++uploads === 2) throw new Error('injected part failure');
        return next(args);
      },
      { step: 'initialize' },
    );
    try {
      const store = { client: failing, bucket, chunkSize: 5 * MiB, write: {} };
      const writer = await openWriter(store, key, false);
      const mebibytes = Array.from({ length: 17 }, (_, i) => content.subarray(i * MiB, (i + 1) * MiB));
      await assert.rejects(writer.append(Readable.from(mebibytes)), /injected part failure/);
      assert.ok(writer.size >= 5 * MiB && writer.size <= content.length, `size ${writer.size}`);
    } finally {
      failing.destroy();
    }
    const resumed = await restart().writer('/failing/data', true);
    const held = resumed.size;
    await resumed.append(Readable.from([content.subarray(held)]));
    await resumed.commit();
    assert.ok((await restart().getContent('/failing/data')).equals(content));
  });

  it('finishes a commit that completed the upload and died before removing the journal', { timeout: 60_000 }, async () => {
    const path = '/half-committed/data';
    const content = randomBytes(5 * MiB);
    const writer = await restart().writer(path, false);
    await writer.append(Readable.from([content]));
    await writer.close();
    const key = `${root}${path}`;
    const journal = await raw.send(new GetObjectCommand({ Bucket: bucket, Key: key + journalSuffix }));
    const uploadId = journal.Metadata?.['upload-id'];
    const parts = await raw.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    await raw.send(
      new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts.Parts?.map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag })) } }),
    );
    const again = await restart().writer(path, true);
    assert.equal(again.size, content.length);
    await again.commit();
    assert.deepEqual(await restart().getContent(path), content);
    assert.deepEqual(await restart().list('/half-committed'), [path]);
    await assert.rejects(raw.send(new GetObjectCommand({ Bucket: bucket, Key: key + journalSuffix })), { name: 'NoSuchKey' });
  });

  it('aborts the multipart uploads of writers below a deleted directory', { timeout: 60_000 }, async () => {
    const writer = await restart().writer('/gone/_uploads/u2/data', false);
    await writer.append(Readable.from([randomBytes(5 * MiB + 10)]));
    await writer.close();
    assert.equal((await uploadsOf('/gone/')).length, 1);
    await restart().delete('/gone/_uploads/u2');
    assert.deepEqual(await uploadsOf('/gone/'), []);
    await assert.rejects(restart().stat('/gone/_uploads/u2/data'), { kind: 'PathNotFound' });
  });

  it('purge aborts abandoned multipart uploads older than the age, and only those', { timeout: 60_000 }, async () => {
    const storage = createRegistryStorage(restart());
    const session = await storage.uploads.start('purge/app');
    await storage.uploads.append('purge/app', session.uuid, Readable.from([randomBytes(5 * MiB + 1)]));
    // A writer whose upload directory is gone (its process died mid-delete): only S3 knows it.
    const orphan = await restart().writer('/docker/registry/v2/orphan/data', false);
    await orphan.append(Readable.from([randomBytes(5 * MiB)]));
    const hour = 3_600_000;
    assert.deepEqual(await purgeUploads(storage.driver, storage.catalog, hour), [], 'nothing is an hour old yet');
    assert.equal((await uploadsOf('/docker/')).length, 2);

    const removed = await purgeUploads(storage.driver, storage.catalog, hour, Date.now() + 2 * hour);
    assert.deepEqual(removed.sort(), ['/docker/registry/v2/orphan/data', `purge/app/${session.uuid}`]);
    assert.deepEqual(await uploadsOf('/docker/'), []);
    await assert.rejects(storage.driver.stat(uploadStartedAtPath('purge/app', session.uuid)), { kind: 'PathNotFound' });
    await assert.rejects(storage.driver.stat(uploadDataPath('purge/app', session.uuid)), { kind: 'PathNotFound' });
  });

  it('asks the store for stat("/"), so a bucket that does not answer fails the health check', async () => {
    const missing = checked(
      createS3Driver({ ...s3, bucket: `${bucket}-missing`, forcePathStyle: true, rootDirectory: '', storageClass: 'STANDARD', encrypt: false, chunkSize: 5 * MiB, redirectExpiryMs: 60_000 }),
    );
    drivers.push(missing);
    await assert.rejects(missing.stat('/'), (err: unknown) => !isPathNotFound(err) && (err as { name?: string }).name === 'NoSuchBucket');
    assert.equal((await restart().stat('/')).isDirectory, true);
  });

  it('keeps every key under the root prefix, with no directory marker objects', async () => {
    const driver = restart();
    await driver.putContent('/layout/a/b/file', Buffer.from('x'));
    const res = await raw.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${root}/layout` }));
    assert.deepEqual(res.Contents?.map((o) => o.Key), [`${root}/layout/a/b/file`]);
    assert.deepEqual(await driver.list('/'), (await driver.list('/')).filter((p) => !p.includes(root)));
  });

  it('gives presigned GET and HEAD URLs that serve the object', async () => {
    const driver = restart();
    const content = randomBytes(4096);
    await driver.putContent('/redirect/blob', content);
    const get = await driver.redirectURL!('/redirect/blob', 'GET');
    assert.ok(get?.includes('X-Amz-Signature='));
    const res = await fetch(get!);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), content);
    const head = await fetch((await driver.redirectURL!('/redirect/blob', 'HEAD'))!, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(content.length));
    assert.equal((await fetch(get!, { method: 'HEAD' })).status, 403, 'a GET signature does not sign a HEAD');
  });
});
