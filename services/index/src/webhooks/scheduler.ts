// Fair scheduling of webhook deliveries (issue #12: one tenant must not delay everyone's
// webhooks). A continuous pool, not rounds: a delivery starts whenever a slot is free, within
// three limits: the pool's size, a cap per target (host:port), so a tarpit holds only its own
// slots, and a cap per namespace, so one tenant holds a share of the pool at most. Namespaces
// take turns: each sweep starts one delivery per namespace, beginning after the one served last.
// The queue itself stays in SQLite; only the deliveries being attempted are held in memory.
import type { IndexStore } from '../db/store.js';
import type { Delivery, DueWebhook } from '../db/webhooks.js';

export interface FairnessLimits {
  /** Deliveries attempted at once, in all. */
  concurrency: number;
  /** Deliveries attempted at once to one host:port. */
  perTarget: number;
  /** Deliveries attempted at once for one namespace's webhooks. */
  perNamespace: number;
}

/** Candidate webhooks read per namespace each time slots are filled, per slot of its share. */
const candidatesPerSlot = 4;

/** The host:port a webhook URL connects to: the unit of per-target concurrency. */
export function targetOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol === 'https:' ? '443' : '80')}`;
}

class Tally {
  private readonly counts = new Map<string | number, number>();
  of(key: string | number): number {
    return this.counts.get(key) ?? 0;
  }
  add(key: string | number, delta: number): void {
    const next = this.of(key) + delta;
    if (next === 0) this.counts.delete(key);
    else this.counts.set(key, next);
  }
}

export interface SchedulerOptions {
  limits: FairnessLimits;
  /** Makes one attempt at a delivery and records its outcome; never rejects on a failed POST. */
  attempt: (delivery: Delivery) => Promise<void>;
  now: () => Date;
  onError: (err: unknown) => void;
  /** Attempt each delivery at most once in this scheduler's life (a one-off pass, as in tests). */
  once?: boolean;
}

export class DeliveryScheduler {
  /** Each delivery being attempted, by id: its attempt, settled once its slot is free again. */
  private readonly running = new Map<number, Promise<void>>();
  private readonly perNamespace = new Tally();
  private readonly perTarget = new Tally();
  /** With `once`: every delivery started so far (else only those running are skipped). */
  private readonly attempted = new Set<number>();
  private startedCount = 0;
  private lastNamespace = -1;
  private stopped = false;
  private fillQueued = false;

  constructor(
    private readonly store: IndexStore,
    private readonly options: SchedulerOptions,
  ) {}

  /** How many deliveries were started so far. */
  get started(): number {
    return this.startedCount;
  }

  /** Starts due deliveries while slots are free; runs on a timer and whenever one finishes. */
  fill(): void {
    const { limits } = this.options;
    if (this.stopped || this.running.size >= limits.concurrency) return;
    const now = this.options.now().toISOString();
    const queues = this.candidatesByNamespace(now);
    // Round-robin: namespaces after the one served last come first.
    const order = [...queues.keys()].sort((a, b) => a - b);
    const turn = order.findIndex((id) => id > this.lastNamespace);
    const rotated = turn <= 0 ? order : [...order.slice(turn), ...order.slice(0, turn)];
    let startedAny = true;
    while (startedAny && this.running.size < limits.concurrency) {
      startedAny = false;
      for (const namespaceId of rotated) {
        if (this.running.size >= limits.concurrency) break;
        if (this.perNamespace.of(namespaceId) >= limits.perNamespace) continue;
        const picked = this.take(queues.get(namespaceId)!, now);
        if (!picked) continue;
        this.start(picked.delivery, namespaceId, picked.target);
        startedAny = true;
      }
    }
  }

  /** Fills until nothing is running and nothing more could start, then starts nothing more. */
  async drain(): Promise<void> {
    this.fill();
    while (this.running.size > 0) {
      await Promise.all(this.running.values());
      this.fill();
    }
    this.stopped = true;
  }

  /** Starts nothing more and waits for the attempts in flight (the caller aborts them). */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.running.size > 0) await Promise.all(this.running.values());
  }

  /** Fills once after the attempts ending in this turn of the event loop, not once for each. */
  private fillSoon(): void {
    if (this.fillQueued) return;
    this.fillQueued = true;
    setImmediate(() => {
      this.fillQueued = false;
      try {
        this.fill();
      } catch (err) {
        this.options.onError(err);
      }
    });
  }

  private candidatesByNamespace(now: string): Map<number, DueWebhook[]> {
    const queues = new Map<number, DueWebhook[]>();
    for (const hook of this.store.webhooks.dueWebhooks(now, candidatesPerSlot * this.options.limits.perNamespace)) {
      const queue = queues.get(hook.namespaceId) ?? [];
      queue.push(hook);
      queues.set(hook.namespaceId, queue);
    }
    return queues;
  }

  /** The namespace's next delivery whose target has a free slot; drops webhooks with none left. */
  private take(queue: DueWebhook[], now: string): { delivery: Delivery; target: string } | undefined {
    for (let i = 0; i < queue.length; ) {
      const hook = queue[i]!;
      const target = targetOf(hook.url);
      if (this.perTarget.of(target) >= this.options.limits.perTarget) {
        i++;
        continue;
      }
      const skip = this.options.once ? this.attempted : this.running.keys();
      const delivery = this.store.webhooks.nextDue(hook.id, now, skip);
      if (delivery) return { delivery, target };
      queue.splice(i, 1);
    }
    return undefined;
  }

  private start(delivery: Delivery, namespaceId: number, target: string): void {
    this.lastNamespace = namespaceId;
    this.startedCount++;
    if (this.options.once) this.attempted.add(delivery.id);
    this.perNamespace.add(namespaceId, 1);
    this.perTarget.add(target, 1);
    const done = this.options
      .attempt(delivery)
      .catch(this.options.onError)
      .finally(() => {
        this.running.delete(delivery.id);
        this.perNamespace.add(namespaceId, -1);
        this.perTarget.add(target, -1);
        this.fillSoon();
      });
    this.running.set(delivery.id, done);
  }
}
