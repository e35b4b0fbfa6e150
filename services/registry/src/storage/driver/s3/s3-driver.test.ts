// The S3 driver against a real Ceph RADOS Gateway: the one conformance suite, unchanged, each
// driver in a fresh bucket (with a root prefix, as operators configure it).
import { describe } from 'node:test';
import { freshBucket, removeBucket, requireCeph, type CephS3 } from '../../../../test/helpers/ceph.js';
import { describeDriverSuite } from '../suite/driver-suite.js';
import { createS3Driver, type S3Driver } from './s3-driver.js';

async function s3TestDriver(buckets: { s3: CephS3; bucket: string }[], rootDirectory = '/wharf-root'): Promise<S3Driver> {
  const created = await freshBucket('wharf-driver');
  buckets.push(created);
  return createS3Driver({
    ...created.s3,
    bucket: created.bucket,
    forcePathStyle: true,
    rootDirectory,
    storageClass: 'STANDARD',
    encrypt: false,
    chunkSize: 5 * 1024 * 1024,
    redirectExpiryMs: 60_000,
  });
}

const skip = requireCeph();
if (skip) {
  describe('storage driver conformance: s3 (Ceph RGW)', { skip }, () => {});
} else {
  const buckets: { s3: CephS3; bucket: string }[] = [];
  describeDriverSuite('s3 (Ceph RGW)', () => s3TestDriver(buckets), async () => {
    await Promise.all(buckets.splice(0).map((b) => removeBucket(b.s3, b.bucket)));
  });
}
