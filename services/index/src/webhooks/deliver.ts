// Posts queued webhook deliveries. Each attempt is recorded; a failure is retried after a wait that
// doubles each time, until the attempts run out and the delivery is marked failed. Redirects are
// not followed: a webhook must name its final URL, and a redirect must not steer the index's
// requests elsewhere. The worker runs one round at a time, so no delivery is posted twice at once.
import type { Logger } from 'pino';
import { durationMs } from '@wharf/shared';
import type { IndexConfig } from '../config/schema.js';
import type { IndexStore } from '../db/store.js';
import type { Delivery } from '../db/webhooks.js';

export interface DeliveryOptions {
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
}

export interface DeliveryDeps {
  logger: Logger;
  now?: () => Date;
  /** Aborted at shutdown: requests in flight stop, and their deliveries stay pending. */
  signal?: AbortSignal;
}

interface AttemptResult {
  ok: boolean;
  responseStatus: number | null;
  error: string | null;
}

/** Deliveries taken per round; the next round takes the rest. */
const roundSize = 20;

function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch says only "fetch failed"; the cause names the refused connection or the timeout.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`.slice(0, 500);
}

async function post(url: string, delivery: Delivery, timeoutMs: number, signal: AbortSignal | undefined): Promise<AttemptResult> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'wharf-index-webhooks', 'X-Wharf-Delivery': String(delivery.id) },
      body: delivery.payload,
      redirect: 'manual',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    await response.body?.cancel();
    if (response.status >= 200 && response.status < 300) return { ok: true, responseStatus: response.status, error: null };
    const error = response.status >= 300 && response.status < 400 ? `HTTP ${response.status}: redirects are not followed` : `HTTP ${response.status}`;
    return { ok: false, responseStatus: response.status, error };
  } catch (err) {
    return { ok: false, responseStatus: null, error: describeFailure(err) };
  }
}

async function deliverOne(store: IndexStore, delivery: Delivery, options: DeliveryOptions, deps: DeliveryDeps): Promise<void> {
  const webhook = store.webhooks.byId(delivery.webhookId);
  if (!webhook) return;
  const result = webhook.active
    ? await post(webhook.url, delivery, options.timeoutMs, deps.signal)
    : { ok: false, responseStatus: null, error: 'the webhook is inactive' };
  if (deps.signal?.aborted) return;
  const attempts = delivery.attempts + 1;
  const log = { webhook: webhook.id, delivery: delivery.id, attempts, responseStatus: result.responseStatus };
  if (result.ok) {
    store.webhooks.recordAttempt(delivery.id, { status: 'delivered', responseStatus: result.responseStatus, error: null, nextAttemptAt: null });
    deps.logger.debug(log, 'webhook delivered');
    return;
  }
  const exhausted = attempts >= options.attempts || !webhook.active;
  const now = deps.now?.() ?? new Date();
  const nextAttemptAt = exhausted ? null : new Date(now.getTime() + options.backoffMs * 2 ** (attempts - 1)).toISOString();
  store.webhooks.recordAttempt(delivery.id, { status: exhausted ? 'failed' : 'pending', responseStatus: result.responseStatus, error: result.error, nextAttemptAt });
  deps.logger.warn({ ...log, error: result.error, nextAttemptAt }, exhausted ? 'webhook delivery failed for good' : 'webhook delivery failed; will retry');
}

/** Posts every delivery that is due, once; returns how many were attempted. */
export async function deliverDue(store: IndexStore, options: DeliveryOptions, deps: DeliveryDeps): Promise<number> {
  const now = deps.now?.() ?? new Date();
  const due = store.webhooks.due(now.toISOString(), roundSize);
  await Promise.all(due.map((delivery) => deliverOne(store, delivery, options, deps)));
  return due.length;
}

export interface WebhookWorker {
  /** Stops the timer, aborts requests in flight and waits for the round to end. */
  stop(): Promise<void>;
}

export function startWebhookWorker(store: IndexStore, config: IndexConfig['webhooks'], logger: Logger): WebhookWorker {
  const options = { attempts: config.attempts, backoffMs: durationMs(config.backoff), timeoutMs: durationMs(config.timeout) };
  const abort = new AbortController();
  const deps = { logger, signal: abort.signal };
  let round: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (round) return;
    round = deliverDue(store, options, deps)
      .then(
        () => undefined,
        (err: unknown) => logger.error({ err }, 'webhook delivery round failed'),
      )
      .finally(() => {
        round = undefined;
      });
  }, durationMs(config.interval));
  // The worker alone must not keep the process alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      abort.abort();
      await round;
    },
  };
}
