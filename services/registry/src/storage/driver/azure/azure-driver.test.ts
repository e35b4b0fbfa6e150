import { randomUUID } from 'node:crypto';
import { describeDriverSuite } from '../suite/driver-suite.js';
import { startAzurite, type Azurite } from '../../../../test/azure/azurite.js';
import { createAzureDriver } from './azure-driver.js';

let azurite: Promise<Azurite> | undefined;

// Every driver gets its own container, so each starts empty.
describeDriverSuite(
  'azure (azurite)',
  async () => {
    azurite ??= startAzurite();
    const { connectionString } = await azurite;
    return createAzureDriver({
      connectionString,
      container: `suite-${randomUUID()}`,
      rootDirectory: '',
      createContainer: true,
      blockSize: 4 * 1024 * 1024,
      uploadConcurrency: 4,
      copyTimeoutMs: 30_000,
    });
  },
  async () => {
    await (await azurite)?.stop();
  },
);
