// The index's retention: deletes audit entries, finished webhook deliveries and event ids past
// their configured age, and sessions and tokens past their expiry, on a timer. Everything else
// (accounts, repositories, tags) lives until someone deletes it.
import type { Logger } from 'pino';
import { durationMs } from '@wharf/shared';
import type { IndexConfig } from '../config/schema.js';
import type { Db } from '../db/open.js';
import { pruneBatch, prunableKinds, type Prunable } from '../db/retention.js';

export type RetentionPolicy = IndexConfig['retention'];
export type Pruned = Record<Prunable, number>;

const batchSize = 2_000;
/** Bounds one run: a backlog larger than this is finished by the next runs. */
const maxBatchesPerKind = 1_000;

/** The cutoff of each kind at `now`; undefined where the policy keeps everything ("0d"). */
export function cutoffs(policy: RetentionPolicy, now: Date): Record<Prunable, string | undefined> {
  const aged = (age: string) => (durationMs(age) === 0 ? undefined : new Date(now.getTime() - durationMs(age)).toISOString());
  const expired = now.toISOString();
  return {
    auditLog: aged(policy.auditLog),
    webhookDeliveries: aged(policy.webhookDeliveries),
    eventIds: aged(policy.eventIds),
    sessions: expired,
    refreshTokens: expired,
    v1Tokens: expired,
  };
}

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One run: deletes in batches, letting requests in between; the rows deleted of each kind. An
 * aborted signal ends it after the current batch (the database is about to close).
 */
export async function pruneIndex(db: Db, policy: RetentionPolicy, now = new Date(), signal?: AbortSignal): Promise<Pruned> {
  const limits = cutoffs(policy, now);
  const pruned = Object.fromEntries(prunableKinds.map((kind) => [kind, 0])) as Pruned;
  for (const kind of prunableKinds) {
    const cutoff = limits[kind];
    if (cutoff === undefined) continue;
    for (let batch = 0; batch < maxBatchesPerKind && !signal?.aborted; batch++) {
      const deleted = pruneBatch(db, kind, cutoff, batchSize);
      pruned[kind] += deleted;
      if (deleted < batchSize) break;
      await yieldToRequests();
    }
  }
  return pruned;
}

export interface RetentionSchedule {
  stop(): Promise<void>;
}

/** Runs pruneIndex now and every policy.interval until stopped; a run never overlaps the next. */
export function scheduleRetention(db: Db, policy: RetentionPolicy, logger: Logger): RetentionSchedule {
  let running: Promise<void> | undefined;
  const stopping = new AbortController();
  const run = () => {
    if (running || stopping.signal.aborted) return;
    running = pruneIndex(db, policy, new Date(), stopping.signal)
      .then((pruned) => {
        const total = Object.values(pruned).reduce((a, b) => a + b, 0);
        if (total > 0) logger.info({ pruned }, 'retention: deleted old rows');
      })
      .catch((err: unknown) => logger.error({ err }, 'retention run failed'))
      .finally(() => (running = undefined));
  };
  const timer = setInterval(run, durationMs(policy.interval));
  timer.unref();
  run();
  return {
    async stop() {
      stopping.abort();
      clearInterval(timer);
      await running;
    },
  };
}
