// The storage driver contract: bytes by path, nothing about digests or tags. Modelled on
// Distribution's registry/storage/driver: small get/put, ranged readers, resumable writers
// that can be committed or cancelled, stat, list, move, delete. Paths are absolute,
// '/'-separated and checked by checked.ts before a driver sees them.
import type { Readable } from 'node:stream';

export interface FileInfo {
  path: string;
  size: number;
  modTime: Date;
  isDirectory: boolean;
}

/**
 * An append-only writer for one path. Bytes written are not guaranteed visible at their final
 * path until commit(); close() keeps them so that a later writer(path, true) resumes there.
 */
export interface FileWriter {
  /** Bytes held so far, including those of earlier sessions when resumed. */
  readonly size: number;
  /** Appends a whole stream; resolves with the number of bytes taken from it. */
  append(source: Readable): Promise<number>;
  /** Releases the writer, keeping what was written for a later resume. */
  close(): Promise<void>;
  /** Makes the content final at the path. */
  commit(): Promise<void>;
  /** Discards everything written to this path. */
  cancel(): Promise<void>;
}

export interface ReadOptions {
  /** First byte to read. */
  offset?: number;
  /** Last byte to read, inclusive. */
  end?: number;
}

export interface StorageDriver {
  readonly name: string;
  /** Reads a small file whole. */
  getContent(path: string): Promise<Buffer>;
  /** Writes a small file whole; readers see the old or the new content, never a mix. */
  putContent(path: string, content: Uint8Array): Promise<void>;
  reader(path: string, options?: ReadOptions): Promise<Readable>;
  writer(path: string, append: boolean): Promise<FileWriter>;
  stat(path: string): Promise<FileInfo>;
  /** Full paths of the direct children of a directory. */
  list(path: string): Promise<string[]>;
  /** Moves a file into place, replacing what is there. */
  move(source: string, destination: string): Promise<void>;
  /** Deletes a file or a whole directory tree. */
  delete(path: string): Promise<void>;
  /** A URL the client may fetch the content from directly, if the driver offers one. */
  redirectURL?(path: string, method: 'GET' | 'HEAD'): Promise<string | undefined>;
  /**
   * Releases what abandoned writers left outside any path (an object store's incomplete
   * multipart uploads) if they were started before `before`; returns the paths they were for.
   */
  abortStaleWrites?(before: Date): Promise<string[]>;
  /** Releases connections and timers. */
  close?(): Promise<void>;
}

export type DriverErrorKind = 'PathNotFound' | 'InvalidPath' | 'InvalidOffset' | 'Unsupported';

export class StorageDriverError extends Error {
  constructor(
    readonly kind: DriverErrorKind,
    readonly path: string,
    readonly driver: string,
    message?: string,
  ) {
    super(message ?? `${driver}: ${kind}: ${path}`);
    this.name = 'StorageDriverError';
  }
}

export function isPathNotFound(err: unknown): boolean {
  return err instanceof StorageDriverError && err.kind === 'PathNotFound';
}
