// Wraps every driver, as Distribution's driver/base does: validates paths against the layout
// grammar before any driver sees them, so no driver repeats those checks and no name from a
// request can walk outside the storage root.
import type { FileInfo, FileWriter, ReadOptions, StorageDriver } from './driver.js';
import { StorageDriverError } from './driver.js';

/** Absolute, '/'-separated; components of [A-Za-z0-9._:-]; never "." or "..". */
const pathGrammar = /^(\/[A-Za-z0-9._:-]+)+$/;

export function isValidPath(path: string): boolean {
  return (path === '/' || pathGrammar.test(path)) && !path.split('/').some((c) => c === '.' || c === '..');
}

export function checked(driver: StorageDriver): StorageDriver {
  const check = (path: string): string => {
    if (!isValidPath(path)) throw new StorageDriverError('InvalidPath', path, driver.name);
    return path;
  };
  const fileOnly = (path: string): string => {
    if (path === '/') throw new StorageDriverError('InvalidPath', path, driver.name);
    return check(path);
  };
  const wrapped: StorageDriver = {
    name: driver.name,
    getContent: async (p: string): Promise<Buffer> => driver.getContent(fileOnly(p)),
    putContent: async (p: string, c: Uint8Array): Promise<void> => driver.putContent(fileOnly(p), c),
    reader: async (p: string, o?: ReadOptions) => {
      const path = fileOnly(p);
      const offset = o?.offset ?? 0;
      if (!Number.isSafeInteger(offset) || offset < 0) {
        throw new StorageDriverError('InvalidOffset', path, driver.name);
      }
      // end is inclusive, so a range always holds at least the byte at offset.
      if (o?.end !== undefined && (!Number.isSafeInteger(o.end) || o.end < offset)) {
        throw new StorageDriverError('InvalidOffset', path, driver.name);
      }
      return driver.reader(path, o);
    },
    writer: async (p: string, append: boolean): Promise<FileWriter> => driver.writer(fileOnly(p), append),
    stat: async (p: string): Promise<FileInfo> => driver.stat(check(p)),
    list: async (p: string): Promise<string[]> => driver.list(check(p)),
    move: async (s: string, d: string): Promise<void> => driver.move(fileOnly(s), fileOnly(d)),
    delete: async (p: string): Promise<void> => driver.delete(fileOnly(p)),
  };
  if (driver.redirectURL) {
    const redirect = driver.redirectURL.bind(driver);
    wrapped.redirectURL = async (p, m) => redirect(fileOnly(p), m);
  }
  if (driver.abortStaleWrites) wrapped.abortStaleWrites = driver.abortStaleWrites.bind(driver);
  if (driver.close) wrapped.close = driver.close.bind(driver);
  return wrapped;
}
