// The namespaces the private index owns: always local, never asked of an upstream. The registry
// has no database, so it reads the list from the index (GET /registry/namespaces, authenticated
// with the index's events secret, the credential the registry already holds for it), keeps it
// for a while and reloads it when a name's namespace is missing from it — a namespace created a
// moment ago is then seen on its first use. If the list cannot be had at all, every name counts
// as local: a failure must never send a private name upstream.
import type { Logger } from 'pino';

export interface LocalNamespacesOptions {
  url: string;
  secret: string;
  ttlMs: number;
  /** Reloads happen at most this often, however many unknown names arrive. */
  refreshMs: number;
  timeoutMs?: number;
}

export interface LocalNamespaces {
  /** Whether the namespace (a name's first component) is owned locally. */
  isLocal(namespace: string): Promise<boolean>;
}

export class IndexNamespaces implements LocalNamespaces {
  private names: Set<string> | undefined;
  private loadedAt = 0;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly options: LocalNamespacesOptions,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  async isLocal(namespace: string): Promise<boolean> {
    const age = this.now() - this.loadedAt;
    const stale = !this.names || age >= this.options.ttlMs;
    const miss = !this.names?.has(namespace) && age >= this.options.refreshMs;
    if (stale || miss) await this.reload();
    // Never loaded: the index is unreachable, so nothing may be assumed to be remote.
    if (!this.names) return true;
    return this.names.has(namespace);
  }

  private reload(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const url = `${this.options.url.replace(/\/+$/, '')}/registry/namespaces`;
    try {
      const res = await fetch(url, {
        headers: { Authorization: `Bearer ${this.options.secret}`, Accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { namespaces?: unknown };
      if (!Array.isArray(body.namespaces)) throw new Error('no namespaces list in the answer');
      this.names = new Set(body.namespaces.filter((n): n is string => typeof n === 'string'));
      this.loadedAt = this.now();
    } catch (err) {
      // A list loaded before stays in use (a namespace is rarely deleted); the next miss retries.
      this.loadedAt = this.names ? this.now() : this.loadedAt;
      this.logger.warn({ url, err: (err as Error).message, cached: this.names !== undefined }, 'could not load the local namespaces from the index');
    }
  }
}
