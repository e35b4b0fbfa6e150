// Ceph RGW for the e2e and interop tests: the registry workspace's helper (one implementation,
// loaded from its build, which `npm run build` makes first), plus what a registry process needs.
import { join } from 'node:path';
import type * as RegistryCeph from '../../services/registry/test/helpers/ceph.js';
import { repoRoot } from './launch.js';

export type CephS3 = RegistryCeph.CephS3;

/** Where a registry keeps its data in S3. */
export interface S3Storage extends CephS3 {
  bucket: string;
  /** Key prefix (Distribution's rootdirectory); '/wharf' by default. */
  rootDirectory?: string;
}

const helper = (): Promise<typeof RegistryCeph> => import(join(repoRoot, 'services/registry/dist/test/helpers/ceph.js'));

/** Skip reason, or with CI=true an exception, when Ceph cannot be started here. */
export async function requireCeph(): Promise<string | undefined> {
  return (await helper()).requireCeph();
}

/** A fresh bucket on the shared Ceph cluster (started if need be). */
export async function freshS3Storage(prefix: string): Promise<S3Storage> {
  const { s3, bucket } = await (await helper()).freshBucket(prefix);
  return { ...s3, bucket, rootDirectory: '/wharf' };
}

export async function removeS3Storage(storage: S3Storage): Promise<void> {
  await (await helper()).removeBucket(storage, storage.bucket);
}
