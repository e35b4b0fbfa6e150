// The mark phase: every digest still in use, from every repository's manifest revisions and
// tags (following indexes to their children, and manifests to their configs and layers), from
// layer links newer than the grace cutoff (a push in progress), and from every v1 image's layer.
// Referrers whose subject is gone are set aside here (see collector.ts for the rule).
import type { StorageDriver } from '../driver/driver.js';
import { isPathNotFound } from '../driver/driver.js';
import { baseName, listIfPresent } from '../links.js';
import { blobDataPath } from '../paths.js';
import type { Catalog } from '../catalog.js';
import { layerRecordPath, ownImagesPath, v1Root, type ImageRef } from '../../v1/storage/paths.js';
import { readInventory, type LinkEntry, type RepositoryInventory } from './inventory.js';
import { referencesOf, type ManifestReferences } from './references.js';

export interface MarkCounts {
  repositories: number;
  manifests: number;
  marked: number;
}

/** A manifest revision the sweep may remove: untagged, older than the cutoff, its subject gone. */
export interface OrphanReferrer {
  repository: string;
  digest: string;
  subject: string;
  modTime: number;
}

/** Follows manifests to what they reference; remembers each manifest's references for the run. */
export class Marker {
  readonly marked = new Set<string>();
  private readonly references = new Map<string, ManifestReferences | undefined>();

  constructor(private readonly driver: StorageDriver) {}

  /** A manifest's references, or undefined when its content is missing. */
  async referencesOf(digest: string): Promise<ManifestReferences | undefined> {
    if (this.references.has(digest)) return this.references.get(digest);
    let refs: ManifestReferences | undefined;
    try {
      refs = referencesOf(digest, await this.driver.getContent(blobDataPath(digest)));
    } catch (err) {
      if (!isPathNotFound(err)) throw err;
    }
    this.references.set(digest, refs);
    return refs;
  }

  markBlob(digest: string): void {
    this.marked.add(digest);
  }

  /** Marks a manifest and, transitively, its children, configs and layers. */
  async markManifest(root: string): Promise<void> {
    const pending = [root];
    for (let digest = pending.pop(); digest !== undefined; digest = pending.pop()) {
      if (this.marked.has(digest)) continue;
      this.marked.add(digest);
      const refs = await this.referencesOf(digest);
      if (!refs) continue;
      for (const blob of refs.blobs) this.marked.add(blob);
      pending.push(...refs.manifests);
    }
  }
}

/**
 * Whether a revision stays: it has no subject, or is tagged, or was written after the cutoff, or
 * its subject is a revision of the repository that stays. Subject chains (a signature of an SBOM
 * of an image) are followed to their end.
 */
async function keptRevisions(repo: RepositoryInventory, marker: Marker, cutoff: number): Promise<{ kept: string[]; orphans: OrphanReferrer[] }> {
  const decided = new Map<string, boolean>();
  const subjects = new Map<string, string>();
  const decide = async (digest: string, depth: number): Promise<boolean> => {
    const known = decided.get(digest);
    if (known !== undefined) return known;
    const revision = repo.revisions.get(digest);
    if (!revision) return false;
    const subject = (await marker.referencesOf(digest))?.subject;
    let keep = true;
    // A chain deeper than any real one is treated as kept: never delete on a guess.
    if (subject && !repo.tagged.has(digest) && revision.modTime <= cutoff && depth < 64) {
      subjects.set(digest, subject);
      keep = await decide(subject, depth + 1);
    }
    decided.set(digest, keep);
    return keep;
  };
  const kept: string[] = [];
  const orphans: OrphanReferrer[] = [];
  for (const [digest, revision] of repo.revisions) {
    if (await decide(digest, 0)) kept.push(digest);
    else orphans.push({ repository: repo.name, digest, subject: subjects.get(digest) as string, modTime: revision.modTime });
  }
  return { kept, orphans };
}

/** Every stored v1 image: the shared copies, then each repository's own (v1/storage/paths.ts). */
async function v1Images(driver: StorageDriver): Promise<ImageRef[]> {
  const refs: ImageRef[] = (await listIfPresent(driver, `${v1Root}/images`)).map((dir) => ({ id: baseName(dir) }));
  for (const namespace of await listIfPresent(driver, `${v1Root}/repositories`)) {
    for (const repository of await listIfPresent(driver, namespace)) {
      const owner = `${baseName(namespace)}/${baseName(repository)}`;
      for (const dir of await listIfPresent(driver, ownImagesPath(owner))) refs.push({ id: baseName(dir), owner });
    }
  }
  return refs;
}

/** The layer digest of every v1 image (v1 layers live in the v2 blob store). */
async function v1LayerDigests(driver: StorageDriver): Promise<string[]> {
  const digests: string[] = [];
  for (const ref of await v1Images(driver)) {
    try {
      const record = JSON.parse((await driver.getContent(layerRecordPath(ref))).toString('utf8')) as { digest?: unknown };
      if (typeof record.digest === 'string') digests.push(record.digest);
    } catch (err) {
      // No layer record yet (only the JSON was pushed): nothing in the blob store to keep.
      if (!isPathNotFound(err)) throw err;
    }
  }
  return digests;
}

export interface MarkOutcome {
  marker: Marker;
  counts: MarkCounts;
  layerLinks: LinkEntry[];
  orphans: OrphanReferrer[];
}

export async function markInUse(
  driver: StorageDriver,
  catalog: Catalog,
  cutoff: number,
  onProgress: (counts: MarkCounts) => void = () => undefined,
): Promise<MarkOutcome> {
  const marker = new Marker(driver);
  const counts: MarkCounts = { repositories: 0, manifests: 0, marked: 0 };
  const layerLinks: LinkEntry[] = [];
  const orphans: OrphanReferrer[] = [];
  for (const name of await catalog.repositories()) {
    const repo = await readInventory(driver, name);
    const decision = await keptRevisions(repo, marker, cutoff);
    for (const digest of [...decision.kept, ...repo.tagged]) await marker.markManifest(digest);
    for (const link of repo.layerLinks) if (link.modTime > cutoff) marker.markBlob(link.digest);
    layerLinks.push(...repo.layerLinks);
    orphans.push(...decision.orphans);
    counts.repositories += 1;
    counts.manifests += repo.revisions.size;
    counts.marked = marker.marked.size;
    onProgress(counts);
  }
  for (const digest of await v1LayerDigests(driver)) marker.markBlob(digest);
  counts.marked = marker.marked.size;
  onProgress(counts);
  return { marker, counts, layerLinks, orphans };
}
