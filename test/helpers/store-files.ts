// Looking at a filesystem store from outside: how many bytes of blob data it holds, every file
// with its modification time (to show nothing changed), and making every file in it look old
// (so a collection with a short grace period takes what is unused).
import { readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';

/** Total bytes of blob data under a registry's root directory, from the files themselves. */
export async function storeBytes(dataDir: string): Promise<number> {
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name === 'data') total += (await stat(path)).size;
    }
  };
  await walk(join(dataDir, 'docker/registry/v2/blobs'));
  return total;
}

/** Sets the modification time of everything under `dir` back by `ms`. */
export async function ageFiles(dir: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await ageFiles(path, ms);
    await utimes(path, then, then);
  }
}

/** Every file under `dir` (relative path → size and modification time), to compare before and after. */
export async function snapshotFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await readdir(join(dir, sub), { withFileTypes: true })) {
      const path = join(sub, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        const info = await stat(join(dir, path));
        files.set(path, `${info.size} ${info.mtimeMs}`);
      }
    }
  };
  await walk('');
  return files;
}
