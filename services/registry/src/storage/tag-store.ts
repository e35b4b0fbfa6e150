// Tags: _manifests/tags/<tag>/current/link names the digest a tag points to now, and
// index/<alg>/<hex>/link records every digest it has pointed to (Distribution keeps both).
import { RegistryError } from '@wharf/shared';
import type { StorageDriver } from './driver/driver.js';
import { baseName, deleteIfPresent, listIfPresent, readLink, writeLink } from './links.js';
import { manifestsPath, tagCurrentLinkPath, tagIndexLinkPath, tagPath, tagsPath } from './paths.js';

export class TagStore {
  constructor(private readonly driver: StorageDriver) {}

  async resolve(name: string, tag: string): Promise<string | undefined> {
    return readLink(this.driver, tagCurrentLinkPath(name, tag));
  }

  async tag(name: string, tag: string, digest: string): Promise<void> {
    await writeLink(this.driver, tagIndexLinkPath(name, tag, digest), digest);
    await writeLink(this.driver, tagCurrentLinkPath(name, tag), digest);
  }

  async untag(name: string, tag: string): Promise<void> {
    if (!(await this.resolve(name, tag))) throw new RegistryError('MANIFEST_UNKNOWN', { detail: { name, tag } });
    await deleteIfPresent(this.driver, tagPath(name, tag));
  }

  /** Removes every tag currently pointing at `digest`. */
  async untagDigest(name: string, digest: string): Promise<string[]> {
    const removed: string[] = [];
    for (const tag of await this.list(name)) {
      if ((await this.resolve(name, tag)) === digest) {
        await deleteIfPresent(this.driver, tagPath(name, tag));
        removed.push(tag);
      }
    }
    return removed;
  }

  /**
   * Tag names, sorted; NAME_UNKNOWN for a repository that does not exist. One list of the tags
   * directory, as Distribution's tags.All: reading every tag's link as well would cost one
   * request per tag on object storage.
   */
  async list(name: string): Promise<string[]> {
    const children = await listIfPresent(this.driver, tagsPath(name));
    if (children.length === 0 && (await listIfPresent(this.driver, manifestsPath(name))).length === 0) {
      throw new RegistryError('NAME_UNKNOWN', { detail: { name } });
    }
    return children.map(baseName).sort();
  }
}
