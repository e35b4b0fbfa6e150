// The handshake that lets garbage collection run while pushes go on (the protocol is written out
// in gc/collector.ts). Both sides write before they read, so at least one sees the other:
//   a writer about to reference stored content: write the claim → wait out a collector's marker →
//     check the content exists (absent = upload it again / report it unknown);
//   a collector about to delete content: write its marker → re-read the claim → delete only if
//     the claim is older than the grace cutoff → remove the marker.
import type { StorageDriver } from './driver/driver.js';
import { isPathNotFound } from './driver/driver.js';
import { deleteIfPresent } from './links.js';
import { blobClaimPath, blobCollectingPath, blobDataPath } from './paths.js';

/** A collector marker older than this was left by a collector that died; writers ignore it. */
export const collectingMarkerExpiryMs = 30_000;
/** A collector that held its marker this long gives the blob up rather than risk the expiry. */
export const collectingHoldLimitMs = 10_000;
const markerPollMs = 20;

/** A file's modification time (ms since the epoch), or undefined when it does not exist. */
export async function modTimeOf(driver: StorageDriver, path: string): Promise<number | undefined> {
  try {
    return (await driver.stat(path)).modTime.getTime();
  } catch (err) {
    if (isPathNotFound(err)) return undefined;
    throw err;
  }
}

/** Writer side, before checking that content exists in order to reference it. */
export async function claimContent(driver: StorageDriver, digest: string): Promise<void> {
  await driver.putContent(blobClaimPath(digest), Buffer.from(new Date().toISOString()));
  // A collector that wrote its marker before our claim may still delete the content: wait until
  // it is done (it holds the marker for milliseconds), then the caller's existence check is true.
  // Bounded even if a marker's time lies in the future (clocks of different machines).
  for (let waited = 0; waited < collectingMarkerExpiryMs; waited += markerPollMs) {
    const marked = await modTimeOf(driver, blobCollectingPath(digest));
    if (marked === undefined || Date.now() - marked > collectingMarkerExpiryMs) return;
    await new Promise((resolve) => setTimeout(resolve, markerPollMs));
  }
}

export interface BlobTimes {
  /** Size of the data, or undefined when the directory holds no data. */
  size: number | undefined;
  /** The newest of the data's and the claim's modification times (0 when neither exists). */
  newest: number;
}

export async function blobTimes(driver: StorageDriver, digest: string): Promise<BlobTimes> {
  let size: number | undefined;
  let dataTime = 0;
  try {
    const info = await driver.stat(blobDataPath(digest));
    size = info.size;
    dataTime = info.modTime.getTime();
  } catch (err) {
    if (!isPathNotFound(err)) throw err;
  }
  const claimTime = (await modTimeOf(driver, blobClaimPath(digest))) ?? 0;
  return { size, newest: Math.max(dataTime, claimTime) };
}

/** Whether the content exists or someone has claimed it since `cutoff` (ms since the epoch). */
export async function isContentInUse(driver: StorageDriver, digest: string, cutoff: number): Promise<boolean> {
  const times = await blobTimes(driver, digest);
  return times.size !== undefined || times.newest > cutoff;
}

export type CollectOutcome = { deleted: true; size: number } | { deleted: false; reason: 'claimed' | 'absent' | 'slow' };

/**
 * Collector side: deletes the blob unless it was claimed after `cutoff`. The caller has already
 * found it unreferenced; this closes the window between that finding and the delete. Files are
 * deleted one by one, never the directory: a writer may be creating files in it right now (the
 * filesystem keeps the empty directory; object stores have none).
 */
export async function collectUnclaimed(driver: StorageDriver, digest: string, cutoff: number): Promise<CollectOutcome> {
  const marker = blobCollectingPath(digest);
  const start = Date.now();
  await driver.putContent(marker, Buffer.from(new Date(start).toISOString()));
  try {
    const times = await blobTimes(driver, digest);
    if (times.newest > cutoff) return { deleted: false, reason: 'claimed' };
    if (times.size === undefined) {
      // A directory left by a claim on content that never came: tidy it.
      await deleteIfPresent(driver, blobClaimPath(digest));
      return { deleted: false, reason: 'absent' };
    }
    if (Date.now() - start > collectingHoldLimitMs) return { deleted: false, reason: 'slow' };
    // Data first: once the marker is gone a waiting writer must find the data gone too.
    await deleteIfPresent(driver, blobDataPath(digest));
    await deleteIfPresent(driver, blobClaimPath(digest));
    return { deleted: true, size: times.size };
  } finally {
    await deleteIfPresent(driver, marker);
  }
}
