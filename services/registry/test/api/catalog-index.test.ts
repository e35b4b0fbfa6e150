// The catalog index: /v2/_catalog is one flat list of markers kept beside Distribution's tree,
// written on a repository's first write and removed with its data; repositories another program
// wrote are picked up by a rebuild (automatic when the index is missing or older, or on demand).
// On the memory driver, S3 (Ceph RGW) and Azure (Azurite); the marker-age case on the filesystem.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { catalogIndexVersion } from '../../src/storage/catalog-index.js';
import { createFilesystemDriver } from '../../src/storage/driver/filesystem/filesystem-driver.js';
import { createMemoryDriver } from '../../src/storage/driver/memory/memory-driver.js';
import {
  catalogIndexPath,
  catalogIndexStatePath,
  catalogMarkerPath,
  layerLinkPath,
  manifestRevisionLinkPath,
  repositoryPath,
  rootPath,
} from '../../src/storage/paths.js';
import type { StorageDriver } from '../../src/storage/driver/driver.js';
import { objectStoreKinds } from '../helpers/object-stores.js';
import { buildRegistry, pushBlob, pushImage, recordingDriver } from './harness.js';

async function catalog(app: Express, query = ''): Promise<{ names: string[]; link: string | undefined }> {
  const res = await request(app).get(`/v2/_catalog${query}`);
  assert.equal(res.status, 200);
  return { names: (res.body as { repositories: string[] }).repositories, link: res.headers.link as string | undefined };
}

const digestA = `sha256:${'a'.repeat(64)}`;

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

const kinds: { name: string; skip: string | undefined; make(): Promise<StorageDriver> }[] = [
  { name: 'memory', skip: undefined, make: async () => createMemoryDriver() },
  ...objectStoreKinds.map((kind) => ({
    name: kind.name,
    skip: kind.skip,
    make: async () => {
      const { driver, cleanup } = await kind.create();
      cleanups.push(cleanup);
      return driver;
    },
  })),
];

for (const kind of kinds) describe(`catalog index (${kind.name})`, { skip: kind.skip }, () => {
  const fresh = async () => buildRegistry({ driver: await kind.make() });

  it('keeps one flat marker per repository, nested names included, outside repositories/', async () => {
    const { app, driver } = await fresh();
    for (const name of ['a/b/c', 'a/b', 'a', 'team/app']) await pushImage(app, name, { tag: 'latest' });
    await pushBlob(app, 'layers/only', 'a layer and no manifest');
    const markers = (await driver.list(catalogIndexPath)).sort();
    assert.deepEqual(markers, ['a', 'a:b', 'a:b:c', 'layers:only', 'team:app'].map((m) => `${catalogIndexPath}/${m}`));
    assert.deepEqual((await catalog(app)).names, ['a', 'a/b', 'a/b/c', 'layers/only', 'team/app']);
    // Distribution's tree holds no trace of the index.
    assert.ok(!(await driver.list(`${rootPath}/repositories`)).some((p) => p.includes('_wharf')));
  });

  it('serves the catalog with one list once the index is current, whatever the tree holds', async () => {
    const recorded = recordingDriver(await kind.make());
    const { app } = await buildRegistry({ driver: recorded.driver });
    for (let i = 0; i < 20; i++) await pushImage(app, `ns${i % 4}/deep/repo${i}`, { tag: 'v1' });
    await catalog(app); // the first request finds no state file and builds the index
    recorded.calls.length = 0;
    const { names } = await catalog(app);
    assert.equal(names.length, 20);
    assert.deepEqual(recorded.calls, [`list ${catalogIndexPath}`]);
  });

  it('paginates the index exactly as before: n, last and the Link header', async () => {
    const { app } = await fresh();
    const repos = ['x/y', 'x', 'x-y', 'x/y/z', 'x0'];
    for (const name of repos) await pushImage(app, name, { tag: 'latest' });
    const sorted = [...repos].sort();
    const seen: string[] = [];
    let query: string | undefined = '?n=2';
    for (let pages = 0; query !== undefined && pages < 10; pages++) {
      const page = await catalog(app, query);
      seen.push(...page.names);
      query = page.link ? /^<\/v2\/_catalog(\?[^>]+)>; rel="next"$/.exec(page.link)?.[1] : undefined;
    }
    assert.deepEqual(seen, sorted);
    assert.deepEqual((await catalog(app, `?last=${encodeURIComponent('x/y')}`)).names, sorted.filter((r) => r > 'x/y'));
  });

  it('drops the markers of deleted repositories, nested ones with their parent directory', async () => {
    const { app, registry } = await fresh();
    for (const name of ['keep', 'gone/one', 'gone/one/two', 'gone/three']) await pushImage(app, name, { tag: 'latest' });
    const { storage } = registry;
    // Deleting one repository's data directories (as the v1 DELETE does) drops its marker only.
    await storage.driver.delete(`${repositoryPath('gone/three')}/_manifests`);
    assert.ok((await catalog(app)).names.includes('gone/three'), 'still has _layers');
    await storage.driver.delete(`${repositoryPath('gone/three')}/_layers`);
    assert.deepEqual((await catalog(app)).names, ['gone/one', 'gone/one/two', 'keep']);
    // Deleting a directory of repositories drops every marker below it.
    await storage.driver.delete(repositoryPath('gone'));
    assert.deepEqual((await catalog(app)).names, ['keep']);
  });

  it('rebuilds when the index is missing or older, adding what another program wrote', async () => {
    const { app, driver } = await fresh();
    await pushImage(app, 'wharf/pushed', { tag: 'latest' });
    assert.deepEqual((await catalog(app)).names, ['wharf/pushed']);
    // Distribution writes straight into the tree: no marker.
    await driver.putContent(manifestRevisionLinkPath('distribution/pushed', digestA), Buffer.from(digestA));
    // A fresh instance over storage whose index is of an older version rebuilds on first use.
    await driver.putContent(catalogIndexStatePath, Buffer.from(JSON.stringify({ version: catalogIndexVersion - 1 })));
    const restarted = await buildRegistry({ driver });
    assert.deepEqual((await catalog(restarted.app)).names, ['distribution/pushed', 'wharf/pushed']);
    const state = JSON.parse((await driver.getContent(catalogIndexStatePath)).toString()) as { version: number };
    assert.equal(state.version, catalogIndexVersion);
    // Once current, the index is trusted: later foreign writes wait for an explicit rebuild.
    await driver.putContent(layerLinkPath('distribution/later', digestA), Buffer.from(digestA));
    assert.deepEqual((await catalog(restarted.app)).names, ['distribution/pushed', 'wharf/pushed']);
    const result = await restarted.registry.storage.catalog.rebuildIndex();
    assert.deepEqual(result, { repositories: 3, added: ['distribution/later'], removed: [] });
    assert.deepEqual((await catalog(restarted.app)).names, ['distribution/later', 'distribution/pushed', 'wharf/pushed']);
  });
});

describe('catalog index (filesystem: marker ages)', () => {
  it('rebuild removes old markers of repositories that hold nothing, and keeps fresh ones', async () => {
    const root = await mkdtemp(join(tmpdir(), 'wharf-catalog-index-'));
    try {
      const { app, driver, registry } = await buildRegistry({ driver: createFilesystemDriver({ rootDirectory: root }) });
      await pushImage(app, 'real', { tag: 'latest' });
      await catalog(app);
      // A repository Distribution deleted: its marker stays behind, last written an hour ago.
      await driver.putContent(catalogMarkerPath('removed/elsewhere'), Buffer.from('removed/elsewhere'));
      const hourAgo = new Date(Date.now() - 3600_000);
      await utimes(join(root, catalogMarkerPath('removed/elsewhere')), hourAgo, hourAgo);
      // A marker just written by a push that has not linked anything yet.
      await driver.putContent(catalogMarkerPath('push/in-flight'), Buffer.from('push/in-flight'));
      const result = await registry.storage.catalog.rebuildIndex();
      assert.deepEqual(result.removed, ['removed/elsewhere']);
      assert.deepEqual((await catalog(app)).names, ['push/in-flight', 'real']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
