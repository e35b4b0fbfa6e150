// Wharf and CNCF Distribution share one on-disk layout and one S3 bucket layout: what one wrote,
// the other serves (filesystem drivers on one directory; s3 drivers on one Ceph bucket and prefix).
// Each direction pushes a tagged single-platform image and a two-platform OCI index with skopeo
// to the first registry, stops it, starts the second on the SAME root directory and checks the
// catalog, tags, manifests (by tag and by digest, byte for byte), blobs, and a skopeo copy out.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshS3Storage, removeS3Storage, requireCeph, type S3Storage } from '../helpers/ceph.js';
import { requireClient } from '../helpers/clients.js';
import { startDistribution } from '../helpers/distribution.js';
import { uniqueName } from '../helpers/docker.js';
import { buildOciImage, buildOciIndex, sha256, writeOciLayout, type BuiltImage } from '../helpers/images.js';
import { catalog, getBlob, getManifest, tags } from '../helpers/registry-api.js';
import { withLogs } from '../helpers/process.js';
import { skopeoCopy } from '../helpers/skopeo.js';
import { startWharf, type RegistryOptions, type RunningRegistry } from '../helpers/stack.js';

type Start = (opts: RegistryOptions) => Promise<RunningRegistry>;

/** One repository as pushed: its tags, what each tag names, and every manifest and blob in it. */
interface Repo {
  name: string;
  layout: string;
  layoutTag: string;
  tags: Map<string, string>;
  manifests: Map<string, Buffer>;
  blobs: Map<string, Buffer>;
  all: boolean;
}

function imageContent(image: BuiltImage, manifests: Map<string, Buffer>, blobs: Map<string, Buffer>): void {
  manifests.set(image.manifestDigest, image.manifest);
  blobs.set(image.configDigest, image.config);
  for (const layer of image.layers) blobs.set(layer.digest, layer.gzip);
}

async function fixtures(work: string, prefix: string): Promise<Repo[]> {
  const single = buildOciImage(3, `${prefix}-single`);
  const index = buildOciIndex(`${prefix}-multi`, ['amd64', 'arm64']);
  const singleRepo: Repo = {
    name: `interop/${prefix}-single`,
    layout: join(work, 'single'),
    layoutTag: 'v1',
    tags: new Map([['v1', single.manifestDigest], ['v2', single.manifestDigest]]),
    manifests: new Map(),
    blobs: new Map(),
    all: false,
  };
  imageContent(single, singleRepo.manifests, singleRepo.blobs);
  const indexRepo: Repo = {
    name: `interop/${prefix}-multi`,
    layout: join(work, 'multi'),
    layoutTag: 'latest',
    tags: new Map([['latest', index.indexDigest]]),
    manifests: new Map([[index.indexDigest, index.index]]),
    blobs: new Map(),
    all: true,
  };
  for (const { image } of index.images) imageContent(image, indexRepo.manifests, indexRepo.blobs);
  await writeOciLayout(singleRepo.layout, singleRepo.layoutTag, single);
  await writeOciLayout(indexRepo.layout, indexRepo.layoutTag, index);
  return [singleRepo, indexRepo];
}

async function push(registry: RunningRegistry, repos: Repo[]): Promise<void> {
  for (const repo of repos) {
    for (const tag of repo.tags.keys()) {
      const extra = repo.all ? ['--all'] : [];
      await skopeoCopy(`oci:${repo.layout}:${repo.layoutTag}`, `docker://${registry.host}/${repo.name}:${tag}`, ...extra);
    }
  }
}

async function assertCatalogAndTags(registry: RunningRegistry, repos: Repo[]): Promise<void> {
  assert.deepEqual(await catalog(registry.url), repos.map((r) => r.name).sort());
  for (const repo of repos) assert.deepEqual((await tags(registry.url, repo.name)).sort(), [...repo.tags.keys()].sort());
}

async function assertManifests(registry: RunningRegistry, repos: Repo[]): Promise<void> {
  for (const repo of repos) {
    for (const [tag, digest] of repo.tags) {
      const res = await getManifest(registry.url, repo.name, tag);
      assert.equal(res.status, 200, `${repo.name}:${tag}: ${res.body.toString('utf8')}`);
      assert.equal(res.headers.get('docker-content-digest'), digest, `${repo.name}:${tag}`);
      assert.ok(res.body.equals(repo.manifests.get(digest)!), `${repo.name}:${tag} bytes differ`);
    }
    for (const [digest, bytes] of repo.manifests) {
      const res = await getManifest(registry.url, repo.name, digest);
      assert.equal(res.status, 200, `${repo.name}@${digest}`);
      assert.equal(res.headers.get('docker-content-digest'), digest);
      assert.ok(res.body.equals(bytes), `${repo.name}@${digest} bytes differ`);
    }
  }
}

async function assertBlobs(registry: RunningRegistry, repos: Repo[]): Promise<void> {
  for (const repo of repos) {
    for (const [digest, bytes] of repo.blobs) {
      const res = await getBlob(registry.url, repo.name, digest);
      assert.equal(res.status, 200, `${repo.name} blob ${digest}`);
      assert.equal(sha256(res.body), digest);
      assert.ok(res.body.equals(bytes), `${repo.name} blob ${digest} differs`);
    }
  }
}

async function assertSkopeoCopiesOut(registry: RunningRegistry, repos: Repo[], work: string): Promise<void> {
  for (const repo of repos) {
    const [tag, digest] = [...repo.tags][0]!;
    const out = join(work, uniqueName('out'));
    await skopeoCopy(`docker://${registry.host}/${repo.name}:${tag}`, `oci:${out}:${tag}`, '--all');
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(index.manifests[0]?.digest, digest, `${repo.name}:${tag} copied out as another digest`);
    for (const [blobDigest, bytes] of [...repo.blobs, ...repo.manifests]) {
      const copy = await readFile(join(out, 'blobs', 'sha256', blobDigest.slice('sha256:'.length)));
      assert.ok(copy.equals(bytes), `${repo.name}: ${blobDigest} differs after skopeo copy`);
    }
  }
}

/** Pushes to `writer`, then serves the same directory (or S3 bucket) with `reader` and checks everything. */
function storageHandoff(writerName: string, writer: Start, readerName: string, reader: Start, backend: 'filesystem' | 's3' = 'filesystem'): void {
  const on = backend === 's3' ? ' on one Ceph S3 bucket' : '';
  describe(`${writerName} writes, ${readerName} serves the same storage${on}`, async () => {
    const skip = requireClient('docker-registry', 'skopeo') ?? (backend === 's3' ? await requireCeph() : undefined);
    let work: string;
    let dataDir: string;
    let s3: S3Storage | undefined;
    let repos: Repo[];
    let running: RunningRegistry | undefined;
    const started: RunningRegistry[] = [];
    const start = async (which: Start) => {
      const registry = await which(s3 ? { s3 } : { dataDir });
      started.push(registry);
      return registry;
    };
    /** The reader started by the catalog test; its failures carry the registry's log tail. */
    const withReader = (fn: (r: RunningRegistry) => Promise<void>) => {
      assert.ok(running, `${readerName} was not started`);
      const current = running;
      return withLogs(current, () => fn(current));
    };

    before(async () => {
      if (skip) return;
      work = await mkdtemp(join(tmpdir(), 'wharf-interop-'));
      dataDir = join(work, 'storage');
      if (backend === 's3') s3 = await freshS3Storage('wharf-interop');
      repos = await fixtures(work, uniqueName(writerName.toLowerCase()));
    });

    after(async () => {
      if (skip) return;
      for (const registry of started) await registry.stop();
      if (s3) await removeS3Storage(s3);
      await rm(work, { recursive: true, force: true });
    });

    it(`${writerName} accepts a tagged image and a two-platform OCI index`, { skip }, async () => {
      const first = await start(writer);
      try {
        await withLogs(first, async () => {
          await push(first, repos);
          await assertCatalogAndTags(first, repos);
          await assertManifests(first, repos);
        });
      } finally {
        await first.stop();
      }
    });

    it(`${readerName} lists the catalog and tags`, { skip }, async () => {
      running = await start(reader);
      await withReader((r) => assertCatalogAndTags(r, repos));
    });

    it(`${readerName} serves every manifest by tag and by digest, byte for byte`, { skip }, () =>
      withReader((r) => assertManifests(r, repos)));

    it(`${readerName} serves every blob`, { skip }, () => withReader((r) => assertBlobs(r, repos)));

    it(`skopeo copies everything back out of ${readerName} with the same digests`, { skip }, () =>
      withReader((r) => assertSkopeoCopiesOut(r, repos, work)));
  });
}

storageHandoff('Distribution', startDistribution, 'Wharf', startWharf);
storageHandoff('Wharf', startWharf, 'Distribution', startDistribution);
storageHandoff('Distribution', startDistribution, 'Wharf', startWharf, 's3');
storageHandoff('Wharf', startWharf, 'Distribution', startDistribution, 's3');
