// One notification endpoint (as Distribution's notifications/endpoint.go, sinks.go, http.go): an
// in-memory queue drained by a single sender, so events reach the endpoint in the order they
// happened. Whatever queued while a request was in flight goes out as the next envelope. A
// failed envelope is retried with exponential backoff up to `threshold` attempts, then dropped
// and logged: a request never waits for, or fails because of, an endpoint.
import type { Logger } from 'pino';
import { mediaTypes, type Event } from '@wharf/shared';

export interface EndpointOptions {
  name: string;
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Attempts per envelope. */
  threshold: number;
  /** Wait after the first failed attempt; doubles after each further one. */
  backoffMs: number;
}

export interface EndpointStats {
  /** Events queued or in flight. */
  pending: number;
  delivered: number;
  /** Events given up on: attempts exhausted, queue full, or written after close. */
  dropped: number;
  /** Failed attempts. */
  errors: number;
}

/** Events per envelope: keeps a request small after a backlog built up. */
const maxBatch = 100;
/** Past this many waiting events an endpoint is clearly down; newer events are dropped. */
const maxQueue = 10_000;
/** No single wait is longer than this, however many attempts the threshold allows. */
const maxBackoffMs = 5 * 60_000;

export class Endpoint {
  private readonly queue: Event[] = [];
  private inFlight = 0;
  private sending: Promise<void> | undefined;
  private closing = false;
  private interruptWait: (() => void) | undefined;
  private readonly counts = { delivered: 0, dropped: 0, errors: 0 };

  constructor(
    readonly options: EndpointOptions,
    private readonly logger: Logger,
  ) {}

  /** Queues an event; returns at once. */
  write(event: Event): void {
    if (this.closing || this.queue.length >= maxQueue) {
      this.counts.dropped++;
      this.logger.error({ eventId: event.id, action: event.action, closing: this.closing }, 'notification dropped: endpoint queue closed or full');
      return;
    }
    this.queue.push(event);
    this.startSending();
  }

  stats(): EndpointStats {
    return { pending: this.queue.length + this.inFlight, ...this.counts };
  }

  /**
   * Stops taking events and flushes the queue: waits in progress are cut short and every
   * remaining envelope gets one more attempt, so closing takes at most a timeout per envelope.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.interruptWait?.();
    while (this.sending) await this.sending;
  }

  private startSending(): void {
    if (this.sending) return;
    this.sending = this.drain()
      // deliver() handles every failure it expects; anything else must not become an unhandled rejection.
      .catch((err: unknown) => this.logger.error({ err }, 'notification sender failed'))
      .finally(() => {
        this.sending = undefined;
        // An event written between the drain's last look at the queue and this callback.
        if (this.queue.length) this.startSending();
      });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, maxBatch);
      this.inFlight = batch.length;
      const delivered = await this.deliver(batch);
      this.inFlight = 0;
      if (delivered) this.counts.delivered += batch.length;
      else this.counts.dropped += batch.length;
    }
  }

  private async deliver(batch: Event[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const problem = await this.post(batch);
      if (problem === undefined) return true;
      this.counts.errors++;
      const log = { attempt, events: batch.length, problem };
      if (attempt >= this.options.threshold || this.closing) {
        this.logger.error({ ...log, eventIds: batch.map((e) => e.id) }, 'notification envelope dropped after its last attempt');
        return false;
      }
      const waitMs = Math.min(this.options.backoffMs * 2 ** (attempt - 1), maxBackoffMs);
      this.logger.warn({ ...log, retryInMs: waitMs }, 'notification failed; retrying');
      await this.wait(waitMs);
    }
  }

  /** One POST of the envelope; undefined on success, else what went wrong. */
  private async post(batch: Event[]): Promise<string | undefined> {
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers: { ...this.options.headers, 'Content-Type': mediaTypes.events },
        body: JSON.stringify({ events: batch }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      await response.body?.cancel();
      // notifications.md, "Responses": any 2xx or 3xx (after redirects) means delivered.
      return response.status >= 200 && response.status < 400 ? undefined : `HTTP ${response.status}`;
    } catch (err) {
      // fetch says only "fetch failed"; the cause names the refused connection or the timeout.
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      return err instanceof Error ? `${err.message}${cause}` : String(err);
    }
  }

  private wait(ms: number): Promise<void> {
    if (this.closing) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      // A backoff alone must not keep the process alive.
      timer.unref();
      this.interruptWait = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => {
      this.interruptWait = undefined;
    });
  }
}
