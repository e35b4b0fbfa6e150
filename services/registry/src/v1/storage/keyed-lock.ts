// One operation at a time per key within this process (an image id, a repository's tag), so the
// check-then-write steps of a v1 push do not interleave. Across processes the records are still
// written whole, so the worst a race can do is make a client retry.

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

  /** Keys with an operation running or waiting; a key is dropped when its last one ends. */
  get size(): number {
    return this.busy.size;
  }
}
