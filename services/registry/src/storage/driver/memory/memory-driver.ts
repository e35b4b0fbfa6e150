// The in-memory driver, for tests and throwaway registries: a map of path → bytes; directories
// exist implicitly as prefixes of file paths, as on an object store.
import { Readable } from 'node:stream';
import type { FileInfo, FileWriter, ReadOptions, StorageDriver } from '../driver.js';
import { StorageDriverError } from '../driver.js';

interface MemoryFile {
  chunks: Buffer[];
  size: number;
  modTime: Date;
}

const name = 'memory';
/** Chunk size of readers; each chunk is a copy, so a consumer can never change stored bytes. */
const readChunk = 64 * 1024;

export class MemoryDriver implements StorageDriver {
  readonly name = name;
  private readonly files = new Map<string, MemoryFile>();
  /** The root always exists, as a directory does on disk; this is its time when empty. */
  private readonly created = new Date();

  private file(path: string): MemoryFile {
    const file = this.files.get(path);
    if (!file) throw new StorageDriverError('PathNotFound', path, name);
    return file;
  }

  private bytes(path: string): Buffer {
    const file = this.file(path);
    if (file.chunks.length !== 1) file.chunks = [Buffer.concat(file.chunks)];
    return file.chunks[0] ?? Buffer.alloc(0);
  }

  private childrenPrefix(path: string): string {
    return path === '/' ? '/' : `${path}/`;
  }

  async getContent(path: string): Promise<Buffer> {
    return Buffer.from(this.bytes(path));
  }

  async putContent(path: string, content: Uint8Array): Promise<void> {
    const data = Buffer.from(content);
    this.files.set(path, { chunks: [data], size: data.length, modTime: new Date() });
  }

  async reader(path: string, options: ReadOptions = {}): Promise<Readable> {
    const data = this.bytes(path);
    const start = options.offset ?? 0;
    if (start > data.length) throw new StorageDriverError('InvalidOffset', path, name);
    const end = options.end === undefined ? data.length : Math.min(options.end + 1, data.length);
    // data is never changed in place (appends and puts replace chunks), so copying lazily is safe.
    function* copies(): Generator<Buffer> {
      for (let at = start; at < end; at += readChunk) {
        yield Buffer.from(data.subarray(at, Math.min(at + readChunk, end)));
      }
    }
    return Readable.from(copies(), { objectMode: false });
  }

  async writer(path: string, append: boolean): Promise<FileWriter> {
    const existing = append ? this.files.get(path) : undefined;
    const file: MemoryFile = existing ?? { chunks: [], size: 0, modTime: new Date() };
    this.files.set(path, file);
    const files = this.files;
    return {
      get size() {
        return file.size;
      },
      async append(source: Readable): Promise<number> {
        let taken = 0;
        for await (const chunk of source) {
          // Always a copy: the caller may reuse its buffer once append resolves.
          const buf = Buffer.from(chunk as Uint8Array);
          file.chunks.push(buf);
          file.size += buf.length;
          taken += buf.length;
        }
        file.modTime = new Date();
        return taken;
      },
      async close() {},
      async commit() {},
      async cancel() {
        files.delete(path);
      },
    };
  }

  async stat(path: string): Promise<FileInfo> {
    const file = this.files.get(path);
    if (file) return { path, size: file.size, modTime: file.modTime, isDirectory: false };
    const prefix = this.childrenPrefix(path);
    let newest: Date | undefined;
    for (const [key, f] of this.files) {
      if (key.startsWith(prefix) && (!newest || f.modTime > newest)) newest = f.modTime;
    }
    if (!newest && path === '/') newest = this.created;
    if (!newest) throw new StorageDriverError('PathNotFound', path, name);
    return { path, size: 0, modTime: newest, isDirectory: true };
  }

  async list(path: string): Promise<string[]> {
    const prefix = this.childrenPrefix(path);
    const children = new Set<string>();
    for (const key of this.files.keys()) {
      if (key.startsWith(prefix)) children.add(prefix + key.slice(prefix.length).split('/')[0]);
    }
    if (children.size === 0 && path !== '/') throw new StorageDriverError('PathNotFound', path, name);
    return [...children];
  }

  async move(source: string, destination: string): Promise<void> {
    const file = this.file(source);
    this.files.delete(source);
    this.files.set(destination, file);
  }

  async delete(path: string): Promise<void> {
    const prefix = this.childrenPrefix(path);
    let found = this.files.delete(path);
    for (const key of [...this.files.keys()]) {
      if (key.startsWith(prefix)) {
        this.files.delete(key);
        found = true;
      }
    }
    if (!found) throw new StorageDriverError('PathNotFound', path, name);
  }
}

export function createMemoryDriver(): MemoryDriver {
  return new MemoryDriver();
}
