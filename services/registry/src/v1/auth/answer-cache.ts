// Positive answers of the index, remembered for a short while: Docker reuses one token for every
// request of a push or pull, and the registry re-validates each (docs/protocol-v1.md, "Token"), so
// without this every layer costs an index round trip. Only "yes" is remembered — a "no" or a
// failure is asked again next time, so a token the index just issued is never refused from cache.
// Identical questions in flight share one call (Docker looks several images up at once).

export interface AnswerCacheOptions {
  ttlMs: number;
  now?: () => number;
  /** Entries kept at most; the oldest go first. */
  limit?: number;
}

export class AnswerCache {
  private readonly until = new Map<string, number>();
  private readonly pending = new Map<string, Promise<boolean>>();
  private readonly now: () => number;
  private readonly limit: number;

  constructor(private readonly options: AnswerCacheOptions) {
    this.now = options.now ?? Date.now;
    this.limit = options.limit ?? 10_000;
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
    if (answer && this.options.ttlMs > 0) this.remember(key);
    return answer;
  }

  private remember(key: string): void {
    if (this.until.size >= this.limit) {
      const oldest = this.until.keys().next().value;
      if (oldest !== undefined) this.until.delete(oldest);
    }
    this.until.set(key, this.now() + this.options.ttlMs);
  }
}
