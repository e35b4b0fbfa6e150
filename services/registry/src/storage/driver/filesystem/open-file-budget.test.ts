// Issue #12, item 1: the filesystem driver never holds more than storage.filesystem.maxOpenFiles
// descriptors, and streams cannot take the share brief operations need.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { RegistryError } from '@wharf/shared';
import { registryConfigSchema } from '../../../config/schema.js';
import { createConfiguredDriver } from '../drivers.js';
import { createFilesystemDriver, type FilesystemDriver } from './filesystem-driver.js';

const openFds = async (): Promise<number> => (await readdir('/proc/self/fd')).length;

/** The most descriptors this process had open while `run` ran, above what it had before. */
async function peakFdsDuring(run: () => Promise<unknown>): Promise<number> {
  const baseline = await openFds();
  let peak = baseline;
  let sampling = true;
  const sample = async (): Promise<void> => {
    while (sampling) {
      peak = Math.max(peak, await openFds());
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const sampler = sample();
  try {
    await run();
  } finally {
    sampling = false;
    await sampler;
  }
  return peak - baseline;
}

describe('filesystem driver: open-file budget', () => {
  let root: string;
  const files = Array.from({ length: 400 }, (_, i) => `/data/f${i}`);

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'wharf-fs-budget-'));
    const seed = createFilesystemDriver({ rootDirectory: root });
    for (const path of files) await seed.putContent(path, Buffer.from(path));
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('400 reads at once hold at most maxOpenFiles descriptors, and all succeed', async () => {
    const driver = createFilesystemDriver({ rootDirectory: root, maxOpenFiles: 8 });
    let contents: Buffer[] = [];
    const peak = await peakFdsDuring(async () => {
      contents = await Promise.all(files.map((path) => driver.getContent(path)));
    });
    assert.deepEqual(contents.map(String), files);
    // The sampler's own readdir of /proc/self/fd counts once.
    assert.ok(peak <= 8 + 1, `${peak} descriptors open at once`);
    assert.equal(driver.openFiles.inUse, 0);
  });

  it('streams take at most three quarters: a brief read still succeeds, an extra stream waits and is refused with 503', async () => {
    const driver = createFilesystemDriver({ rootDirectory: root, maxOpenFiles: 4, openFileWaitMs: 50 });
    const streams: Readable[] = [];
    for (let i = 0; i < 3; i++) streams.push(await driver.reader(files[i]!));
    await assert.rejects(driver.reader(files[3]!), (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.code, 'UNAVAILABLE');
      assert.equal(err.status, 503);
      assert.equal(err.headers['Retry-After'], '1');
      return true;
    });
    assert.equal(String(await driver.getContent(files[5]!)), files[5]);
    // A stream read to its end gives its descriptor back; so does one destroyed unread.
    for await (const chunk of streams[0]!) assert.ok(chunk);
    streams[1]!.destroy();
    await new Promise((resolve) => streams[1]!.once('close', resolve));
    const again = await driver.reader(files[6]!);
    again.destroy();
    streams[2]!.destroy();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(driver.openFiles.inUse, 0);
  });

  it('a reader of a missing file gives its descriptor back', async () => {
    const driver: FilesystemDriver = createFilesystemDriver({ rootDirectory: root, maxOpenFiles: 4, openFileWaitMs: 50 });
    for (let i = 0; i < 10; i++) await assert.rejects(driver.reader('/data/missing'));
    assert.equal(driver.openFiles.inUse, 0);
  });

  it('config: storage.filesystem.maxOpenFiles defaults to 512, openFileWait to 10s; fewer than 4 is refused', () => {
    const config = registryConfigSchema.parse({ storage: { filesystem: {} } });
    assert.equal(config.storage.filesystem?.maxOpenFiles, 512);
    assert.equal(config.storage.filesystem?.openFileWait, '10s');
    assert.equal(registryConfigSchema.parse({}).storage.filesystem?.maxOpenFiles, 512);
    assert.throws(() => registryConfigSchema.parse({ storage: { filesystem: { maxOpenFiles: 3 } } }));
  });

  it('config: the configured driver gets the configured budget', async () => {
    const config = registryConfigSchema.parse({ storage: { filesystem: { rootDirectory: root, maxOpenFiles: 7, openFileWait: '50ms' } } });
    const driver = (await createConfiguredDriver(config.storage)) as FilesystemDriver;
    assert.equal(driver.openFiles.capacity, 7);
    const streams = await Promise.all(Array.from({ length: 5 }, (_, i) => driver.reader(files[i]!)));
    await assert.rejects(driver.reader(files[5]!), /no file could be opened within 50 ms/);
    for (const stream of streams) stream.destroy();
  });
});
