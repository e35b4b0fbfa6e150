// Purges abandoned uploads: any _uploads/<uuid> whose startedat is older than the configured age
// (or unreadable and older by modification time) is removed, as Distribution's upload purging does.
// Then the driver releases what writers left outside any path (S3's incomplete multipart uploads,
// which Distribution leaks): those started before the same cutoff.
import type { StorageDriver } from './driver/driver.js';
import { baseName, deleteIfPresent, listIfPresent } from './links.js';
import { uploadsPath } from './paths.js';
import type { Catalog } from './catalog.js';

async function startedAt(driver: StorageDriver, dir: string): Promise<number | undefined> {
  try {
    const text = (await driver.getContent(`${dir}/startedat`)).toString('utf8').trim();
    const time = Date.parse(text);
    if (!Number.isNaN(time)) return time;
  } catch {
    // fall through to the directory's modification time
  }
  try {
    return (await driver.stat(dir)).modTime.getTime();
  } catch {
    return undefined;
  }
}

/**
 * Deletes uploads started before now − age; returns `name/uuid` of each upload removed, then the
 * storage path of each abandoned write the driver aborted.
 */
export async function purgeUploads(driver: StorageDriver, catalog: Catalog, ageMs: number, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await catalog.walk(['_uploads'])) {
    for (const dir of await listIfPresent(driver, uploadsPath(name))) {
      const started = await startedAt(driver, dir);
      if (started !== undefined && now - started > ageMs && (await deleteIfPresent(driver, dir))) {
        removed.push(`${name}/${baseName(dir)}`);
      }
    }
  }
  const aborted = (await driver.abortStaleWrites?.(new Date(now - ageMs))) ?? [];
  return [...removed, ...aborted];
}
