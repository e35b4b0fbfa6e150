// The webhook delivery queue's budget (issue #12: every queue has a budget): at most so many
// deliveries pending in all and per namespace, so one tenant's redeliveries or pushes cannot grow
// the queue (and the scheduler's work) without end, nor crowd out other namespaces.
import type { IndexStore } from '../db/store.js';
import type { Delivery } from '../db/webhooks.js';

export interface QueueBudget {
  maxPending: number;
  maxPendingPerNamespace: number;
}

/** Why one more delivery for the webhook may not be queued now, or undefined when it may. */
export function queueRefusal(store: IndexStore, webhookId: number, namespace: string, budget: QueueBudget): string | undefined {
  const pending = store.webhooks.pendingCounts(webhookId);
  if (pending.namespace >= budget.maxPendingPerNamespace) {
    return `the webhook queue of namespace ${namespace} is full (${pending.namespace} deliveries pending); try again once they are done`;
  }
  if (pending.total >= budget.maxPending) return `the webhook delivery queue is full (${pending.total} deliveries pending); try again later`;
  return undefined;
}

/**
 * Queues a push's delivery within the budget. Past it the delivery is recorded as failed, with its
 * payload, so the history shows what was not sent and an admin may redeliver it later.
 */
export function enqueueWithinBudget(store: IndexStore, webhookId: number, namespace: string, payload: string, budget: QueueBudget): Delivery {
  return store.webhooks.insertDelivery(webhookId, payload, queueRefusal(store, webhookId, namespace, budget));
}
