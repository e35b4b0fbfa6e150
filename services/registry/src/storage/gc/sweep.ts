// The sweep phase: removes what the mark left unmarked, each step safe against concurrent pushes
// (collector.ts has the protocol). Every function takes `dryRun` and then only reports.
import type { StorageDriver } from '../driver/driver.js';
import { isPathNotFound } from '../driver/driver.js';
import { blobTimes, collectUnclaimed, isContentInUse, modTimeOf } from '../blob-claims.js';
import { baseName, deleteIfPresent, listIfPresent, readLink, writeLink } from '../links.js';
import { blobDataPath, blobsRoot, layerLinkPath, manifestRevisionLinkPath, referrerLinkPath } from '../paths.js';
import type { LinkEntry } from './inventory.js';
import { looksLikeManifest, manifestSniffLimit } from './references.js';
import type { Marker, OrphanReferrer } from './mark.js';

export interface RemovedBlob {
  digest: string;
  size: number;
  /** Whether the bytes were a manifest or index (read before deletion, for the report). */
  manifest: boolean;
}

export interface SweepCounts {
  blobsScanned: number;
  blobsRemoved: number;
  bytesFreed: number;
}

/**
 * Removes a link file. Only the file: a push may be writing that same link right now, and
 * removing its directory could take the push's half-written file with it (the push's own write
 * recreates the file, and the directory, after a file delete).
 */
async function deleteLink(driver: StorageDriver, linkPath: string): Promise<void> {
  await deleteIfPresent(driver, linkPath);
}

/**
 * Removes referrers whose subject is gone. Each is checked again first: if its subject came back
 * or the referrer was pushed again since the mark, it stays, and so does everything it references.
 */
export async function removeOrphanReferrers(driver: StorageDriver, orphans: readonly OrphanReferrer[], marker: Marker, cutoff: number, dryRun: boolean): Promise<OrphanReferrer[]> {
  const removed: OrphanReferrer[] = [];
  const key = (repository: string, digest: string) => `${repository}@${digest}`;
  const removedKeys = new Set<string>();
  for (const orphan of subjectsFirst(orphans)) {
    const { repository, digest, subject } = orphan;
    // A subject removed just before (a chain) counts as gone, in a dry run too.
    const subjectBack =
      !removedKeys.has(key(repository, subject)) && (await readLink(driver, manifestRevisionLinkPath(repository, subject))) === subject;
    const written = await modTimeOf(driver, manifestRevisionLinkPath(repository, digest));
    if (subjectBack || (written !== undefined && written > cutoff)) {
      await marker.markManifest(digest);
      continue;
    }
    if (!dryRun) {
      await deleteLink(driver, manifestRevisionLinkPath(repository, digest));
      await deleteLink(driver, referrerLinkPath(repository, subject, digest));
    }
    removed.push(orphan);
    removedKeys.add(key(repository, digest));
  }
  return removed;
}

/** Orders a chain's members so each comes after the orphan it refers to. */
function subjectsFirst(orphans: readonly OrphanReferrer[]): OrphanReferrer[] {
  const byKey = new Map(orphans.map((o) => [`${o.repository}@${o.digest}`, o]));
  const depth = (o: OrphanReferrer, seen = 0): number => {
    const parent = byKey.get(`${o.repository}@${o.subject}`);
    return parent && seen < 64 ? 1 + depth(parent, seen + 1) : 0;
  };
  return [...orphans].sort((a, b) => depth(a) - depth(b));
}

async function isManifest(driver: StorageDriver, digest: string, size: number): Promise<boolean> {
  if (size > manifestSniffLimit) return false;
  try {
    return looksLikeManifest(await driver.getContent(blobDataPath(digest)));
  } catch (err) {
    if (isPathNotFound(err)) return false;
    throw err;
  }
}

/** Every blob directory's digest (blobs/<alg>/<2 hex>/<hex>), one at a time. */
async function* blobDigests(driver: StorageDriver): AsyncGenerator<string> {
  for (const algDir of await listIfPresent(driver, blobsRoot)) {
    for (const prefixDir of await listIfPresent(driver, algDir)) {
      for (const hexDir of await listIfPresent(driver, prefixDir)) yield `${baseName(algDir)}:${baseName(hexDir)}`;
    }
  }
}

/** Deletes unmarked blobs whose data and last claim are older than the cutoff. */
export async function sweepBlobs(
  driver: StorageDriver,
  marked: ReadonlySet<string>,
  cutoff: number,
  dryRun: boolean,
  onProgress: (counts: SweepCounts) => void = () => undefined,
): Promise<{ removed: RemovedBlob[]; keptRecent: number; counts: SweepCounts }> {
  const removed: RemovedBlob[] = [];
  const counts: SweepCounts = { blobsScanned: 0, blobsRemoved: 0, bytesFreed: 0 };
  let keptRecent = 0;
  for await (const digest of blobDigests(driver)) {
    counts.blobsScanned += 1;
    if (!marked.has(digest)) {
      // A cheap look first: most unmarked blobs that are recent are pushes in progress.
      const times = await blobTimes(driver, digest);
      if (times.size === undefined && times.newest === 0) {
        // An empty directory the filesystem kept from an earlier collection: nothing to do.
      } else if (times.newest > cutoff) {
        if (times.size !== undefined) keptRecent += 1;
      } else if (dryRun) {
        if (times.size !== undefined) removed.push({ digest, size: times.size, manifest: await isManifest(driver, digest, times.size) });
      } else {
        const manifest = times.size !== undefined && (await isManifest(driver, digest, times.size));
        const outcome = await collectUnclaimed(driver, digest, cutoff);
        if (outcome.deleted) removed.push({ digest, size: outcome.size, manifest });
        else if (outcome.reason !== 'absent') keptRecent += 1;
      }
      counts.blobsRemoved = removed.length;
      counts.bytesFreed = removed.reduce((sum, b) => sum + b.size, 0);
    }
    onProgress(counts);
  }
  return { removed, keptRecent, counts };
}

/**
 * Removes layer links to content that no longer exists (swept now or earlier), written before
 * the cutoff. A link deleted while a push re-uploads that content is written back: the push
 * claims the content before it links it, so the re-check after the delete sees the claim.
 */
export async function removeDanglingLayerLinks(
  driver: StorageDriver,
  links: readonly LinkEntry[],
  marked: ReadonlySet<string>,
  swept: ReadonlySet<string>,
  cutoff: number,
  dryRun: boolean,
): Promise<number> {
  let removed = 0;
  for (const link of links) {
    if (marked.has(link.digest) || link.modTime > cutoff) continue;
    // In a dry run the swept blobs are still there: count their links as the real run would.
    if (dryRun) {
      if (swept.has(link.digest) || !(await isContentInUse(driver, link.digest, cutoff))) removed += 1;
      continue;
    }
    if (await isContentInUse(driver, link.digest, cutoff)) continue;
    removed += 1;
    const path = layerLinkPath(link.repository, link.digest);
    await deleteLink(driver, path);
    if (await isContentInUse(driver, link.digest, cutoff)) await writeLink(driver, path, link.digest);
  }
  return removed;
}
