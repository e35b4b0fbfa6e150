// A driver decorator that keeps the catalog index (catalog-index.ts) in step with the tree: a
// write into a repository's _layers or _manifests first makes sure its marker exists, and
// deleting a repository (or its _layers/_manifests) removes the markers of what is left empty.
// Decorating the driver catches every writer (v2 stores, the v1 bridge, deletes) in one place.
import type { StorageDriver } from './driver/driver.js';
import type { CatalogIndex } from './catalog-index.js';
import { repositoriesRoot } from './paths.js';

const dataDirectories = new Set(['_layers', '_manifests']);

interface RepositoryPath {
  name: string;
  /** The repository's data directory the path is in ('_layers', '_uploads', …), if any. */
  data?: string;
  /** True when the path is the data directory itself, not something below it. */
  whole: boolean;
}

/** Which repository a storage path belongs to, if it is under repositories/. */
function repositoryPathOf(path: string): RepositoryPath | undefined {
  if (!path.startsWith(`${repositoriesRoot}/`)) return undefined;
  const components = path.slice(repositoriesRoot.length + 1).split('/');
  const at = components.findIndex((c) => c.startsWith('_'));
  if (at === 0) return undefined;
  if (at === -1) return { name: components.join('/'), whole: true };
  return { name: components.slice(0, at).join('/'), data: components[at]!, whole: at === components.length - 1 };
}

export function withCatalogIndex(driver: StorageDriver, index: CatalogIndex): StorageDriver {
  const noteWrite = async (path: string): Promise<void> => {
    const repo = repositoryPathOf(path);
    if (repo?.data && dataDirectories.has(repo.data)) await index.ensure(repo.name);
  };
  const noteDelete = async (path: string): Promise<void> => {
    const repo = repositoryPathOf(path);
    if (!repo?.whole) return;
    if (repo.data === undefined) await index.removeEmptyUnder(repo.name);
    else if (dataDirectories.has(repo.data)) await index.removeIfEmpty(repo.name);
  };
  const wrapped: StorageDriver = {
    name: driver.name,
    getContent: (p) => driver.getContent(p),
    putContent: async (p, c) => {
      await noteWrite(p);
      await driver.putContent(p, c);
    },
    reader: (p, o) => driver.reader(p, o),
    writer: async (p, a) => {
      await noteWrite(p);
      return driver.writer(p, a);
    },
    stat: (p) => driver.stat(p),
    list: (p) => driver.list(p),
    move: async (s, d) => {
      await noteWrite(d);
      await driver.move(s, d);
    },
    delete: async (p) => {
      await driver.delete(p);
      await noteDelete(p);
    },
  };
  if (driver.redirectURL) wrapped.redirectURL = driver.redirectURL.bind(driver);
  if (driver.close) wrapped.close = driver.close.bind(driver);
  if (driver.abortStaleWrites) wrapped.abortStaleWrites = driver.abortStaleWrites.bind(driver);
  return wrapped;
}
