// Bearer tokens of one upstream, kept per (realm, service, scope) until shortly before they
// expire (token.md: `expires_in`, 60 seconds when absent), so a pull of many blobs asks the
// token server once. Concurrent requests for the same key share one token request. Bounded by
// bytes too: an upstream decides how long its tokens are.
import { ByteLru, stringBytes } from '@wharf/shared';

export interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Tokens are dropped this long before their stated expiry, for clock skew and slow requests. */
const marginMs = 5_000;
const defaultLifetimeS = 60;
const maxEntries = 1024;
const maxBytes = 8 * 1024 * 1024;

export class TokenCache {
  private readonly tokens = new ByteLru<CachedToken>({ maxBytes, maxEntries, sizeOf: (t) => stringBytes(t.token) });
  private readonly pending = new Map<string, Promise<string>>();

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): string | undefined {
    const cached = this.tokens.get(key);
    if (!cached) return undefined;
    if (cached.expiresAt - marginMs <= this.now()) {
      this.tokens.delete(key);
      return undefined;
    }
    return cached.token;
  }

  /** The cached token, or the one `fetchToken` brings (once, however many callers wait). */
  async obtain(key: string, fetchToken: () => Promise<{ token: string; expiresIn?: number | undefined }>): Promise<string> {
    const cached = this.get(key);
    if (cached) return cached;
    let pending = this.pending.get(key);
    if (!pending) {
      pending = fetchToken()
        .then(({ token, expiresIn }) => {
          this.tokens.set(key, { token, expiresAt: this.now() + (expiresIn ?? defaultLifetimeS) * 1000 });
          return token;
        })
        .finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }

  /** Forgets a token the upstream refused, so the next request fetches a fresh one. */
  forget(key: string): void {
    this.tokens.delete(key);
  }
}
