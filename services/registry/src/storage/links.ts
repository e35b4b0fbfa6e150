// Link files: small files holding a digest, as Distribution writes them. Reading one checks that
// it holds a valid digest, so a damaged link is treated as absent rather than trusted.
import { isDigest } from '@wharf/shared';
import type { StorageDriver } from './driver/driver.js';
import { isPathNotFound } from './driver/driver.js';

export async function readLink(driver: StorageDriver, path: string): Promise<string | undefined> {
  try {
    const value = (await driver.getContent(path)).toString('utf8').trim();
    return isDigest(value) ? value : undefined;
  } catch (err) {
    if (isPathNotFound(err)) return undefined;
    throw err;
  }
}

export async function writeLink(driver: StorageDriver, path: string, digest: string): Promise<void> {
  await driver.putContent(path, Buffer.from(digest, 'utf8'));
}

/** Deletes a path; a missing one is not an error (deletes are idempotent). */
export async function deleteIfPresent(driver: StorageDriver, path: string): Promise<boolean> {
  try {
    await driver.delete(path);
    return true;
  } catch (err) {
    if (isPathNotFound(err)) return false;
    throw err;
  }
}

/** Children of a directory, or none when it does not exist. */
export async function listIfPresent(driver: StorageDriver, path: string): Promise<string[]> {
  try {
    return await driver.list(path);
  } catch (err) {
    if (isPathNotFound(err)) return [];
    throw err;
  }
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
