// `wharf gc [--config FILE] [--dry-run] [--grace DURATION]`: one garbage collection over the
// registry's configured storage, safe while registries serve it (see the registry's
// storage/gc/collector.ts). Progress goes to stderr at most once a second; what was (or would
// be) freed and the summary line go to stdout.
import { collectGarbage, createConfiguredDriver, createRegistryStorage, durationMs, type GcProgress, type GcReport } from '@wharf/registry';
import { loadConfig } from '../config/load.js';
import { wharfConfigSchema } from '../config/schema.js';
import { plural } from './plural.js';

export interface GcCommandOptions {
  config?: string | undefined;
  dryRun?: boolean | undefined;
  grace?: string | undefined;
}

const progressEveryMs = 1000;

/** 1536 → "1.5 KiB": sizes as people read them, exact bytes beside them in the summary. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function describeProgress(p: GcProgress): string {
  return p.phase === 'mark'
    ? `gc: marking: ${plural(p.repositories, 'repository', 'repositories')}, ${plural(p.manifests, 'manifest', 'manifests')}, ${plural(p.marked, 'blob', 'blobs')} in use`
    : `gc: sweeping: ${p.blobsScanned} blobs scanned, ${p.blobsRemoved} ${p.blobsRemoved === 1 ? 'is' : 'are'} garbage (${formatBytes(p.bytesFreed)})`;
}

/** Reports progress at a bounded rate: the first report, then at most one a second. */
function throttledProgress(write: (line: string) => void): (p: GcProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < progressEveryMs) return;
    last = now;
    write(describeProgress(p));
  };
}


export function summarize(report: GcReport): string {
  const manifests = report.blobsRemoved.filter((b) => b.manifest).length;
  return (
    `gc: ${report.dryRun ? 'would free' : 'freed'} ${report.bytesFreed} bytes (${formatBytes(report.bytesFreed)}): ` +
    `${plural(report.blobsRemoved.length, 'blob', 'blobs')} (${plural(manifests, 'manifest', 'manifests')}, ` +
    `${plural(report.blobsRemoved.length - manifests, 'layer or config', 'layers and configs')}); ` +
    `${report.dryRun ? 'would unlink' : 'unlinked'} ${plural(report.manifestsRemoved.length, 'orphaned referrer', 'orphaned referrers')} ` +
    `and ${plural(report.layerLinksRemoved, 'layer link', 'layer links')}; ` +
    `kept ${report.blobsMarked} in use and ${report.blobsKeptRecent} newer than the grace period ` +
    `(${plural(report.repositories, 'repository', 'repositories')}, ${plural(report.manifests, 'manifest', 'manifests')}, ${report.durationMs} ms)`
  );
}

export async function runGcCommand(options: GcCommandOptions): Promise<number> {
  const config = await loadConfig(wharfConfigSchema, { file: options.config });
  const storageConfig = config.registry.storage;
  if (storageConfig.memory) {
    console.error('wharf gc: the memory driver keeps its data inside the registry process; set registry.storage.gc there instead');
    return 2;
  }
  const grace = options.grace ?? storageConfig.gc.gracePeriod;
  let gracePeriodMs: number;
  try {
    gracePeriodMs = durationMs(grace);
  } catch (err) {
    console.error(`wharf gc: --grace: ${(err as Error).message}`);
    return 2;
  }
  const driver = await createConfiguredDriver(storageConfig);
  try {
    const report = await collectGarbage(createRegistryStorage(driver), {
      gracePeriodMs,
      dryRun: options.dryRun ?? false,
      onProgress: throttledProgress((line) => process.stderr.write(`${line}\n`)),
    });
    const prefix = report.dryRun ? 'would remove' : 'removed';
    for (const blob of report.blobsRemoved) console.log(`${prefix} ${blob.manifest ? 'manifest' : 'blob'} ${blob.digest} ${blob.size}`);
    for (const m of report.manifestsRemoved) console.log(`${report.dryRun ? 'would unlink' : 'unlinked'} referrer ${m.repository}@${m.digest} (its subject ${m.subject} is gone)`);
    console.log(summarize(report));
    return 0;
  } finally {
    await driver.close?.();
  }
}
