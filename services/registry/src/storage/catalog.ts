// The repository catalog. Served from the catalog index (catalog-index.ts): one flat list of
// markers, rebuilt from a walk of the tree when the index is missing or older. The walk itself
// finds every directory under repositories/ that holds _manifests or _layers; directories whose
// names start with '_' are a repository's own data, never nested repositories.
import { Semaphore } from '@wharf/shared';
import type { StorageDriver } from './driver/driver.js';
import { CatalogIndex, type RebuildResult } from './catalog-index.js';
import { baseName, listIfPresent } from './links.js';
import { repositoriesRoot } from './paths.js';

/** Depth bound: names have at most 255 characters, so at most 128 components. */
const maxDepth = 128;
/** Directory lists a walk keeps in flight. */
const walkConcurrency = 32;

export class Catalog {
  readonly index: CatalogIndex;
  private rebuilding: Promise<RebuildResult> | undefined;

  constructor(
    private readonly driver: StorageDriver,
    /** storage.readOnly: an index that is not current is not rebuilt (a write); the tree is walked. */
    private readonly readOnly = false,
  ) {
    this.index = new CatalogIndex(driver);
  }

  /** Repository names, sorted: one list of the index, after a rebuild if it is not current. */
  async repositories(): Promise<string[]> {
    if (!(await this.index.isCurrent())) {
      if (this.readOnly) return this.walk();
      await this.rebuildIndex();
    }
    return this.index.names();
  }

  /** Rebuilds the index from the tree; concurrent callers in this process share one rebuild. */
  rebuildIndex(): Promise<RebuildResult> {
    this.rebuilding ??= this.index.rebuild(() => this.walk()).finally(() => {
      this.rebuilding = undefined;
    });
    return this.rebuilding;
  }

  /** Walks the tree: repositories holding any of `markers`, sorted. */
  async walk(markers: readonly string[] = ['_manifests', '_layers']): Promise<string[]> {
    const found: string[] = [];
    // A bounded number of lists in flight: a bucket of 10,000 repositories must not open 10,000
    // connections at once.
    const lists = new Semaphore(walkConcurrency);
    const walk = async (dir: string, name: string, depth: number): Promise<void> => {
      if (depth > maxDepth) return;
      const children = await lists.run(() => listIfPresent(this.driver, dir));
      const names = children.map(baseName);
      if (name && markers.some((m) => names.includes(m))) found.push(name);
      await Promise.all(
        children
          .filter((c) => !baseName(c).startsWith('_'))
          .map((c) => walk(c, name ? `${name}/${baseName(c)}` : baseName(c), depth + 1)),
      );
    };
    await walk(repositoriesRoot, '', 0);
    return found.sort();
  }
}

/** A page of a sorted list after `last`, at most `n` entries; `more` when entries remain. */
export function paginate(sorted: readonly string[], n: number | undefined, last: string | undefined): { items: string[]; more: boolean } {
  const after = last === undefined ? sorted : sorted.filter((item) => item > last);
  if (n === undefined) return { items: [...after], more: false };
  // n = 0 asks for nothing: an empty page with no next page, so no Link (OCI spec, end-8b:
  // "When n is zero, this endpoint MUST return an empty list, and MUST NOT include a Link header").
  return { items: after.slice(0, n), more: n > 0 && after.length > n };
}
