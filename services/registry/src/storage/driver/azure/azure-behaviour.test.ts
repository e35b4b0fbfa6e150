// What the shared suite cannot see of the Azure driver: writer state lives in Azure (a new driver
// instance, as after a restart, resumes from the committed block list), streams are cut into
// blocks of blockSize, an interrupted append keeps exactly what stat reports, and rootDirectory
// keeps two registries in one container apart.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { startAzurite, type Azurite } from '../../../../test/azure/azurite.js';
import { checked } from '../checked.js';
import type { StorageDriver } from '../driver.js';
import { createAzureDriver, serviceClient, type AzureParams } from './azure-driver.js';

const KiB = 1024;

describe('azure driver on Azurite', () => {
  let azurite: Azurite;
  let base: AzureParams;

  before(async () => {
    azurite = await startAzurite();
    base = {
      connectionString: azurite.connectionString,
      container: `behaviour-${randomUUID()}`,
      rootDirectory: 'wharf',
      createContainer: true,
      blockSize: 4 * KiB,
      uploadConcurrency: 3,
      copyTimeoutMs: 10_000,
    };
  });

  after(async () => {
    await azurite?.stop();
  });

  const open = async (params: Partial<AzureParams> = {}): Promise<StorageDriver> => checked(await createAzureDriver({ ...base, ...params }));

  it('cuts a stream into blocks and a new driver instance resumes after them', async () => {
    const first = randomBytes(10 * KiB + 7);
    const second = randomBytes(5 * KiB);
    const path = '/uploads/resume/data';
    const writer = await (await open()).writer(path, false);
    assert.equal(await writer.append(Readable.from([first])), first.length);
    await writer.close();

    const blob = serviceClient(base).getContainerClient(base.container).getBlockBlobClient('wharf/uploads/resume/data');
    const committed = (await blob.getBlockList('committed')).committedBlocks ?? [];
    assert.deepEqual(committed.map((b) => b.size), [4 * KiB, 4 * KiB, 2 * KiB + 7]);

    // A fresh instance: nothing in memory, only what Azure holds.
    const restarted = await open();
    assert.equal((await restarted.stat(path)).size, first.length);
    const resumed = await restarted.writer(path, true);
    assert.equal(resumed.size, first.length);
    await resumed.append(Readable.from([second]));
    await resumed.commit();
    assert.deepEqual(await restarted.getContent(path), Buffer.concat([first, second]));
  });

  it('keeps, after a failed append, exactly the blocks stat and a resumed writer report', async () => {
    const driver = await open();
    const path = '/uploads/broken/data';
    const good = randomBytes(9 * KiB);
    const writer = await driver.writer(path, false);
    async function* breaking(): AsyncGenerator<Buffer> {
      yield good;
      throw new Error('client went away');
    }
    await assert.rejects(writer.append(Readable.from(breaking())), /client went away/);
    await writer.close();
    const size = (await driver.stat(path)).size;
    // The blocks staged before the failure are kept, in order; the bytes after them are not.
    assert.equal(size, writer.size);
    assert.deepEqual(await driver.getContent(path), good.subarray(0, size));
    const resumed = await (await open()).writer(path, true);
    assert.equal(resumed.size, size);
    await resumed.cancel();
  });

  it('keeps two root directories in one container apart', async () => {
    const a = await open({ rootDirectory: 'one' });
    const b = await open({ rootDirectory: '/two/' });
    await a.putContent('/same/path', Buffer.from('a'));
    await b.putContent('/same/path', Buffer.from('b'));
    assert.equal((await a.getContent('/same/path')).toString(), 'a');
    assert.equal((await b.getContent('/same/path')).toString(), 'b');
    await a.delete('/same');
    assert.deepEqual(await a.list('/'), []);
    assert.deepEqual(await b.list('/'), ['/same']);
  });
});
