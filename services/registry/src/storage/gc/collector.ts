// Online garbage collection: frees blobs no manifest uses any more while the registry serves.
// (Distribution can only collect offline, its issue #1609.) Plain functions over the driver
// contract, so it works the same on every storage driver.
//
// WHAT IS KEPT (mark.ts)
//   - every manifest revision of every repository, and every digest a tag points to; followed
//     through indexes to their child manifests, and from manifests to their config and layers;
//   - referrers (OCI `subject`): a referrer whose subject is still a revision of its repository
//     is kept like any revision. A referrer whose subject is gone is REMOVED (its revision link
//     and its referrers-index link), unless it is tagged or was pushed after the cutoff, and then
//     its content is collected like any other. Chains (a signature of an SBOM of an image) go
//     with their root. The grace period lets a client push a referrer before its subject.
//   - every layer link written after the cutoff (an upload finished, its manifest not yet put);
//   - the layer of every v1 image (v1 layers are stored as v2 blobs; v1 images are never deleted).
// WHAT IS REMOVED (sweep.ts)
//   - blobs (layers, configs and manifests' bytes) not marked whose data and last claim are older
//     than the cutoff; then layer links to content that no longer exists, written before the
//     cutoff. Tags' history links and empty repository directories are left as they are.
//
// THE CUTOFF is `start − grace period`, taken once when the run starts, not when a blob is
// looked at, so a long run does not shorten the grace any reference relies on. The grace is at
// least 2 s whatever is asked: file times are coarse (a claim written just after the cutoff can
// carry a time just before it) and the clocks of registry hosts and object stores differ a little.
//
// PROTOCOL WITH CONCURRENT PUSHES (blob-claims.ts). A push comes to rely on a stored blob in four
// ways: an upload commit (content moved into blobs/, then linked), a cross-repository mount, a
// HEAD on a blob (the client then skips uploading it: the existence check counts as a fresh
// reference), and a manifest PUT (which names configs, layers and child manifests; the v1 bridge
// stores its manifests the same way). Each of them first CLAIMS the content: it rewrites
// blobs/…/<hex>/_claimed (fresh modification time), then waits while a collector's `_collecting`
// marker is there, then checks that the data exists — and only then writes its link, revision or
// manifest (or answers 200 to the HEAD). The collector, for a blob the mark left unmarked:
// writes `_collecting`, re-reads the data's and the claim's times, deletes the data only if both
// are older than the cutoff, and removes the marker last. Both sides write before they read, so
// for any push racing with the delete one of two things holds:
//   (a) the push's existence check came after the marker: it waits, then finds the data gone and
//       re-uploads it (commit moves its own copy in) or answers BLOB_UNKNOWN / MANIFEST_BLOB_UNKNOWN
//       (mount falls back to an upload; a client re-pushes the blob);
//   (b) it came before the marker: its claim was written before the collector re-read the times,
//       so the collector sees a claim newer than the cutoff and keeps the blob.
// Any reference the mark did see (a revision, a tag, a layer link newer than the cutoff) was
// marked; a reference written after the mark read that repository was preceded by a claim less
// than one operation earlier. So the one assumption is: a single registry operation (claim to
// link/manifest write) and the gap between a client's blob upload and its manifest PUT take less
// than the grace period. A blob uploaded longer ago than that with no manifest yet is garbage.
//   Layer links are deleted only when their content is gone, and re-checked after the delete: a
//   push that re-uploads that content meanwhile has claimed it, and the link is written back.
//   The collector deletes files, never directories: a push may be creating a file in that very
//   directory (its rename would fail). On the filesystem empty directories stay behind; a later
//   push of the same content reuses them, and the sweep passes over them without writing.
//   Distribution instances writing to the same storage make no claims: collect only while none
//   of them pushes (Wharf registries may all push).
//   A removed orphan referrer is re-checked just before removal (subject back, or re-pushed
//   since the mark: it stays and its content is marked). A collector that dies leaves a marker
//   that writers ignore once it is older than 30 s. Several collectors (several registry
//   processes) may run at once: each decision above holds for each of them.
import type { StorageDriver } from '../driver/driver.js';
import type { Catalog } from '../catalog.js';
import { markInUse, type MarkCounts, type OrphanReferrer } from './mark.js';
import { removeDanglingLayerLinks, removeOrphanReferrers, sweepBlobs, type RemovedBlob, type SweepCounts } from './sweep.js';

/** The shortest grace period a run uses (see THE CUTOFF above). */
export const minimumGraceMs = 2_000;

export type GcProgress = ({ phase: 'mark' } & MarkCounts) | ({ phase: 'sweep' } & SweepCounts);

export interface GcOptions {
  /** Blobs and links written (or claimed) more recently than this are kept (at least 2 s). */
  gracePeriodMs: number;
  /** Report what would be removed, remove nothing. */
  dryRun?: boolean;
  /** The run's start time (ms since the epoch); the cutoff is this minus the grace period. */
  now?: number;
  onProgress?: (progress: GcProgress) => void;
}

export interface GcReport {
  dryRun: boolean;
  cutoff: Date;
  repositories: number;
  manifests: number;
  blobsMarked: number;
  blobsScanned: number;
  blobsRemoved: RemovedBlob[];
  bytesFreed: number;
  /** Unmarked blobs kept because they were written or claimed after the cutoff. */
  blobsKeptRecent: number;
  /** Referrers removed because their subject is gone. */
  manifestsRemoved: OrphanReferrer[];
  layerLinksRemoved: number;
  durationMs: number;
}

export interface GcStorage {
  driver: StorageDriver;
  catalog: Catalog;
}

export async function collectGarbage(storage: GcStorage, options: GcOptions): Promise<GcReport> {
  const clockStart = Date.now();
  const cutoff = (options.now ?? clockStart) - Math.max(options.gracePeriodMs, minimumGraceMs);
  const dryRun = options.dryRun ?? false;
  const report = options.onProgress ?? (() => undefined);
  const { driver, catalog } = storage;

  const mark = await markInUse(driver, catalog, cutoff, (counts) => report({ phase: 'mark', ...counts }));
  const manifestsRemoved = await removeOrphanReferrers(driver, mark.orphans, mark.marker, cutoff, dryRun);
  const marked = mark.marker.marked;
  const sweep = await sweepBlobs(driver, marked, cutoff, dryRun, (counts) => report({ phase: 'sweep', ...counts }));
  const swept = new Set(sweep.removed.map((b) => b.digest));
  const layerLinksRemoved = await removeDanglingLayerLinks(driver, mark.layerLinks, marked, swept, cutoff, dryRun);
  return {
    dryRun,
    cutoff: new Date(cutoff),
    repositories: mark.counts.repositories,
    manifests: mark.counts.manifests,
    blobsMarked: marked.size,
    blobsScanned: sweep.counts.blobsScanned,
    blobsRemoved: sweep.removed,
    bytesFreed: sweep.counts.bytesFreed,
    blobsKeptRecent: sweep.keptRecent,
    manifestsRemoved,
    layerLinksRemoved,
    durationMs: Date.now() - clockStart,
  };
}
