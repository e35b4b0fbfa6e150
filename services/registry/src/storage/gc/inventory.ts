// Reads what one repository holds, for the collector: its manifest revisions and layer links
// (each with its link's modification time, which says how recently it was written) and the
// digests its tags point to now. Links are checked as the stores read them (content = path).
import type { StorageDriver } from '../driver/driver.js';
import { isPathNotFound } from '../driver/driver.js';
import { baseName, listIfPresent, readLink } from '../links.js';
import { layersPath, manifestRevisionsPath, tagCurrentLinkPath, tagsPath } from '../paths.js';

export interface LinkEntry {
  repository: string;
  digest: string;
  /** The link file's modification time, ms since the epoch. */
  modTime: number;
}

export interface RepositoryInventory {
  name: string;
  /** Manifest revisions by digest. */
  revisions: Map<string, LinkEntry>;
  layerLinks: LinkEntry[];
  /** Digests tags point to now. */
  tagged: Set<string>;
}

/** Every <alg>/<hex>/link under `root` whose content names that digest. */
async function linksUnder(driver: StorageDriver, repository: string, root: string): Promise<LinkEntry[]> {
  const found: LinkEntry[] = [];
  for (const algDir of await listIfPresent(driver, root)) {
    for (const hexDir of await listIfPresent(driver, algDir)) {
      const digest = `${baseName(algDir)}:${baseName(hexDir)}`;
      const path = `${hexDir}/link`;
      if ((await readLink(driver, path)) !== digest) continue;
      try {
        found.push({ repository, digest, modTime: (await driver.stat(path)).modTime.getTime() });
      } catch (err) {
        // Deleted since it was read: a concurrent delete, nothing to keep it for.
        if (!isPathNotFound(err)) throw err;
      }
    }
  }
  return found;
}

export async function readInventory(driver: StorageDriver, name: string): Promise<RepositoryInventory> {
  const [revisions, layerLinks, tagDirs] = await Promise.all([
    linksUnder(driver, name, manifestRevisionsPath(name)),
    linksUnder(driver, name, layersPath(name)),
    listIfPresent(driver, tagsPath(name)),
  ]);
  const tagged = new Set<string>();
  for (const dir of tagDirs) {
    const digest = await readLink(driver, tagCurrentLinkPath(name, baseName(dir)));
    if (digest) tagged.add(digest);
  }
  return { name, revisions: new Map(revisions.map((r) => [r.digest, r])), layerLinks, tagged };
}
