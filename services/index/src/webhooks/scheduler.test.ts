import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openIndexStore, type IndexStore } from '../db/store.js';
import type { Delivery } from '../db/webhooks.js';
import { DeliveryScheduler, targetOf, type FairnessLimits } from './scheduler.js';

/** A namespace with one repository and webhooks at `urls`, each with `perHook` deliveries due. */
function tenant(store: IndexStore, name: string, urls: string[], perHook: number): number {
  const user = store.users.insert(name, `${name}@example.com`, 'x', false);
  const namespace = store.namespaces.insert(name, 'user', user.id);
  const repository = store.repositories.insert(namespace.id, `${name}/app`, 'public');
  for (const url of urls) {
    const hook = store.webhooks.insert(repository.id, url);
    for (let i = 0; i < perHook; i++) store.webhooks.insertDelivery(hook.id, '{}');
  }
  return namespace.id;
}

/** A scheduler whose attempts end only when the test says so; each records the delivery as delivered. */
function harness(store: IndexStore, limits: FairnessLimits) {
  const started: { delivery: Delivery; finish: () => void }[] = [];
  const scheduler = new DeliveryScheduler(store, {
    limits,
    attempt: (delivery) =>
      new Promise<void>((resolve) => {
        started.push({
          delivery,
          finish: () => {
            store.webhooks.recordAttempt(delivery.id, { status: 'delivered', responseStatus: 200, error: null, nextAttemptAt: null });
            resolve();
          },
        });
      }),
    now: () => new Date(Date.now() + 1000),
    onError: (err) => assert.fail(String(err)),
  });
  const repositoryOf = (d: Delivery) => store.webhooks.byId(d.webhookId)!.repositoryId;
  return { started, scheduler, repositoryOf };
}

describe('the webhook delivery scheduler', () => {
  it('keeps each target and each namespace within its share, so other namespaces still start', async () => {
    const store = openIndexStore(':memory:');
    const tarpit = Array.from({ length: 10 }, (_, i) => `http://tarpit.test:8080/${i}`);
    tenant(store, 'alice', [...tarpit, 'http://a.test/', 'https://b.test/'], 3);
    tenant(store, 'bobby', ['http://bobby.test/'], 1);
    const { started, scheduler } = harness(store, { concurrency: 6, perTarget: 2, perNamespace: 3 });
    scheduler.fill();
    const urls = started.map((s) => store.webhooks.byId(s.delivery.webhookId)!.url);
    assert.equal(urls.filter((url) => targetOf(url) === 'tarpit.test:8080').length, 2, 'two at the tarpit');
    assert.equal(urls.filter((url) => !url.includes('bobby')).length, 3, "alice's share");
    assert.ok(urls.includes('http://bobby.test/'), "bobby's delivery started");
    // A finished attempt frees its slot for the same namespace's next delivery.
    started.find((s) => store.webhooks.byId(s.delivery.webhookId)!.url === 'http://a.test/')!.finish();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(started.length, 5);
    for (const s of started) s.finish();
    await scheduler.stop();
    store.close();
  });

  it('takes namespaces in turn', async () => {
    const store = openIndexStore(':memory:');
    for (const name of ['alice', 'bobby', 'carol']) tenant(store, name, [`http://${name}.test/`], 3);
    const { started, scheduler, repositoryOf } = harness(store, { concurrency: 1, perTarget: 1, perNamespace: 1 });
    const draining = scheduler.drain();
    for (let i = 0; i < 9; i++) {
      while (started.length <= i) await new Promise((resolve) => setImmediate(resolve));
      started[i]!.finish();
    }
    await draining;
    // One repository per namespace, numbered in the order the namespaces were made.
    const order = started.map((s) => repositoryOf(s.delivery));
    assert.deepEqual(order, [1, 2, 3, 1, 2, 3, 1, 2, 3]);
    store.close();
  });
});
