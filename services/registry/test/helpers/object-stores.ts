// The object-storage drivers as tests of storage logic (GC, the notification queue) run them:
// the S3 driver on a fresh Ceph RGW bucket and the Azure driver on a fresh Azurite container.
// Both stores keep modification times to the second, which logic comparing file times against a
// cutoff must survive; `timeGrainMs` tells a test how far apart its moments must lie.
// Ceph skips visibly on a dev machine without it (an error under CI=true); Azurite always runs.
import { randomUUID } from 'node:crypto';
import type { StorageDriver } from '../../src/storage/driver/driver.js';
import { checked } from '../../src/storage/driver/checked.js';
import { createAzureDriver } from '../../src/storage/driver/azure/azure-driver.js';
import { createS3Driver } from '../../src/storage/driver/s3/s3-driver.js';
import { startAzurite, type Azurite } from '../azure/azurite.js';
import { freshBucket, removeBucket, requireCeph } from './ceph.js';

export interface ObjectStoreKind {
  name: string;
  /** Why this store cannot run here (the caller skips its tests with this reason). */
  skip: string | undefined;
  /** The resolution of the store's modification times. */
  timeGrainMs: number;
  create(): Promise<{ driver: StorageDriver; cleanup(): Promise<void> }>;
}

let azurite: Promise<Azurite> | undefined;
let azuriteUsers = 0;

export const objectStoreKinds: ObjectStoreKind[] = [
  {
    name: 's3 (Ceph RGW)',
    skip: requireCeph(),
    timeGrainMs: 1_000,
    async create() {
      const { s3, bucket } = await freshBucket('wharf-storage');
      const driver = createS3Driver({
        ...s3,
        bucket,
        forcePathStyle: true,
        rootDirectory: '/wharf-root',
        storageClass: 'STANDARD',
        encrypt: false,
        chunkSize: 5 * 1024 * 1024,
        redirectExpiryMs: 60_000,
      });
      return { driver: checked(driver), cleanup: () => removeBucket(s3, bucket) };
    },
  },
  {
    name: 'azure (Azurite)',
    skip: undefined,
    timeGrainMs: 1_000,
    async create() {
      azurite ??= startAzurite();
      azuriteUsers += 1;
      const { connectionString } = await azurite;
      const driver = await createAzureDriver({
        connectionString,
        container: `wharf-${randomUUID()}`,
        rootDirectory: '',
        createContainer: true,
        blockSize: 4 * 1024 * 1024,
        uploadConcurrency: 4,
        copyTimeoutMs: 30_000,
      });
      return {
        driver: checked(driver),
        // The emulator is shared by the drivers of one test file: the last cleanup stops it.
        cleanup: async () => {
          azuriteUsers -= 1;
          if (azuriteUsers === 0 && azurite) {
            const running = azurite;
            azurite = undefined;
            await (await running).stop();
          }
        },
      };
    },
  },
];
