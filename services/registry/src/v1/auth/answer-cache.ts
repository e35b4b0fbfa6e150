// Positive answers of the index, remembered for a short while: Docker reuses one token for every
// request of a push or pull, and the registry re-validates each (docs/protocol-v1.md, "Token"), so
// without this every layer costs an index round trip. Only "yes" is remembered — a "no" or a
// failure is asked again next time, so a token the index just issued is never refused from cache.
// Identical questions in flight share one call (Docker looks several images up at once).
import { ByteLru } from '@wharf/shared';

export interface AnswerCacheOptions {
  ttlMs: number;
  now?: () => number;
  /** Entries kept at most; the least recently used go first. */
  limit?: number;
  /** Bytes kept at most (keys name repositories, so their length is the client's). */
  maxBytes?: number;
}

export class AnswerCache {
  private readonly until: ByteLru<number>;
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly now: () => number;

  constructor(private readonly options: AnswerCacheOptions) {
    this.now = options.now ?? Date.now;
    this.until = new ByteLru({ maxEntries: options.limit ?? 10_000, maxBytes: options.maxBytes ?? 4 * 1024 * 1024 });
  }

  async get(key: string, ask: () => Promise<boolean>): Promise<boolean> {
    const until = this.until.get(key);
    if (until !== undefined) {
      if (until > this.now()) return true;
      this.until.delete(key);
    }
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const asking = ask().finally(() => this.pending.delete(key));
    this.pending.set(key, asking);
    const answer = await asking;
    if (answer && this.options.ttlMs > 0) this.until.set(key, this.now() + this.options.ttlMs);
    return answer;
  }
}
