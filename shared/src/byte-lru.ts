// A least-recently-used cache bounded by bytes and by entries, the one every in-memory cache of
// Wharf uses, so each cache's memory is a known budget whatever the clients send. An entry's
// cost is its key, its value's bytes as the caller measures them (sizeOf), and a fixed overhead
// for the map slot and the objects around it; a value bigger than the whole budget is not kept.

/** Bytes a cache entry costs beyond its key and value: the map slot, entry objects, a timestamp. */
export const entryOverheadBytes = 128;

export interface ByteLruOptions<V> {
  /** Bytes kept at most over all entries (keys, values and overhead). */
  maxBytes: number;
  /** Entries kept at most. */
  maxEntries: number;
  /** The bytes a value holds (buffers, strings); 0 when it is a small fixed-size value. */
  sizeOf?: (value: V) => number;
}

interface Slot<V> {
  value: V;
  bytes: number;
}

export class ByteLru<V> {
  // A Map iterates in insertion order; re-inserting on use keeps the least recent first.
  private readonly slots = new Map<string, Slot<V>>();
  private total = 0;

  constructor(private readonly options: ByteLruOptions<V>) {
    if (!(options.maxBytes >= 0) || !(options.maxEntries >= 0)) throw new RangeError('ByteLru budgets must be non-negative numbers');
  }

  /** The value of key, which becomes the most recently used. */
  get(key: string): V | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.value;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  /** Stores value under key as the most recently used; false when it alone exceeds the budget. */
  set(key: string, value: V): boolean {
    this.delete(key);
    const bytes = stringBytes(key) + (this.options.sizeOf?.(value) ?? 0) + entryOverheadBytes;
    if (bytes > this.options.maxBytes || this.options.maxEntries === 0) return false;
    this.slots.set(key, { value, bytes });
    this.total += bytes;
    for (const [oldest, slot] of this.slots) {
      if (this.total <= this.options.maxBytes && this.slots.size <= this.options.maxEntries) break;
      this.slots.delete(oldest);
      this.total -= slot.bytes;
    }
    return true;
  }

  delete(key: string): boolean {
    const slot = this.slots.get(key);
    if (!slot) return false;
    this.slots.delete(key);
    this.total -= slot.bytes;
    return true;
  }

  clear(): void {
    this.slots.clear();
    this.total = 0;
  }

  /** Keys and values from the least to the most recently used; deleting meanwhile is safe. */
  *entries(): IterableIterator<[string, V]> {
    for (const [key, slot] of this.slots) yield [key, slot.value];
  }

  /** Entries held now. */
  get size(): number {
    return this.slots.size;
  }

  /** Bytes the entries held now are accounted at. */
  get bytes(): number {
    return this.total;
  }
}

/** Bytes a JS string may occupy (two per UTF-16 unit, the worst case). */
export function stringBytes(value: string): number {
  return value.length * 2;
}
