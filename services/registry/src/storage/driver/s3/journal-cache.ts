// The writer journals this process last read or saved, so resuming a chunked upload (every PATCH)
// need not download its tail again: a HEAD proves the stored journal is still the one cached (same
// ETag, same metadata) and only a journal changed elsewhere is fetched. Bounded by tail bytes, so
// many idle uploads cannot hold much memory; an evicted journal is simply read from S3 again.
import type { Journal } from './s3-writer.js';

interface Entry {
  etag: string;
  journal: Journal;
}

/** Tail bytes kept at most, over all cached journals. */
export const defaultJournalCacheBytes = 64 * 1024 * 1024;

export class JournalCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes = defaultJournalCacheBytes) {}

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
    this.delete(key);
    if (etag === undefined || journal.tail.length > this.maxBytes) return;
    this.entries.set(key, { etag, journal: { ...journal } });
    this.bytes += journal.tail.length;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.journal.tail.length;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.journal.tail.length;
  }
}
