// Repository webhooks as the JSON API manages them. Only a repository's admins (those who may
// delete in it: its namespace's owner, an organization owner, an admin collaborator or team) see
// or change its webhooks, since a webhook URL often carries a secret. A repository the caller
// may not even pull is reported as not found, so private names do not leak.
import { isRepositoryName } from '@wharf/shared';
import type { IndexStore } from '../db/store.js';
import type { Repository } from '../db/repositories.js';
import type { Delivery, Webhook } from '../db/webhooks.js';
import { isForbiddenHost } from './target-guard.js';
import { IndexError } from '../http/errors.js';
import { may, namespaceOf, type Principal } from '../permissions/grant.js';
import { queueRefusal, type QueueBudget } from './queue-budget.js';

/** Each push fans out to every webhook; this bounds the fan-out. */
export const maxWebhooksPerRepository = 20;

/** A path id as the tables take it; anything else matches nothing. */
function idOf(value: unknown): number {
  const id = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : typeof value === 'number' ? value : 0;
  return Number.isSafeInteger(id) ? id : 0;
}

function actorOf(principal: Principal): string | null {
  return principal.kind === 'user' ? principal.user.username : null;
}

/** The repository, when the principal administers it. */
export function administeredRepository(store: IndexStore, principal: Principal, name: unknown): Repository {
  if (typeof name !== 'string' || !isRepositoryName(name)) {
    throw new IndexError('INVALID_FIELD', { message: 'repository must be a repository name such as team/app', detail: { field: 'repository' } });
  }
  const repo = store.repositories.byName(name);
  if (!repo || !may(store, principal, name, 'pull')) throw new IndexError('NOT_FOUND', { message: `no such repository ${name}` });
  if (!may(store, principal, name, 'delete')) throw new IndexError('DENIED', { message: `only admins of ${name} manage its webhooks` });
  return repo;
}

/** The webhook and its repository, when the principal administers that repository. */
export function administeredWebhook(store: IndexStore, principal: Principal, id: unknown): { webhook: Webhook; repo: Repository } {
  const webhook = store.webhooks.byId(idOf(id));
  const repo = webhook && store.repositories.byId(webhook.repositoryId);
  if (!webhook || !repo || !may(store, principal, repo.name, 'pull')) throw new IndexError('NOT_FOUND', { message: 'no such webhook' });
  return { webhook, repo: administeredRepository(store, principal, repo.name) };
}

export function checkWebhookUrl(url: unknown, allowPrivateTargets = false): string {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' && url.length <= 2048 ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new IndexError('INVALID_FIELD', { message: 'url must be an http or https URL', detail: { field: 'url' } });
  }
  if (!allowPrivateTargets && isForbiddenHost(parsed.hostname)) {
    throw new IndexError('INVALID_FIELD', { message: 'url must not name a loopback, private or link-local address', detail: { field: 'url' } });
  }
  return parsed.href;
}

export function createWebhook(
  store: IndexStore,
  principal: Principal,
  input: { repository: unknown; url: unknown },
  allowPrivateTargets = false,
): { webhook: Webhook; repo: Repository } {
  const repo = administeredRepository(store, principal, input.repository);
  const url = checkWebhookUrl(input.url, allowPrivateTargets);
  return store.transaction(() => {
    const existing = store.webhooks.forRepository(repo.id);
    if (existing.some((hook) => hook.url === url)) throw new IndexError('CONFLICT', { message: 'the repository already has a webhook with this url' });
    if (existing.length >= maxWebhooksPerRepository) {
      throw new IndexError('CONFLICT', { message: `a repository has at most ${maxWebhooksPerRepository} webhooks` });
    }
    const webhook = store.webhooks.insert(repo.id, url);
    store.audit.record({ actor: actorOf(principal), action: 'webhook.create', target: repo.name, detail: { webhook: webhook.id } });
    return { webhook, repo };
  });
}

export function deleteWebhook(store: IndexStore, principal: Principal, id: unknown): void {
  const { webhook, repo } = administeredWebhook(store, principal, id);
  store.webhooks.delete(webhook.id);
  store.audit.record({ actor: actorOf(principal), action: 'webhook.delete', target: repo.name, detail: { webhook: webhook.id } });
}

/**
 * Sends a delivery's payload again as a new delivery with a fresh attempt budget (as GitHub's
 * redeliver does), so the history of the original stays as it was.
 */
export function redeliver(store: IndexStore, principal: Principal, id: unknown, deliveryId: unknown, budget: QueueBudget): Delivery {
  const { webhook, repo } = administeredWebhook(store, principal, id);
  const original = store.webhooks.delivery(idOf(deliveryId));
  if (!original || original.webhookId !== webhook.id) throw new IndexError('NOT_FOUND', { message: 'no such delivery' });
  const refused = queueRefusal(store, webhook.id, namespaceOf(repo.name), budget);
  if (refused) throw new IndexError('TOOMANYREQUESTS', { message: refused });
  const delivery = store.webhooks.insertDelivery(webhook.id, original.payload);
  store.audit.record({ actor: actorOf(principal), action: 'webhook.redeliver', target: repo.name, detail: { webhook: webhook.id, delivery: original.id } });
  return delivery;
}

export function publicWebhook(webhook: Webhook, repo: Repository) {
  return { id: webhook.id, repository: repo.name, url: webhook.url, active: webhook.active, createdAt: webhook.createdAt };
}

export function publicDelivery(delivery: Delivery) {
  return {
    id: delivery.id,
    webhookId: delivery.webhookId,
    status: delivery.status,
    attempts: delivery.attempts,
    responseStatus: delivery.responseStatus,
    error: delivery.error,
    createdAt: delivery.createdAt,
    nextAttemptAt: delivery.nextAttemptAt,
    deliveredAt: delivery.deliveredAt,
    payload: JSON.parse(delivery.payload) as unknown,
  };
}
