// v1 tags: repositories/<name>/tags/<tag> holds the image id (as the Python registry kept
// `tag_<name>` files), and bridged/<tag> the digest of the v2 manifest the bridge made for it, so
// deleting the v1 tag removes the v2 tag only while it still points at what the bridge put there.
import type { StorageDriver } from '../../storage/driver/driver.js';
import { isPathNotFound } from '../../storage/driver/driver.js';
import { baseName, deleteIfPresent, listIfPresent } from '../../storage/links.js';
import { bridgedPath, v1RepositoryPath, v1TagPath, v1TagsPath } from './paths.js';
import { isImageId } from './image-store.js';
import { KeyedLock } from '@wharf/shared';

async function readText(driver: StorageDriver, path: string): Promise<string | undefined> {
  try {
    return (await driver.getContent(path)).toString('utf8').trim();
  } catch (err) {
    if (isPathNotFound(err)) return undefined;
    throw err;
  }
}

export class V1TagStore {
  private readonly lock = new KeyedLock();

  constructor(private readonly driver: StorageDriver) {}

  /** Tag writes of one repository run one at a time, so a v1 tag and its v2 twin stay paired. */
  exclusive<T>(name: string, run: () => Promise<T>): Promise<T> {
    return this.lock.run(name, run);
  }

  /** Whether anything of the v1 repository exists (tags or images). */
  async exists(name: string): Promise<boolean> {
    return (await listIfPresent(this.driver, v1RepositoryPath(name))).length > 0;
  }

  async resolve(name: string, tag: string): Promise<string | undefined> {
    const id = await readText(this.driver, v1TagPath(name, tag));
    return id !== undefined && isImageId(id) ? id : undefined;
  }

  /** Every tag and the image it names, sorted by tag. */
  async list(name: string): Promise<Record<string, string>> {
    const tags: Record<string, string> = {};
    const paths = (await listIfPresent(this.driver, v1TagsPath(name))).sort();
    for (const path of paths) {
      const id = await this.resolve(name, baseName(path));
      if (id) tags[baseName(path)] = id;
    }
    return tags;
  }

  async tag(name: string, tag: string, id: string, bridgedDigest: string): Promise<void> {
    await this.driver.putContent(bridgedPath(name, tag), Buffer.from(bridgedDigest));
    await this.driver.putContent(v1TagPath(name, tag), Buffer.from(id));
  }

  bridged(name: string, tag: string): Promise<string | undefined> {
    return readText(this.driver, bridgedPath(name, tag));
  }

  /** Removes a tag; false when there was none. */
  async untag(name: string, tag: string): Promise<boolean> {
    const existed = await deleteIfPresent(this.driver, v1TagPath(name, tag));
    await deleteIfPresent(this.driver, bridgedPath(name, tag));
    return existed;
  }

  /** Removes the whole v1 repository directory (tags, bridge records, membership markers). */
  async removeRepository(name: string): Promise<void> {
    await deleteIfPresent(this.driver, v1RepositoryPath(name));
  }
}
