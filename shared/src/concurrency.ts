// Bounded concurrency for work driven by input (a manifest's references, a tree walk, a listing):
// a list of any length must never start more than a few operations at once, or one request can
// take every file descriptor or connection of the process.

/** Thrown by Semaphore.acquire when no permit came within the wait allowed. */
export class SemaphoreTimeoutError extends Error {
  constructor(readonly waitedMs: number) {
    super(`no permit within ${waitedMs} ms`);
    this.name = 'SemaphoreTimeoutError';
  }
}

function assertCapacity(capacity: number, what: string): void {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`${what} must be a positive integer, got ${capacity}`);
}

/**
 * Counting semaphore: at most `capacity` permits out at once; waiters are served in arrival order
 * (a released permit passes straight to the oldest waiter, so newcomers cannot barge ahead).
 * A ByteBudget whose every request is one unit.
 */
export class Semaphore {
  private readonly units: ByteBudget;

  constructor(readonly capacity: number) {
    assertCapacity(capacity, 'capacity');
    this.units = new ByteBudget(capacity);
  }

  get inUse(): number {
    return this.units.inUse;
  }

  get queued(): number {
    return this.units.queued;
  }

  /** A permit, as the function that gives it back (idempotent); rejects after `timeoutMs`. */
  acquire(timeoutMs?: number): Promise<() => void> {
    return this.units.acquire(1, timeoutMs);
  }

  /** Runs `run` holding a permit. */
  async run<T>(run: () => Promise<T>, timeoutMs?: number): Promise<T> {
    const release = await this.acquire(timeoutMs);
    try {
      return await run();
    } finally {
      release();
    }
  }
}

/**
 * Calls `run` on every item, at most `concurrency` at a time, and resolves to the results in
 * item order. Fails fast: the first rejection rejects the whole, and no further item starts.
 */
export async function mapBounded<T, R>(items: readonly T[], concurrency: number, run: (item: T, index: number) => Promise<R>): Promise<R[]> {
  assertCapacity(concurrency, 'concurrency');
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await run(items[index] as T, index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** The distinct items, in the order first seen, by `key` (the item itself by default). */
export function distinct<T>(items: Iterable<T>, key: (item: T) => unknown = (item) => item): T[] {
  const seen = new Set<unknown>();
  const kept: T[] = [];
  for (const item of items) {
    const k = key(item);
    if (seen.has(k)) continue;
    seen.add(k);
    kept.push(item);
  }
  return kept;
}

/**
 * A budget of bytes held at once (request bodies read whole, for example): `acquire(n)` waits,
 * in arrival order, until `n` bytes are free. A request for more than the whole budget is
 * granted the whole budget once it is all free, so it cannot wait forever.
 */
export class ByteBudget {
  private used = 0;
  private readonly waiting: Array<{ bytes: number; grant: () => void }> = [];

  constructor(readonly capacityBytes: number) {
    assertCapacity(capacityBytes, 'capacityBytes');
  }

  get inUse(): number {
    return this.used;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** `bytes` of the budget now, or undefined when they are not free (or others wait for theirs). */
  tryAcquire(bytes: number): (() => void) | undefined {
    const wanted = Math.min(Math.max(0, Math.ceil(bytes)), this.capacityBytes);
    if (this.waiting.length > 0 || this.used + wanted > this.capacityBytes) return undefined;
    this.used += wanted;
    return this.releaser(wanted);
  }

  /** `bytes` of the budget, as the function that gives them back (idempotent); rejects after `timeoutMs`. */
  async acquire(bytes: number, timeoutMs?: number): Promise<() => void> {
    const wanted = Math.min(Math.max(0, Math.ceil(bytes)), this.capacityBytes);
    if (this.waiting.length === 0 && this.used + wanted <= this.capacityBytes) {
      this.used += wanted;
      return this.releaser(wanted);
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        bytes: wanted,
        grant: (): void => {
          if (timer) clearTimeout(timer);
          resolve();
        },
      };
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.waiting.splice(this.waiting.indexOf(waiter), 1);
              reject(new SemaphoreTimeoutError(timeoutMs));
              // The head leaving may let the next ones in.
              this.grantWaiting();
            }, timeoutMs);
      this.waiting.push(waiter);
    });
    return this.releaser(wanted);
  }

  private releaser(bytes: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
      this.grantWaiting();
    };
  }

  /** Grants waiters in order while the oldest fits (no overtaking, so a big one is not starved). */
  private grantWaiting(): void {
    while (this.waiting.length > 0 && this.used + this.waiting[0]!.bytes <= this.capacityBytes) {
      const next = this.waiting.shift()!;
      this.used += next.bytes;
      next.grant();
    }
  }
}

/**
 * One operation at a time per key within this process (an upload, an image id, a repository's
 * tag): operations on one key run in the order they came, others in parallel. A key is dropped
 * when its last operation ends, so the map never outgrows the work in flight.
 */
export class KeyedLock {
  private readonly busy = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.busy.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.busy.set(key, settled);
    void settled.then(() => {
      if (this.busy.get(key) === settled) this.busy.delete(key);
    });
    return next;
  }

  /** Keys with an operation running or waiting. */
  get size(): number {
    return this.busy.size;
  }
}
