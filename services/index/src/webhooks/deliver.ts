// Posts queued webhook deliveries. Each attempt is recorded; a failure is retried after a wait that
// doubles each time, until the attempts run out and the delivery is marked failed. Which delivery
// goes next, and how many at once, is the fair scheduler's business (scheduler.ts); a delivery is
// never attempted twice at once, since the scheduler skips those in flight.
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { durationMs } from '@wharf/shared';
import type { IndexConfig } from '../config/schema.js';
import type { IndexStore } from '../db/store.js';
import type { Delivery } from '../db/webhooks.js';
import { postWebhook, type PostOptions } from './post.js';
import { DeliveryScheduler, type FairnessLimits } from './scheduler.js';

export interface DeliveryOptions extends PostOptions, FairnessLimits {
  attempts: number;
  backoffMs: number;
}

export interface DeliveryDeps {
  logger: Logger;
  now?: () => Date;
  /** Aborted at shutdown: requests in flight stop, and their deliveries stay pending. */
  signal?: AbortSignal;
  /** Told each attempt's outcome (metrics): delivered, pending (will retry) or failed for good. */
  onAttempt?: (status: 'delivered' | 'pending' | 'failed') => void;
}

export function deliveryOptions(config: IndexConfig['webhooks']): DeliveryOptions {
  return {
    attempts: config.attempts,
    backoffMs: durationMs(config.backoff),
    connectTimeoutMs: durationMs(config.connectTimeout),
    timeoutMs: durationMs(config.timeout),
    allowPrivateTargets: config.allowPrivateTargets,
    concurrency: config.concurrency,
    perTarget: config.perTarget,
    perNamespace: config.perNamespace,
  };
}

async function deliverOne(store: IndexStore, delivery: Delivery, options: DeliveryOptions, deps: DeliveryDeps & { signal: AbortSignal }): Promise<void> {
  const webhook = store.webhooks.byId(delivery.webhookId);
  if (!webhook) return;
  const result = webhook.active
    ? await postWebhook(webhook.url, delivery.payload, { 'X-Wharf-Delivery': String(delivery.id) }, options, deps.signal)
    : { ok: false, responseStatus: null, error: 'the webhook is inactive' };
  if (deps.signal.aborted) return;
  const attempts = delivery.attempts + 1;
  const log = { webhook: webhook.id, delivery: delivery.id, attempts, responseStatus: result.responseStatus };
  if (result.ok) {
    store.webhooks.recordAttempt(delivery.id, { status: 'delivered', responseStatus: result.responseStatus, error: null, nextAttemptAt: null });
    deps.onAttempt?.('delivered');
    deps.logger.debug(log, 'webhook delivered');
    return;
  }
  const exhausted = attempts >= options.attempts || !webhook.active;
  const now = deps.now?.() ?? new Date();
  const nextAttemptAt = exhausted ? null : new Date(now.getTime() + options.backoffMs * 2 ** (attempts - 1)).toISOString();
  store.webhooks.recordAttempt(delivery.id, { status: exhausted ? 'failed' : 'pending', responseStatus: result.responseStatus, error: result.error, nextAttemptAt });
  deps.onAttempt?.(exhausted ? 'failed' : 'pending');
  deps.logger.warn({ ...log, error: result.error, nextAttemptAt }, exhausted ? 'webhook delivery failed for good' : 'webhook delivery failed; will retry');
}

/** A scheduler whose attempts post and record deliveries, and the controller that aborts them. */
function deliveryScheduler(store: IndexStore, options: DeliveryOptions, deps: DeliveryDeps, once: boolean): { scheduler: DeliveryScheduler; abort: AbortController } {
  const abort = new AbortController();
  // Every attempt in flight listens for the abort.
  setMaxListeners(options.concurrency + 10, abort.signal);
  if (deps.signal?.aborted) abort.abort();
  else deps.signal?.addEventListener('abort', () => abort.abort(), { once: true });
  const attemptDeps = { ...deps, signal: abort.signal };
  const instance = new DeliveryScheduler(store, {
    limits: options,
    attempt: (delivery) => deliverOne(store, delivery, options, attemptDeps),
    now: deps.now ?? (() => new Date()),
    onError: (err) => deps.logger.error({ err }, 'webhook delivery failed unexpectedly'),
    once,
  });
  return { scheduler: instance, abort };
}

/** Posts every delivery that is due, once each, through the fair scheduler; returns how many. */
export async function deliverDue(store: IndexStore, options: DeliveryOptions, deps: DeliveryDeps): Promise<number> {
  const pass = deliveryScheduler(store, options, deps, true).scheduler;
  await pass.drain();
  return pass.started;
}

export interface WebhookWorker {
  /** Stops the timer, aborts requests in flight and waits for them to end. */
  stop(): Promise<void>;
}

export function startWebhookWorker(store: IndexStore, config: IndexConfig['webhooks'], logger: Logger, onAttempt?: DeliveryDeps['onAttempt']): WebhookWorker {
  const { scheduler: pool, abort } = deliveryScheduler(store, deliveryOptions(config), { logger, ...(onAttempt ? { onAttempt } : {}) }, false);
  // Slots are filled whenever an attempt ends; the timer picks up deliveries that became due.
  const timer = setInterval(() => {
    try {
      pool.fill();
    } catch (err) {
      logger.error({ err }, 'webhook scheduling failed');
    }
  }, durationMs(config.interval));
  // The worker alone must not keep the process alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      abort.abort();
      await pool.stop();
    },
  };
}
