// Which registry instance delivers an endpoint's queue: a lease object in storage, so that with
// several instances over one store one sender keeps the endpoint's order. The driver contract
// has no compare-and-swap, so taking a lease is write, wait, read back: of instances racing for
// a free lease, the last write wins and every other sees it on reading back. The holder renews
// it well before it runs out and confirms it before each delivery; a holder that dies (SIGKILL)
// is replaced once its lease expires. Expiry is the holder's wall clock: instances sharing a
// store must have clocks within a few seconds of each other (NTP), far less than the lease time.
//
// The rare failure (a holder stalled longer than its lease, or a race a settle delay did not
// separate) lets two instances deliver for a moment: events may then arrive twice, which
// at-least-once delivery allows anyway; none is lost, since entries are only removed once sent.
import { setTimeout as sleep } from 'node:timers/promises';
import { isPathNotFound, type StorageDriver } from '../storage/driver/driver.js';

export interface LeaseTiming {
  /** How long a lease lasts without renewal. */
  ttlMs: number;
  /** Wait between writing a claim and reading it back. */
  settleMs: number;
}

interface LeaseRecord {
  holder: string;
  /** Milliseconds since the epoch, by the holder's clock. */
  expiresAt: number;
}

export class Lease {
  private expiresAt = 0;

  constructor(
    private readonly driver: StorageDriver,
    private readonly path: string,
    private readonly holder: string,
    private readonly timing: LeaseTiming,
  ) {}

  /** True while this instance holds the lease (as far as it last saw). */
  get held(): boolean {
    return Date.now() < this.expiresAt;
  }

  /**
   * Takes the lease if it is free or expired, or renews it if this instance holds it and a
   * third of its time has passed. Resolves whether this instance holds it now.
   */
  async hold(): Promise<boolean> {
    const current = await this.read();
    const mine = current?.holder === this.holder;
    if (current && !mine && current.expiresAt > Date.now()) return this.lost();
    if (mine && this.held && this.expiresAt - Date.now() > (this.timing.ttlMs * 2) / 3) return true;
    const expiresAt = Date.now() + this.timing.ttlMs;
    await this.write({ holder: this.holder, expiresAt });
    if (!mine) {
      // A claim raced by another instance: the last write wins, and both read it back.
      await sleep(this.timing.settleMs);
      if ((await this.read())?.holder !== this.holder) return this.lost();
    }
    this.expiresAt = expiresAt;
    return true;
  }

  /** Gives the lease up (on shutdown), so another instance takes over without waiting. */
  async release(): Promise<void> {
    if (!this.held) return;
    this.expiresAt = 0;
    if ((await this.read())?.holder === this.holder) {
      await this.driver.delete(this.path).catch((err: unknown) => {
        if (!isPathNotFound(err)) throw err;
      });
    }
  }

  private lost(): false {
    this.expiresAt = 0;
    return false;
  }

  private async read(): Promise<LeaseRecord | undefined> {
    let content: Buffer;
    try {
      content = await this.driver.getContent(this.path);
    } catch (err) {
      if (isPathNotFound(err)) return undefined;
      throw err;
    }
    try {
      const record = JSON.parse(content.toString('utf8')) as Partial<LeaseRecord>;
      if (typeof record.holder === 'string' && typeof record.expiresAt === 'number') return { holder: record.holder, expiresAt: record.expiresAt };
    } catch {
      // An unreadable lease is treated as none: it is rewritten by the next claim.
    }
    return undefined;
  }

  private write(record: LeaseRecord): Promise<void> {
    return this.driver.putContent(this.path, Buffer.from(JSON.stringify(record), 'utf8'));
  }
}
