import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checked } from '../checked.js';
import type { StorageDriver } from '../driver.js';
import { describeDriverSuite } from '../suite/driver-suite.js';
import { createFilesystemDriver } from './filesystem-driver.js';

const roots: string[] = [];

async function freshRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'wharf-fs-driver-'));
  roots.push(root);
  return root;
}

async function removeRoots(): Promise<void> {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

describeDriverSuite('filesystem', async () => createFilesystemDriver({ rootDirectory: await freshRoot() }), removeRoots);

describe('filesystem driver: putContent temporary files', () => {
  let root: string;
  let driver: StorageDriver;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'wharf-fs-driver-tmp-'));
    driver = checked(createFilesystemDriver({ rootDirectory: root }));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('never appear in list and never remain after putContent succeeds', async () => {
    const values = Array.from({ length: 16 }, (_, i) => Buffer.alloc(256 * 1024, i));
    let writing = true;
    const listings: string[][] = [];
    const lister = async (): Promise<void> => {
      while (writing) {
        listings.push(await driver.list('/dir'));
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await driver.putContent('/dir/value', Buffer.from('first'));
    const listing = lister();
    try {
      for (let round = 0; round < 5; round++) {
        await Promise.all(values.map((v) => driver.putContent('/dir/value', v)));
      }
    } finally {
      writing = false;
      await listing;
    }
    assert.ok(listings.length > 0);
    for (const entries of listings) assert.deepEqual(entries, ['/dir/value']);
    assert.deepEqual(await readdir(join(root, 'dir')), ['value']);
  });

  it('do not remain when putContent fails', async () => {
    await driver.putContent('/fail/occupied/child', Buffer.from('makes occupied a directory'));
    await assert.rejects(driver.putContent('/fail/occupied', Buffer.from('cannot replace a directory')));
    assert.deepEqual(await readdir(join(root, 'fail')), ['occupied']);
    assert.equal((await driver.getContent('/fail/occupied/child')).toString(), 'makes occupied a directory');
  });
});

describe('filesystem driver: abandoned readers', () => {
  it('release their file exactly once, so concurrent reads of other files never break', async () => {
    const driver = checked(createFilesystemDriver({ rootDirectory: await freshRoot() }));
    await driver.putContent('/big', Buffer.alloc(8 << 20, 1));
    const small = Array.from({ length: 16 }, (_, i) => Buffer.from(`small file ${i} `.repeat(200)));
    await Promise.all(small.map((data, i) => driver.putContent(`/small/${i}`, data)));
    const abandon = async () => {
      const stream = await driver.reader('/big');
      await new Promise<void>((resolve) => stream.once('data', () => resolve()));
      stream.destroy();
    };
    const readSmall = async (i: number) => {
      const chunks: Buffer[] = [];
      for await (const chunk of await driver.reader(`/small/${i}`)) chunks.push(chunk as Buffer);
      assert.deepEqual(Buffer.concat(chunks), small[i]);
    };
    for (let round = 0; round < 20; round++) {
      await Promise.all([...Array.from({ length: 4 }, abandon), ...small.map((_, i) => readSmall(i))]);
    }
  });
});
