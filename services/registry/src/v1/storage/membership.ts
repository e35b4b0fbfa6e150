// Which images belong to which repository: pushed under R's write token, or reachable from one
// of R's tags (the tagged image and its whole ancestry). Kept in both directions — repository →
// images says which shared copies (images stored before each repository kept its own, and
// standalone ones) are R's (auth/image-access.ts); image → repositories lists the holders of an
// id, for reads without a token — as small marker files.
import type { StorageDriver } from '../../storage/driver/driver.js';
import { isPathNotFound } from '../../storage/driver/driver.js';
import { baseName, deleteIfPresent, listIfPresent } from '../../storage/links.js';
import { imageRepositoriesPath, imageRepositoryMarkerPath, repositoryImageMarkerPath, repositoryImagesPath } from './paths.js';

export class Membership {
  constructor(private readonly driver: StorageDriver) {}

  async has(name: string, id: string): Promise<boolean> {
    try {
      await this.driver.stat(repositoryImageMarkerPath(name, id));
      return true;
    } catch (err) {
      if (isPathNotFound(err)) return false;
      throw err;
    }
  }

  /** Adds images to a repository. Callers add only memberships that are allowed, so a crash
   * between the two marker writes leaves a half that grants nothing it should not. */
  async add(name: string, ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      if (await this.has(name, id)) continue;
      await this.driver.putContent(imageRepositoryMarkerPath(id, name), Buffer.from(name));
      await this.driver.putContent(repositoryImageMarkerPath(name, id), Buffer.from(id));
    }
  }

  /**
   * The repositories an image belongs to (v1 names are always <namespace>/<repo>), sorted; with
   * `limit`, at most that many (some of them) and no more namespaces listed than it takes.
   */
  async repositoriesOf(id: string, limit = Infinity): Promise<string[]> {
    const names: string[] = [];
    for (const namespace of await listIfPresent(this.driver, imageRepositoriesPath(id))) {
      for (const repo of await listIfPresent(this.driver, namespace)) names.push(`${baseName(namespace)}/${baseName(repo)}`);
      if (names.length >= limit) break;
    }
    return names.slice(0, limit).sort();
  }

  async imagesOf(name: string): Promise<string[]> {
    return (await listIfPresent(this.driver, repositoryImagesPath(name))).map(baseName).sort();
  }

  /** Forgets every image of a repository (the images themselves stay: others may use them). */
  async removeRepository(name: string): Promise<void> {
    for (const id of await this.imagesOf(name)) await deleteIfPresent(this.driver, imageRepositoryMarkerPath(id, name));
    await deleteIfPresent(this.driver, repositoryImagesPath(name));
  }
}
