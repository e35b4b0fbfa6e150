// What a webhook receives after a push: Docker Hub's payload shape, so receivers written for
// Docker Hub work unchanged. One delivery per active webhook is queued in the push's transaction.
import type { IndexStore } from '../db/store.js';
import type { Repository } from '../db/repositories.js';
import { namespaceOf } from '../permissions/grant.js';
import { enqueueWithinBudget, type QueueBudget } from './queue-budget.js';

export interface PushPayload {
  /** Docker Hub's callback for webhook chains; Wharf has none and points at the delivery history. */
  callback_url: string;
  push_data: { pushed_at: number; pusher: string; tag: string };
  repository: {
    repo_name: string;
    name: string;
    namespace: string;
    status: 'Active';
    description: string;
    is_private: boolean;
    star_count: number;
    date_created: number;
    repo_url: string;
  };
}

export interface Push {
  tag: string;
  pusher: string | undefined;
  at: Date;
}

const unixSeconds = (date: Date) => Math.floor(date.getTime() / 1000);

export function pushPayload(store: IndexStore, repo: Repository, push: Push, webhookId: number, baseUrl: string): PushPayload {
  const namespace = namespaceOf(repo.name);
  return {
    callback_url: `${baseUrl}/api/webhooks/${webhookId}/deliveries`,
    push_data: { pushed_at: unixSeconds(push.at), pusher: push.pusher ?? '', tag: push.tag },
    repository: {
      repo_name: repo.name,
      name: repo.name === namespace ? repo.name : repo.name.slice(namespace.length + 1),
      namespace,
      status: 'Active',
      description: repo.description,
      is_private: repo.visibility === 'private',
      star_count: store.repositories.starCount(repo.id),
      date_created: unixSeconds(new Date(repo.createdAt)),
      repo_url: `${baseUrl}/api/repositories/${repo.name}`,
    },
  };
}

/** Queues one delivery per active webhook of the repository, within the queue's budget; returns how many. */
export function enqueuePushDeliveries(store: IndexStore, repo: Repository, push: Push, baseUrl: string, budget: QueueBudget): number {
  const hooks = store.webhooks.forRepository(repo.id).filter((hook) => hook.active);
  const namespace = namespaceOf(repo.name);
  for (const hook of hooks) enqueueWithinBudget(store, hook.id, namespace, JSON.stringify(pushPayload(store, repo, push, hook.id, baseUrl)), budget);
  return hooks.length;
}
