// The catalog index with Distribution on the same storage: Distribution writes no markers, so
// Wharf first serving its storage rebuilds the index from the tree; a repository Distribution
// adds later appears after `wharf catalog rebuild`; and Distribution serves a tree holding
// Wharf's index directory without listing it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireClient } from '../helpers/clients.js';
import { startDistribution } from '../helpers/distribution.js';
import { uniqueName } from '../helpers/docker.js';
import { buildOciImage, writeOciLayout } from '../helpers/images.js';
import { cliMain, withoutWharfVars } from '../helpers/launch.js';
import { runOk } from '../helpers/process.js';
import { catalog } from '../helpers/registry-api.js';
import { skopeoCopy } from '../helpers/skopeo.js';
import { startWharf, type RegistryOptions, type RunningRegistry } from '../helpers/stack.js';

describe('catalog index over storage Distribution writes too', () => {
  const skip = requireClient('docker-registry', 'skopeo');
  let work: string;
  let dataDir: string;
  const prefix = uniqueName('catalog');
  const names = { first: `${prefix}/by-distribution`, later: `${prefix}/later/by-distribution`, wharf: `${prefix}/by-wharf` };

  /** Starts a registry on the shared directory, runs `check` against it, stops it. */
  async function withRegistry(start: (o: RegistryOptions) => Promise<RunningRegistry>, check: (r: RunningRegistry) => Promise<void>): Promise<void> {
    const registry = await start({ dataDir });
    try {
      await check(registry);
    } finally {
      await registry.stop();
    }
  }
  const push = (registry: RunningRegistry, name: string) =>
    skopeoCopy(`oci:${join(work, 'layout')}:v1`, `docker://${registry.host}/${name}:v1`);

  before(async () => {
    if (skip) return;
    work = await mkdtemp(join(tmpdir(), 'wharf-catalog-interop-'));
    dataDir = join(work, 'storage');
    await writeOciLayout(join(work, 'layout'), 'v1', buildOciImage(1, prefix));
  });

  after(async () => {
    if (skip) return;
    await rm(work, { recursive: true, force: true });
  });

  it('Wharf lists what Distribution pushed, building its index on first use', { skip }, async () => {
    await withRegistry(startDistribution, async (d) => {
      await push(d, names.first);
    });
    await withRegistry(startWharf, async (w) => {
      assert.deepEqual(await catalog(w.url), [names.first]);
      await push(w, names.wharf);
      assert.deepEqual(await catalog(w.url), [names.first, names.wharf].sort());
    });
  });

  it('a repository Distribution adds later appears after wharf catalog rebuild', { skip }, async () => {
    await withRegistry(startDistribution, async (d) => {
      await push(d, names.later);
      // Distribution walks repositories/ only: Wharf's _wharf/ index is not a repository to it.
      assert.deepEqual(await catalog(d.url), Object.values(names).sort());
    });
    await withRegistry(startWharf, async (w) => {
      assert.deepEqual(await catalog(w.url), [names.first, names.wharf].sort(), 'the index is trusted until rebuilt');
      const rebuilt = await runOk(process.execPath, [cliMain, 'catalog', 'rebuild'], {
        env: { ...withoutWharfVars(process.env), WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: dataDir },
      });
      assert.match(rebuilt.stdout, /: 3 repositories \(1 added, 0 removed\)/);
      assert.match(rebuilt.stdout, new RegExp(`\\+ ${names.later}`));
      assert.deepEqual(await catalog(w.url), Object.values(names).sort());
    });
  });
});
