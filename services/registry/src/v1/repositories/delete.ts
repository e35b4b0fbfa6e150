// DELETE /v1/repositories/<r>/ (docs/protocol-v1.md, "Sequences (Docker 1.5)", Delete): the registry
// "deletes the repository and everything associated to it" — its v1 tags and memberships, and
// its v2 manifests, tags, layer links and uploads. Manifests are deleted through the manifest
// store, so each deletion is reported like a v2 DELETE. Blobs stay: content is shared by every
// repository that links it, and v1 images stay for the other repositories they belong to.
import { isDigest } from '@wharf/shared';
import type { StorageDriver } from '../../storage/driver/driver.js';
import { baseName, deleteIfPresent, listIfPresent } from '../../storage/links.js';
import { manifestRevisionsPath, repositoryPath } from '../../storage/paths.js';
import type { ChangeOrigin } from '../../storage/registry-storage.js';
import { V1Error } from '../errors.js';
import type { V1Deps } from '../deps.js';

/** Digests of the repository's v2 manifest revisions (revisions/<alg>/<hex>/link). */
async function revisions(driver: StorageDriver, name: string): Promise<string[]> {
  const digests: string[] = [];
  for (const algorithm of await listIfPresent(driver, manifestRevisionsPath(name))) {
    for (const hex of await listIfPresent(driver, algorithm)) {
      const digest = `${baseName(algorithm)}:${baseName(hex)}`;
      if (isDigest(digest)) digests.push(digest);
    }
  }
  return digests;
}

/**
 * The repository's own data directories (_layers, _manifests, _uploads, _referrers…); other
 * children are nested repositories (v2 names may be deeper than ns/repo) and are not touched.
 */
async function dataDirectories(driver: StorageDriver, name: string): Promise<string[]> {
  return (await listIfPresent(driver, repositoryPath(name))).filter((path) => baseName(path).startsWith('_'));
}

export async function deleteRepository(deps: V1Deps, name: string, origin: ChangeOrigin): Promise<void> {
  const { membership, tags, v2 } = deps.storage;
  await tags.exclusive(name, async () => {
    const hasV1 = await tags.exists(name);
    const data = await dataDirectories(v2.driver, name);
    if (!hasV1 && data.length === 0) throw new V1Error('REPOSITORY_NOT_FOUND');
    for (const digest of await revisions(v2.driver, name)) {
      if (await v2.manifests.exists(name, digest)) await v2.manifests.delete(name, digest, origin);
    }
    for (const path of data) await deleteIfPresent(v2.driver, path);
    await membership.removeRepository(name);
    await tags.removeRepository(name);
  });
}
