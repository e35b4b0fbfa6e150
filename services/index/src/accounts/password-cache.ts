// Remembers passwords bcrypt has just verified, so a client that sends the same Basic
// credentials for every token request (docker does, for each push and pull) pays bcrypt once a
// minute instead of every time. Only a SHA-256 of (user id, stored hash, password) is kept; the
// stored hash is part of the key, so a password change invalidates every entry at once.
import { createHash } from 'node:crypto';
import { ByteLru } from '@wharf/shared';

const ttlMs = 60_000;
const maxEntries = 10_000;
/** Keys are fixed-size hashes: 10,000 entries cost about 2 MiB. */
const maxBytes = 4 * 1024 * 1024;

export class PasswordCache {
  private readonly verified = new ByteLru<number>({ maxBytes, maxEntries });
  /** Checks under way, so a burst of requests with the same credentials runs bcrypt once. */
  private readonly pending = new Map<string, Promise<boolean>>();

  /** Whether the password is right: from the cache, a check under way, or `check` (bcrypt). */
  async verify(userId: number, passwordHash: string, secret: string, check: () => Promise<boolean>, now = Date.now()): Promise<boolean> {
    if (this.has(userId, passwordHash, secret, now)) return true;
    const key = this.key(userId, passwordHash, secret);
    let running = this.pending.get(key);
    if (!running) {
      running = check().finally(() => this.pending.delete(key));
      this.pending.set(key, running);
    }
    const ok = await running;
    if (ok) this.remember(userId, passwordHash, secret);
    return ok;
  }

  private key(userId: number, passwordHash: string, secret: string): string {
    return createHash('sha256').update(`${userId}\0${passwordHash}\0${secret}`).digest('base64');
  }

  has(userId: number, passwordHash: string, secret: string, now = Date.now()): boolean {
    const key = this.key(userId, passwordHash, secret);
    const until = this.verified.get(key);
    if (until === undefined) return false;
    if (until > now) return true;
    this.verified.delete(key);
    return false;
  }

  remember(userId: number, passwordHash: string, secret: string, now = Date.now()): void {
    this.verified.set(this.key(userId, passwordHash, secret), now + ttlMs);
  }
}
