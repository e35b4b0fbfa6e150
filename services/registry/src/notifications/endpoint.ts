// One notification endpoint (Distribution's notifications/endpoint.go, with the queue made
// durable): write() stores the event in the endpoint's queue in the storage driver before it
// resolves, and one sender per endpoint across all instances (whoever holds the lease) posts
// the queue oldest first, a bounded batch per envelope, and removes entries only once the
// endpoint took them. A failure is retried with exponential backoff capped at maxBackoff; after
// `threshold` failures in a row the endpoint is logged as down and the batch is retried on
// (or given up, with dropAfterThreshold). Nothing is dropped on shutdown or restart: what is
// queued waits in storage for the next sender.
//
// A batch is bounded by events (maxBatch) and by bytes (maxBatchBytes). A batch the endpoint
// refuses for good (sender.ts: isPermanentRefusal) must not hold up the events behind it: the
// batch is halved until the refused entry is alone; that entry's events are then sent one by one
// (an entry holds concurrent requests' events, often several tenants'), and only the refused ones
// go to dead-letter/ with an error log line; an entry larger than the batch budget on its own goes
// there too. When the
// stored queue is at its byte budget (maxQueueBytes), new events are not stored: the push still
// succeeds, the event is counted as refused and logged (an outage of the receiver must not stop
// pushes), and the receiver misses it.
import type { Logger } from 'pino';
import { envelopeBytes, type Event } from '@wharf/shared';
import type { StorageDriver } from '../storage/driver/driver.js';
import type { EventFilter } from './filter.js';
import { Lease, type LeaseTiming } from './lease.js';
import { DurableQueue, QueueFullError, type QueueEntry } from './queue.js';
import { envelopeBody, isPermanentRefusal, sendEnvelope, type SendFailure, type SendOptions } from './sender.js';

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
  /** Most bytes in one envelope (and one stored entry). */
  maxBatchBytes: number;
  /** Most bytes of undelivered events stored; new events are refused past it. */
  maxQueueBytes: number;
  /** Most bytes of refused batches kept in dead-letter/ (the oldest are deleted past it). */
  maxDeadLetterBytes: number;
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
  /** Bytes in the stored queue when this instance last looked. */
  queuedBytes: number;
  /** Events this instance gave up on (dropAfterThreshold only). */
  dropped: number;
  /** Events this instance moved to dead-letter/ (refused for good, or too large). */
  deadLettered: number;
  /** Events not stored because the queue was at its byte budget. */
  refused: number;
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
  private readonly counts = { queued: 0, delivered: 0, dropped: 0, deadLettered: 0, refused: 0, errors: 0 };
  private running: Promise<void> | undefined;
  private waiting: Wait | undefined;
  private poked = false;
  private closing = false;
  private failures = 0;
  /** Most entries in the next batch: halved while a batch is refused for good, to find the culprit. */
  private narrowTo = Infinity;
  /** Whether the last event was refused for a full queue (logs once per episode). */
  private full = false;

  constructor(
    readonly options: EndpointOptions,
    private readonly deps: EndpointDeps,
  ) {
    this.timing = deps.timing ?? defaultQueueTiming;
    const limits = { entryEvents: this.timing.maxBatch, entryBytes: options.maxBatchBytes, queueBytes: options.maxQueueBytes, deadLetterBytes: options.maxDeadLetterBytes };
    this.queue = new DurableQueue(deps.driver, deps.dir, deps.producer, limits, () => this.poke());
    // A lease outlasts the longest POST three times over, so it cannot run out during one.
    const lease = { ...this.timing.lease, ttlMs: Math.max(this.timing.lease.ttlMs, options.timeoutMs * 3) };
    this.leaseTtlMs = lease.ttlMs;
    this.lease = new Lease(deps.driver, `${deps.dir}/lease`, deps.producer, lease);
  }

  /**
   * Stores the event in the queue unless the endpoint ignores it; rejects if storage fails. An
   * event the full queue has no room for is counted and logged, not stored.
   */
  async write(event: Event): Promise<void> {
    if (!this.deps.accepts(event)) return;
    try {
      await this.queue.append(event);
      if (this.full) this.deps.logger.info('notification queue has room again; events are stored');
      this.full = false;
    } catch (err) {
      if (!(err instanceof QueueFullError)) throw err;
      this.counts.refused++;
      if (!this.full) this.deps.logger.error({ eventId: event.id, maxQueueBytes: this.options.maxQueueBytes }, 'notification queue is at its byte budget: new events are not stored until the endpoint takes some');
      this.full = true;
    }
  }

  /** Starts this instance's sender (it delivers whenever it holds the lease). */
  start(): void {
    this.running ??= this.run().catch((err: unknown) => this.deps.logger.error({ err }, 'notification sender stopped'));
  }

  stats(): EndpointStats {
    return { ...this.counts, queuedBytes: this.queue.bytes, sending: this.lease.held };
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
    if (batch.oversize) return this.deadLetter([batch.oversize], batch.oversize.count, [], `an entry of ${batch.oversize.bytes} bytes exceeds the batch budget`);
    if (batch.events.length === 0) return;
    // Another instance may have taken over during the reads: then it sends, not this one.
    if (!(await this.lease.hold())) return;
    const failure = await sendEnvelope(this.options, envelopeBody(batch.events));
    if (failure === undefined) return this.delivered(batch.entries, batch.events.length);
    if (isPermanentRefusal(failure)) return this.refusedForGood(batch.entries, batch.events, failure);
    await this.failed(batch.entries, batch.events, failure.problem);
  }

  /**
   * The oldest entries, up to maxBatch events and maxBatchBytes (at least one entry), or the
   * first entry alone if it is over the byte budget by itself; unreadable ones set aside.
   */
  private async take(entries: QueueEntry[]): Promise<{ entries: QueueEntry[]; events: Event[]; oversize?: QueueEntry }> {
    const taken: QueueEntry[] = [];
    const events: Event[] = [];
    const sizes: number[] = [];
    for (const entry of entries) {
      if (taken.length >= this.narrowTo) break;
      if (taken.length > 0 && events.length + entry.count > this.timing.maxBatch) break;
      // An entry is an envelope; entries joined into one take no more than their sum.
      if (taken.length > 0 && envelopeBytes(sizes) + entry.bytes > this.options.maxBatchBytes) break;
      if (taken.length === 0 && entry.bytes > this.options.maxBatchBytes) return { entries: [], events: [], oversize: entry };
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
      // Entries written before names carried their size are measured once read.
      const bytes = entry.bytes || Buffer.byteLength(envelopeBody(read), 'utf8');
      if (taken.length === 0 && bytes > this.options.maxBatchBytes) return { entries: [], events: [], oversize: { ...entry, bytes } };
      if (taken.length > 0 && envelopeBytes(sizes) + bytes > this.options.maxBatchBytes) break;
      taken.push(entry);
      events.push(...read);
      sizes.push(...read.map((e) => Buffer.byteLength(JSON.stringify(e), 'utf8')));
    }
    return { entries: taken, events };
  }

  /**
   * The endpoint refused the batch for good: with several entries, the next batch takes half as
   * many (the refused events are found in a few steps, the others delivered); a single refused
   * entry goes to dead-letter/.
   */
  private async refusedForGood(entries: QueueEntry[], events: Event[], failure: SendFailure): Promise<void> {
    this.counts.errors++;
    if (entries.length > 1) {
      this.narrowTo = Math.ceil(entries.length / 2);
      this.deps.logger.warn({ events: events.length, problem: failure.problem, nextBatchEntries: this.narrowTo }, 'notification batch refused; sending smaller batches to find the refused events');
      return;
    }
    if (events.length > 1) return this.sendEach(entries[0]!, events);
    await this.deadLetter(entries, events.length, events.map((e) => e.id), `refused: ${failure.problem}`);
  }

  /**
   * A refused entry of several events holds several requests' events, often several tenants'
   * (group commit, queue.ts): each is sent alone, so that only the refused ones go to
   * dead-letter/. A failure that is not for good (or a lost lease) stops there; the entry then
   * keeps the events not yet sent, in its place.
   */
  private async sendEach(entry: QueueEntry, events: Event[]): Promise<void> {
    const refused: Event[] = [];
    let done = 0;
    let failure: SendFailure | undefined;
    while (done < events.length && (await this.lease.hold())) {
      failure = await sendEnvelope(this.options, envelopeBody([events[done]!]));
      if (failure !== undefined && !isPermanentRefusal(failure)) break;
      if (failure === undefined) this.counts.delivered++;
      else refused.push(events[done]!);
      failure = undefined;
      done++;
    }
    const delivered = done - refused.length;
    this.counts.queued = Math.max(0, this.counts.queued - delivered);
    if (refused.length) {
      const reason = 'refused when sent alone';
      await this.deadLetter([entry], refused.length, refused.map((e) => e.id), reason, () => this.queue.deadLetterEvents(entry, refused));
    }
    const left = await this.queue.narrow(entry, events.slice(done));
    this.narrowTo = Infinity;
    if (failure) await this.failed(left ? [left] : [], events.slice(done), failure.problem);
  }

  /** Moves entries (or some of their events) to dead-letter/ with a log line; the queue goes on with the next ones. */
  private async deadLetter(entries: QueueEntry[], count: number, eventIds: string[], reason: string, move = () => this.queue.deadLetter(entries)): Promise<void> {
    const deleted = await move();
    this.narrowTo = Infinity;
    this.failures = 0;
    this.counts.deadLettered += count;
    this.counts.queued = Math.max(0, this.counts.queued - count);
    this.deps.logger.error({ entries: entries.map((e) => e.name), events: count, eventIds, reason }, 'notification batch moved to dead-letter/; the events after it are sent');
    if (deleted.length) this.deps.logger.warn({ deleted, maxDeadLetterBytes: this.options.maxDeadLetterBytes }, 'dead-letter/ over its byte budget: its oldest entries deleted');
  }

  private async delivered(entries: QueueEntry[], count: number): Promise<void> {
    if (this.failures >= this.options.threshold) this.deps.logger.info({ failures: this.failures }, 'notification endpoint is back');
    this.failures = 0;
    this.narrowTo = Infinity;
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
