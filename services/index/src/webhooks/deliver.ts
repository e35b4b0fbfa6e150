// Posts queued webhook deliveries. Each attempt is recorded; a failure is retried after a wait that
// doubles each time, until the attempts run out and the delivery is marked failed. Redirects are
// not followed: a webhook must name its final URL, and a redirect must not steer the index's
// requests elsewhere. The worker runs one round at a time, so no delivery is posted twice at once.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from 'pino';
import { durationMs } from '@wharf/shared';
import type { IndexConfig } from '../config/schema.js';
import type { IndexStore } from '../db/store.js';
import type { Delivery } from '../db/webhooks.js';
import { isIP } from 'node:net';
import { guardedLookup, isForbiddenAddress } from './target-guard.js';

export interface DeliveryOptions {
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
  allowPrivateTargets: boolean;
}

export interface DeliveryDeps {
  logger: Logger;
  now?: () => Date;
  /** Aborted at shutdown: requests in flight stop, and their deliveries stay pending. */
  signal?: AbortSignal;
  /** Told each attempt's outcome (metrics): delivered, pending (will retry) or failed for good. */
  onAttempt?: (status: 'delivered' | 'pending' | 'failed') => void;
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
  // Some errors carry the real reason (refused connection, timeout) as their cause.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`.slice(0, 500);
}

/** One POST with node:http(s), so the connection's DNS lookup can refuse forbidden addresses. */
function post(url: string, delivery: Delivery, options: DeliveryOptions, signal: AbortSignal | undefined): Promise<AttemptResult> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  // A literal address is connected to without any lookup, so it is checked here.
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivateTargets && isIP(literal) && isForbiddenAddress(literal)) {
    return Promise.resolve({ ok: false, responseStatus: null, error: `${literal} is a private or local address; webhooks may not target it` });
  }
  return new Promise((resolve) => {
    const req = send(
      target,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'wharf-index-webhooks', 'X-Wharf-Delivery': String(delivery.id) },
        timeout: options.timeoutMs,
        ...(options.allowPrivateTargets ? {} : { lookup: guardedLookup }),
        ...(signal ? { signal } : {}),
      },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve({ ok: true, responseStatus: status, error: null });
        // Redirects are not followed: a redirect must not steer the index's requests elsewhere.
        const error = status >= 300 && status < 400 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`;
        resolve({ ok: false, responseStatus: status, error });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (err) => resolve({ ok: false, responseStatus: null, error: describeFailure(err) }));
    req.end(delivery.payload);
  });
}

async function deliverOne(store: IndexStore, delivery: Delivery, options: DeliveryOptions, deps: DeliveryDeps): Promise<void> {
  const webhook = store.webhooks.byId(delivery.webhookId);
  if (!webhook) return;
  const result = webhook.active
    ? await post(webhook.url, delivery, options, deps.signal)
    : { ok: false, responseStatus: null, error: 'the webhook is inactive' };
  if (deps.signal?.aborted) return;
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

export function startWebhookWorker(store: IndexStore, config: IndexConfig['webhooks'], logger: Logger, onAttempt?: DeliveryDeps['onAttempt']): WebhookWorker {
  const options = { attempts: config.attempts, backoffMs: durationMs(config.backoff), timeoutMs: durationMs(config.timeout), allowPrivateTargets: config.allowPrivateTargets };
  const abort = new AbortController();
  const deps: DeliveryDeps = { logger, signal: abort.signal, ...(onAttempt ? { onAttempt } : {}) };
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
