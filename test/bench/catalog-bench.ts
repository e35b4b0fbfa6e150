// The catalog of many repositories on each storage: Wharf's catalog index (one flat list) against
// walking the repository tree (what Distribution does for /v2/_catalog, its issue #3678, and what
// Wharf's index rebuild does once). Every target is just a registry `storage` config section, so a
// new driver is one more entry in catalogTargets. Ceph RGW runs when ceph-rgw.sh is there (and
// not --no-ceph), in a fresh bucket removed afterwards.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { createRegistry, registryConfigSchema, type RegistryConfigInput } from '@wharf/registry';
import { startAzurite } from '../helpers/azurite.js';
import { freshS3Storage, removeS3Storage, requireCeph, type S3Storage } from '../helpers/ceph.js';
import { fixed, ratio, table } from './report.js';

export interface CatalogTarget {
  label: string;
  storage: NonNullable<RegistryConfigInput['storage']>;
  /** Fewer repositories than the settings' for this storage. */
  maxRepositories?: number;
}

export interface CatalogSettings {
  repositories: number;
  /** Writes in flight while populating. */
  concurrency: number;
  walkRuns: number;
  indexRuns: number;
}

export function catalogSettings(quick: boolean): CatalogSettings {
  // One walk per storage: on object storage it takes minutes, and the rebuild walks once more.
  return { repositories: quick ? 1000 : 10_000, concurrency: 32, walkRuns: 1, indexRuns: 5 };
}

interface CatalogResult {
  label: string;
  repositories: number;
  populateMs: number;
  walkMs: number;
  rebuildMs: number;
  indexMs: number;
  httpMs: number;
}

const digest = `sha256:${'0'.repeat(64)}`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timed(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return median(times);
}

function check(names: string[], expected: number, what: string): void {
  if (names.length !== expected) throw new Error(`${what}: ${names.length} repositories, expected ${expected}`);
}

/** Populates `repositories` repositories (a layer link and a tag each, as a push leaves) and times the catalog. */
async function measure(target: CatalogTarget, settings: CatalogSettings): Promise<CatalogResult> {
  const config = registryConfigSchema.parse({
    log: { level: 'silent' },
    storage: { ...target.storage, uploadPurging: { enabled: false } },
  } satisfies RegistryConfigInput);
  const registry = await createRegistry(config, { logger: pino({ level: 'silent' }) });
  try {
    const { storage } = registry;
    const count = Math.min(settings.repositories, target.maxRepositories ?? Infinity);
    const names = Array.from({ length: count }, (_, i) => `bench/ns${String(i % 100).padStart(2, '0')}/repo${i}`);
    let started = performance.now();
    for (let i = 0; i < names.length; i += settings.concurrency) {
      await Promise.all(
        names.slice(i, i + settings.concurrency).map(async (name) => {
          await storage.blobs.link(name, digest);
          await storage.tags.tag(name, 'latest', digest);
        }),
      );
    }
    const populateMs = performance.now() - started;

    const walkMs = await timed(settings.walkRuns, async () => check(await storage.catalog.walk(), names.length, 'walk'));
    started = performance.now();
    const rebuilt = await storage.catalog.rebuildIndex();
    const rebuildMs = performance.now() - started;
    if (rebuilt.repositories !== names.length) throw new Error(`rebuild: ${rebuilt.repositories} repositories`);
    const indexMs = await timed(settings.indexRuns, async () => check(await storage.catalog.repositories(), names.length, 'index'));

    const address = await registry.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${address.port}/v2/_catalog?n=${names.length}`;
    const httpMs = await timed(settings.indexRuns, async () => {
      const res = await fetch(url);
      check(((await res.json()) as { repositories: string[] }).repositories, names.length, 'GET /v2/_catalog');
    });
    return { label: target.label, repositories: count, populateMs, walkMs, rebuildMs, indexMs, httpMs };
  } finally {
    await registry.close();
  }
}

/** A fresh Ceph RGW bucket for the catalog, or why there is none (a visible skip; CI=true throws). */
async function cephCatalogStorage(wanted: boolean): Promise<S3Storage | string> {
  if (!wanted) return 'skipped (--no-ceph)';
  const reason = await requireCeph();
  return reason ? `skipped: ${reason}` : freshS3Storage('wharf-bench-catalog');
}

export async function runCatalogBench(settings: CatalogSettings, options: { ceph: boolean } = { ceph: true }): Promise<CatalogResult[]> {
  const fsRoot = await mkdtemp(join(tmpdir(), 'wharf-bench-catalog-'));
  const azurite = await startAzurite();
  const ceph = await cephCatalogStorage(options.ceph);
  const catalogTargets: CatalogTarget[] = [
    { label: 'filesystem', storage: { filesystem: { rootDirectory: fsRoot } } },
    // Azurite's in-memory store slows down as it fills (10,000 repositories took 49 minutes to
    // write): it is an emulator, not a measure of Azure, so it gets 1,000.
    { label: 'Azure Blob (Azurite)', storage: { azure: { connectionString: azurite.connectionString, container: 'bench-catalog' } }, maxRepositories: 1000 },
  ];
  if (typeof ceph === 'string') console.log(`  catalog: Ceph RGW (S3) ${ceph}`);
  else {
    const { endpoint, region, accessKey, secretKey, bucket, rootDirectory } = ceph;
    catalogTargets.push({ label: 'Ceph RGW (S3)', storage: { s3: { endpoint, region, accessKey, secretKey, bucket, rootDirectory, forcePathStyle: true } } });
  }
  const results: CatalogResult[] = [];
  try {
    for (const target of catalogTargets) {
      console.log(`  catalog: populating ${Math.min(settings.repositories, target.maxRepositories ?? Infinity)} repositories on ${target.label} …`);
      const result = await measure(target, settings);
      console.log(`  catalog: ${target.label}: walk ${fixed(result.walkMs, 0)} ms, index ${fixed(result.indexMs, 1)} ms`);
      results.push(result);
    }
  } finally {
    await azurite.stop();
    if (typeof ceph !== 'string') await removeS3Storage(ceph).catch(() => undefined);
    await rm(fsRoot, { recursive: true, force: true });
  }
  return results;
}

export function printCatalogReport(results: CatalogResult[], settings: CatalogSettings): void {
  const ms = (v: number) => fixed(v, 1);
  console.log(`\nCatalog of up to ${settings.repositories.toLocaleString('en-US')} repositories (bench/nsNN/repoN; a layer link and a tag each)`);
  console.log(
    table(
      ['storage', 'repositories', 'walk the tree ms', 'Wharf index ms', 'GET /v2/_catalog ms', 'walk / index', 'index rebuild ms', 'populate s'],
      results.map((r) => [r.label, r.repositories.toLocaleString('en-US'), ms(r.walkMs), ms(r.indexMs), ms(r.httpMs), ratio(r.walkMs, r.indexMs), ms(r.rebuildMs), fixed(r.populateMs / 1000, 1)]),
    ),
  );
  console.log('  - "walk the tree": list every directory under repositories/ (Distribution\'s catalog, and Wharf\'s before the index), 32 lists in flight; one run.');
  console.log('  - "Wharf index": one flat list of the catalog index (in process); "GET /v2/_catalog": the same over HTTP with n = all; median of 5.');
  console.log('  - "index rebuild": a walk plus reconciling the markers: what a registry does once when the index is missing or older.');
}
