// The catalog index: one small marker per repository in one flat directory (paths.ts), so the
// catalog is a single paginated list on object storage instead of a walk of every repository
// directory (Distribution walks the whole bucket: its issue #3678).
//
// A marker is written before a repository's first layer link, manifest or tag (indexing-driver.ts)
// and removed when the repository's data is deleted. Repositories another program wrote (say
// Distribution over the same storage) have no marker: when the index's state file is missing or
// of an older version, the catalog rebuilds it from a walk of the tree once, and
// `wharf catalog rebuild` does the same on demand.
import { mapBounded } from '@wharf/shared';
import type { StorageDriver } from './driver/driver.js';
import { isPathNotFound } from './driver/driver.js';
import { deleteIfPresent, listIfPresent } from './links.js';
import {
  catalogIndexPath,
  catalogIndexStatePath,
  catalogMarkerPath,
  layersPath,
  manifestsPath,
  repositoryOfCatalogMarker,
} from './paths.js';

/** Bump when the marker layout changes: every instance then rebuilds once. */
export const catalogIndexVersion = 1;
/** Marker writes a rebuild keeps in flight. */
const markerWriteConcurrency = 16;

export interface RebuildResult {
  /** Repositories in the index afterwards. */
  repositories: number;
  added: string[];
  removed: string[];
}

interface IndexState {
  version: number;
  rebuiltAt: string;
}

export class CatalogIndex {
  /** Set once this process has seen a current state file; it is never removed by Wharf. */
  private current = false;

  constructor(private readonly driver: StorageDriver) {}

  /** Sorted repository names, as the markers say. */
  async names(): Promise<string[]> {
    return (await listIfPresent(this.driver, catalogIndexPath)).map(repositoryOfCatalogMarker).sort();
  }

  /**
   * Writes the repository's marker unless it is there. A read is cheaper than a write, and a read
   * rather than stat: on object storage stat of a missing path also lists, to look for a directory.
   */
  async ensure(name: string): Promise<void> {
    const marker = catalogMarkerPath(name);
    try {
      await this.driver.getContent(marker);
    } catch (err) {
      if (!isPathNotFound(err)) throw err;
      await this.driver.putContent(marker, Buffer.from(name));
    }
  }

  /** Removes the marker of a repository that no longer holds layers or manifests. */
  async removeIfEmpty(name: string): Promise<boolean> {
    if (await this.hasData(name)) return false;
    return deleteIfPresent(this.driver, catalogMarkerPath(name));
  }

  /** Like removeIfEmpty for the repository and every repository nested below it. */
  async removeEmptyUnder(prefix: string): Promise<void> {
    const names = (await this.names()).filter((n) => n === prefix || n.startsWith(`${prefix}/`));
    for (const name of names) await this.removeIfEmpty(name);
  }

  async hasData(name: string): Promise<boolean> {
    for (const dir of [manifestsPath(name), layersPath(name)]) {
      try {
        await this.driver.stat(dir);
        return true;
      } catch (err) {
        if (!isPathNotFound(err)) throw err;
      }
    }
    return false;
  }

  async isCurrent(): Promise<boolean> {
    if (this.current) return true;
    let state: Partial<IndexState>;
    try {
      state = JSON.parse((await this.driver.getContent(catalogIndexStatePath)).toString('utf8')) as Partial<IndexState>;
    } catch (err) {
      // Missing or unreadable: either way the index has to be rebuilt.
      if (isPathNotFound(err) || err instanceof SyntaxError) return false;
      throw err;
    }
    this.current = typeof state.version === 'number' && state.version >= catalogIndexVersion;
    return this.current;
  }

  /**
   * Makes the markers match `found` (the repositories a walk of the tree found): adds the missing,
   * removes those of repositories that hold nothing now. A marker written after the walk began
   * is kept, so a push racing the rebuild (on this or another instance) never loses its entry.
   */
  async rebuild(walk: () => Promise<string[]>): Promise<RebuildResult> {
    const started = Date.now();
    const found = new Set(await walk());
    const indexed = new Set(await this.names());
    const added = [...found].filter((n) => !indexed.has(n));
    // A few at a time, so a rebuild of 10,000 markers neither crawls nor floods the store.
    await mapBounded(added, markerWriteConcurrency, (name) => this.driver.putContent(catalogMarkerPath(name), Buffer.from(name)));
    const removed: string[] = [];
    for (const name of [...indexed].filter((n) => !found.has(n))) {
      const marker = await this.driver.stat(catalogMarkerPath(name)).catch(() => undefined);
      // Object stores keep modification times to the second: allow for that and a little skew.
      if (marker && marker.modTime.getTime() >= started - 2000) continue;
      if (await this.removeIfEmpty(name)) removed.push(name);
    }
    const state: IndexState = { version: catalogIndexVersion, rebuiltAt: new Date().toISOString() };
    await this.driver.putContent(catalogIndexStatePath, Buffer.from(JSON.stringify(state)));
    this.current = true;
    return { repositories: (await this.names()).length, added: added.sort(), removed: removed.sort() };
  }
}
