// A real Ceph RADOS Gateway for the S3 driver's tests: test/tools/ceph-rgw.sh `up` (started once
// per test process, shared by every test process on the machine, never taken down here) and a
// fresh bucket per caller. Without the Ceph packages a dev machine skips, naming them; CI=true
// makes that an error. Test files start in parallel processes: the script takes a lock, so the
// first creates the cluster and the others find it running.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
} from '@aws-sdk/client-s3';
import { createS3Client } from '../../src/storage/driver/s3/s3-client.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
/** The repository's Ceph script (test/tools/ceph-rgw.sh). */
export const cephScript = join(repoRoot, 'test/tools/ceph-rgw.sh');

export interface CephS3 {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
}

/** What is missing to run Ceph here (the script names the Debian packages), or undefined. */
function cephMissing(): string | undefined {
  try {
    execFileSync('bash', [cephScript, 'check'], { stdio: 'pipe', timeout: 10_000 });
    return undefined;
  } catch (err) {
    const stdout = (err as { stdout?: Buffer }).stdout?.toString().trim();
    return stdout || `${cephScript} check failed: ${(err as Error).message}`;
  }
}

/** A skip reason (or with CI=true an exception) when Ceph cannot run here. */
export function requireCeph(): string | undefined {
  const reason = cephMissing();
  if (reason && process.env.CI === 'true') throw new Error(`CI=true and Ceph is unavailable: ${reason}`);
  return reason;
}

let started: Promise<CephS3> | undefined;

/** ceph-rgw.sh's state directory (its default unless WHARF_CEPH_DIR says otherwise). */
function cephStateDir(): string {
  return process.env.WHARF_CEPH_DIR ?? '/tmp/wharf-ceph';
}

/** Starts (or finds) the shared cluster; its S3 endpoint and credentials. */
export function cephS3(): Promise<CephS3> {
  started ??= (async () => {
    const { stdout } = await promisify(execFile)('bash', [cephScript, 'up'], { timeout: 900_000, maxBuffer: 16 << 20 });
    const value = (name: string): string => {
      const match = new RegExp(`${name}=['"]?([^'"\\s]+)`).exec(stdout);
      if (!match?.[1]) throw new Error(`ceph-rgw.sh up printed no ${name}:\n${stdout}`);
      return match[1];
    };
    return {
      endpoint: value('WHARF_S3_ENDPOINT'),
      accessKey: value('WHARF_S3_ACCESS_KEY'),
      secretKey: value('WHARF_S3_SECRET_KEY'),
      region: value('WHARF_S3_REGION'),
    };
  })();
  return started;
}

function clientFor(s3: CephS3) {
  return createS3Client({ ...s3, forcePathStyle: true });
}

/** Creates an empty bucket no one else uses. */
export async function freshBucket(prefix = 'wharf-test'): Promise<{ s3: CephS3; bucket: string }> {
  const s3 = await cephS3();
  const bucket = `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const client = clientFor(s3);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  return { s3, bucket };
}

/** Empties and removes a bucket (objects and incomplete multipart uploads). */
export async function removeBucket(s3: CephS3, bucket: string): Promise<void> {
  const client = clientFor(s3);
  try {
    for (let page = 0; page < 100_000; page++) {
      const res = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      const keys = (res.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length === 0) break;
      await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    }
    const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    for (const u of uploads.Uploads ?? []) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
    }
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
  await reclaimDeletedSpace();
}

/**
 * RGW frees a deleted object's space only after its garbage collector's wait (2 h by default), so
 * a test run that writes GBs (the 2 GiB blob, the bench) would fill the cluster's 8 GiB OSD and
 * stall every later write. Processing the GC queue now keeps the space a run needs bounded.
 * Best effort: without radosgw-admin (another S3) there is nothing to do.
 */
async function reclaimDeletedSpace(): Promise<void> {
  const conf = join(cephStateDir(), 'ceph.conf');
  if (!existsSync(conf)) return;
  await promisify(execFile)('radosgw-admin', ['-c', conf, 'gc', 'process', '--include-all'], { timeout: 120_000 }).catch(() => undefined);
}
