// One notification endpoint (Distribution's notifications/endpoint.go, with the queue made
// durable): write() stores the event in the endpoint's queue in the storage driver before it
// resolves, and one sender per endpoint across all instances (whoever holds the lease) posts
// the queue oldest first, a bounded batch per envelope, and removes entries only once the
// endpoint took them. A failure is retried with exponential backoff capped at maxBackoff; after
// `threshold` failures in a row the endpoint is logged as down and the batch is retried on
// (or given up, with dropAfterThreshold). Nothing is dropped on shutdown or restart: what is
// queued waits in storage for the next sender.
import type { Logger } from 'pino';
import type { Event } from '@wharf/shared';
import type { StorageDriver } from '../storage/driver/driver.js';
import type { EventFilter } from './filter.js';
import { Lease, type LeaseTiming } from './lease.js';
import { DurableQueue, type QueueEntry } from './queue.js';
import { sendEnvelope, type SendOptions } from './sender.js';

export interface EndpointOptions extends SendOptions {
  name: string;
  /** Failed attempts in a row after which the endpoint is reported down. */
  threshold: number;
  /** Wait after the first failed attempt; doubles after each further one. */
  backoffMs: number;
  /** The longest wait between two attempts. */
  maxBackoffMs: number;
  /** Give a batch up after `threshold` failed attempts instead of retrying it on. */
  dropAfterThreshold: boolean;
}

export interface QueueTiming {
  /** How often an idle sender looks for entries other instances wrote (its own wake it at once). */
  pollMs: number;
  /** Most events per envelope (and per stored entry). */
  maxBatch: number;
  lease: LeaseTiming;
}

export const defaultQueueTiming: QueueTiming = { pollMs: 1000, maxBatch: 100, lease: { ttlMs: 10_000, settleMs: 250 } };

export interface EndpointDeps {
  driver: StorageDriver;
  /** The endpoint's directory in storage. */
  dir: string;
  /** This process's id in entry names and the lease. */
  producer: string;
  /** True for the events this endpoint wants. */
  accepts: EventFilter;
  logger: Logger;
  timing?: QueueTiming;
}

export interface EndpointStats {
  /** Events in the stored queue when this instance last looked (every instance looks). */
  queued: number;
  /** Events this instance delivered. */
  delivered: number;
  /** Events this instance gave up on (dropAfterThreshold only). */
  dropped: number;
  /** Failed delivery attempts of this instance. */
  errors: number;
  /** Whether this instance is the endpoint's sender now. */
  sending: boolean;
}

/** A wait that close() (and, for idle waits, a new local entry) cuts short. */
interface Wait {
  promise: Promise<void>;
  wake(): void;
  idle: boolean;
}

export class Endpoint {
  private readonly queue: DurableQueue;
  private readonly lease: Lease;
  private readonly leaseTtlMs: number;
  private readonly timing: QueueTiming;
  private readonly counts = { queued: 0, delivered: 0, dropped: 0, errors: 0 };
  private running: Promise<void> | undefined;
  private waiting: Wait | undefined;
  private poked = false;
  private closing = false;
  private failures = 0;

  constructor(
    readonly options: EndpointOptions,
    private readonly deps: EndpointDeps,
  ) {
    this.timing = deps.timing ?? defaultQueueTiming;
    this.queue = new DurableQueue(deps.driver, deps.dir, deps.producer, this.timing.maxBatch, () => this.poke());
    // A lease outlasts the longest POST three times over, so it cannot run out during one.
    const lease = { ...this.timing.lease, ttlMs: Math.max(this.timing.lease.ttlMs, options.timeoutMs * 3) };
    this.leaseTtlMs = lease.ttlMs;
    this.lease = new Lease(deps.driver, `${deps.dir}/lease`, deps.producer, lease);
  }

  /** Stores the event in the queue unless the endpoint ignores it; rejects if storage fails. */
  async write(event: Event): Promise<void> {
    if (!this.deps.accepts(event)) return;
    await this.queue.append(event);
  }

  /** Starts this instance's sender (it delivers whenever it holds the lease). */
  start(): void {
    this.running ??= this.run().catch((err: unknown) => this.deps.logger.error({ err }, 'notification sender stopped'));
  }

  stats(): EndpointStats {
    return { ...this.counts, sending: this.lease.held };
  }

  /** Stops the sender (an envelope in flight gets its timeout), then frees the lease. */
  async close(): Promise<void> {
    this.closing = true;
    this.waiting?.wake();
    await this.running;
    await this.queue.settled();
    await this.lease.release().catch((err: unknown) => this.deps.logger.warn({ err }, 'could not release the notification lease'));
  }

  private poke(): void {
    this.poked = true;
    if (this.waiting?.idle) this.waiting.wake();
  }

  private async run(): Promise<void> {
    while (!this.closing) {
      try {
        await this.step();
      } catch (err) {
        // Storage trouble: nothing is lost (entries stay until sent); look again after a pause.
        this.deps.logger.error({ err }, 'notification queue: storage failed; retrying');
        await this.pause(this.timing.pollMs, false);
      }
    }
  }

  private async step(): Promise<void> {
    this.poked = false;
    const sending = await this.lease.hold();
    const entries = await this.queue.list();
    this.counts.queued = entries.reduce((sum, e) => sum + e.count, 0);
    if (!sending || entries.length === 0) return this.pause(this.timing.pollMs, true);

    const batch = await this.take(entries);
    if (batch.events.length === 0) return;
    // Another instance may have taken over during the reads: then it sends, not this one.
    if (!(await this.lease.hold())) return;
    const problem = await sendEnvelope(this.options, batch.events);
    if (problem === undefined) return this.delivered(batch.entries, batch.events.length);
    await this.failed(batch.entries, batch.events, problem);
  }

  /** The oldest entries, up to maxBatch events (at least one entry); unreadable ones set aside. */
  private async take(entries: QueueEntry[]): Promise<{ entries: QueueEntry[]; events: Event[] }> {
    const taken: QueueEntry[] = [];
    const events: Event[] = [];
    for (const entry of entries) {
      if (taken.length > 0 && events.length + entry.count > this.timing.maxBatch) break;
      let read: Event[] | undefined;
      try {
        read = await this.queue.read(entry);
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err;
        this.deps.logger.error({ entry: entry.name, err }, 'unreadable notification entry set aside under corrupt/');
        await this.queue.setAside(entry);
        continue;
      }
      // Gone: another instance delivered it a moment ago.
      if (read === undefined) continue;
      taken.push(entry);
      events.push(...read);
    }
    return { entries: taken, events };
  }

  private async delivered(entries: QueueEntry[], count: number): Promise<void> {
    if (this.failures >= this.options.threshold) this.deps.logger.info({ failures: this.failures }, 'notification endpoint is back');
    this.failures = 0;
    this.counts.delivered += count;
    // A crash before this removal sends these events again: at least once, never lost.
    await this.queue.remove(entries);
    this.counts.queued = Math.max(0, this.counts.queued - count);
  }

  private async failed(entries: QueueEntry[], events: Event[], problem: string): Promise<void> {
    this.failures++;
    this.counts.errors++;
    const log = { attempt: this.failures, events: events.length, problem };
    if (this.failures >= this.options.threshold && this.options.dropAfterThreshold) {
      this.deps.logger.error({ ...log, eventIds: events.map((e) => e.id) }, 'notification batch dropped after `threshold` failed attempts');
      this.counts.dropped += events.length;
      this.failures = 0;
      await this.queue.remove(entries);
      return;
    }
    const waitMs = Math.min(this.options.backoffMs * 2 ** Math.min(this.failures - 1, 30), this.options.maxBackoffMs);
    if (this.failures === this.options.threshold) {
      this.deps.logger.error({ ...log, retryInMs: waitMs }, 'notification endpoint is down; its events stay queued and are retried');
    } else {
      this.deps.logger.warn({ ...log, retryInMs: waitMs }, 'notification failed; retrying');
    }
    await this.pause(waitMs, false);
  }

  /**
   * Waits ms, renewing the lease on the way, so a long backoff neither loses it nor lets another
   * instance hammer the endpoint meanwhile. An idle wait ends early when this process queues.
   */
  private async pause(ms: number, idle: boolean): Promise<void> {
    const deadline = Date.now() + ms;
    const chunk = Math.max(1, this.leaseTtlMs / 3);
    while (!this.closing && !(idle && this.poked)) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      await this.sleep(Math.min(left, chunk), idle);
      // A failed renewal must not cut a backoff short; the next step sees whether the lease is kept.
      if (this.lease.held && Date.now() < deadline) await this.lease.hold().catch(() => false);
    }
  }

  private sleep(ms: number, idle: boolean): Promise<void> {
    let wake = () => {};
    const promise = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      // The sender alone must not keep the process alive.
      timer.unref();
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.waiting = { promise, wake, idle };
    return promise.finally(() => {
      this.waiting = undefined;
    });
  }
}
