// The writer journals this process last read or saved, so resuming a chunked upload (every PATCH)
// need not download its tail again: a HEAD proves the stored journal is still the one cached (same
// ETag, same metadata) and only a journal changed elsewhere is fetched. Bounded by tail bytes, so
// many idle uploads cannot hold much memory (and by count); an evicted journal is simply read from S3 again.
import { ByteLru, stringBytes } from '@wharf/shared';
import type { Journal } from './s3-writer.js';

interface Entry {
  etag: string;
  journal: Journal;
}

/** Tail bytes kept at most, over all cached journals. */
export const defaultJournalCacheBytes = 64 * 1024 * 1024;
/** Journals kept at most: a journal with an empty tail still costs its key and record. */
const maxJournals = 10_000;

export class JournalCache {
  private readonly entries: ByteLru<Entry>;

  constructor(maxBytes = defaultJournalCacheBytes) {
    this.entries = new ByteLru({ maxBytes, maxEntries: maxJournals, sizeOf: (e) => e.journal.tail.length + stringBytes(e.etag) });
  }

  /** A copy of the cached journal of key (the writer mutates its own), if its ETag is `etag`. */
  get(key: string, etag: string | undefined): Journal | undefined {
    const entry = this.entries.get(key);
    if (!entry || etag === undefined || entry.etag !== etag) return undefined;
    return { ...entry.journal };
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Remembers the journal as stored under `etag`; the tail is shared, never written to. */
  set(key: string, etag: string | undefined, journal: Journal): void {
    this.entries.delete(key);
    if (etag !== undefined) this.entries.set(key, { etag, journal: { ...journal } });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
