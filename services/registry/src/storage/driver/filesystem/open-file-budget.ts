// The filesystem driver's budget of open files, one per process (there is one driver): however
// many requests arrive, and whatever they list, the driver holds at most `maxOpenFiles`
// descriptors, so sockets, logs and other requests always find one below the process limit.
//
// Two kinds of holder, so that waiting can never deadlock:
//   brief  — one operation (read or write a small file, list a directory) holds one descriptor
//            for its own duration and never waits for a second one while holding it;
//   stream — a blob read or an upload's append holds one for its life. Streams may hold at most
//            three quarters of the budget, so brief operations (every request's link reads, and a
//            stream's own holder finishing its request) always find a descriptor free.
// Every wait ends after `waitMs` with 503 UNAVAILABLE (Retry-After), never hangs.
import { RegistryError, Semaphore, SemaphoreTimeoutError } from '@wharf/shared';

export interface OpenFileBudgetOptions {
  maxOpenFiles: number;
  /** How long an operation waits for a descriptor before it is refused. */
  waitMs: number;
}

export const defaultOpenFileBudget: OpenFileBudgetOptions = { maxOpenFiles: 512, waitMs: 10_000 };

/** The share of the budget streams may hold; the rest is kept for brief operations. */
export function streamShare(maxOpenFiles: number): number {
  return Math.max(1, Math.floor((maxOpenFiles * 3) / 4));
}

export class OpenFileBudget {
  private readonly files: Semaphore;
  private readonly streams: Semaphore;

  constructor(private readonly options: OpenFileBudgetOptions = defaultOpenFileBudget) {
    this.files = new Semaphore(options.maxOpenFiles);
    this.streams = new Semaphore(streamShare(options.maxOpenFiles));
  }

  /** Descriptors held at most. */
  get capacity(): number {
    return this.files.capacity;
  }

  /** Descriptors held now. */
  get inUse(): number {
    return this.files.inUse;
  }

  /** Runs one operation holding one descriptor. */
  async brief<T>(run: () => Promise<T>): Promise<T> {
    const release = await this.acquire(this.files);
    try {
      return await run();
    } finally {
      release();
    }
  }

  /** One descriptor held until the returned function is called (a stream's life). */
  async hold(): Promise<() => void> {
    // The stream permit first: a stream waiting for a descriptor holds none that a brief
    // operation could need.
    const releaseStream = await this.acquire(this.streams);
    try {
      const releaseFile = await this.acquire(this.files);
      return () => {
        releaseFile();
        releaseStream();
      };
    } catch (err) {
      releaseStream();
      throw err;
    }
  }

  private async acquire(semaphore: Semaphore): Promise<() => void> {
    try {
      return await semaphore.acquire(this.options.waitMs);
    } catch (err) {
      if (!(err instanceof SemaphoreTimeoutError)) throw err;
      throw new RegistryError('UNAVAILABLE', {
        message: `storage is busy: no file could be opened within ${this.options.waitMs} ms`,
        headers: { 'Retry-After': String(Math.max(1, Math.ceil(this.options.waitMs / 1000))) },
      });
    }
  }
}
