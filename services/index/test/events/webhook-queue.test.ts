// Issue #12 item 3: the webhook delivery queue has a budget. One namespace may queue at most
// webhooks.maxPendingPerNamespace deliveries and the index at most webhooks.maxPending in all:
// a redelivery past either is refused with 429, and a push's delivery past either is recorded
// as failed (it can be redelivered later) instead of growing the queue.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Index, IndexConfigInput } from '../../src/index.js';
import { assertError, signUp, type TestUser } from '../api/harness.js';
import { indexWithEvents, pushEvent, recordEvents } from './helpers.js';

const digest = `sha256:${'c'.repeat(64)}`;

/** A webhook at a closed port (the worker stays idle) and the delivery of a push to it. */
async function hookWithDelivery(index: Index, user: TestUser, repository: string): Promise<{ hook: number; delivery: number }> {
  const res = await request(index.app).post('/api/webhooks').set('Authorization', user.auth).send({ repository, url: `http://127.0.0.1:9/${repository}` });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const hook = res.body.id as number;
  await recordEvents(index, pushEvent(repository, digest, { tag: 'v1' }));
  return { hook, delivery: index.store.webhooks.deliveries(hook, 1)[0]!.id };
}

const redeliver = (index: Index, user: TestUser, { hook, delivery }: { hook: number; delivery: number }) =>
  request(index.app).post(`/api/webhooks/${hook}/deliveries/${delivery}/redeliver`).set('Authorization', user.auth);

async function setup(webhooks: IndexConfigInput['webhooks']) {
  const index = await indexWithEvents({ webhooks });
  const alice = await signUp(index, 'alice');
  const bobby = await signUp(index, 'bobby');
  await recordEvents(index, pushEvent('alice/app', digest), pushEvent('bobby/app', digest));
  return { index, alice, bobby, aliceHook: await hookWithDelivery(index, alice, 'alice/app'), bobbyHook: await hookWithDelivery(index, bobby, 'bobby/app') };
}

describe('the webhook delivery queue budget', () => {
  it("one namespace's queue is capped; another namespace still queues", async () => {
    const { index, alice, bobby, aliceHook, bobbyHook } = await setup({ maxPendingPerNamespace: 5 });
    for (let i = 0; i < 4; i++) assert.equal((await redeliver(index, alice, aliceHook)).status, 202);
    const refused = await redeliver(index, alice, aliceHook);
    assertError(refused, 429, 'TOOMANYREQUESTS');
    assert.match(refused.body.errors[0].message, /alice/);
    assert.equal((await redeliver(index, bobby, bobbyHook)).status, 202, "alice's full queue does not stop bobby");

    // A push past the budget records its delivery as failed, not queued.
    await recordEvents(index, pushEvent('alice/app', digest, { tag: 'v2' }));
    const [latest] = index.store.webhooks.deliveries(aliceHook.hook, 1);
    assert.deepEqual([latest?.status, latest?.attempts], ['failed', 0]);
    assert.match(latest?.error ?? '', /queue .*full/);
    assert.equal(JSON.parse(latest!.payload).push_data.tag, 'v2', 'the payload is kept for a later redelivery');
    await index.close();
  });

  it('the whole queue is capped', async () => {
    const { index, alice, bobby, aliceHook, bobbyHook } = await setup({ maxPending: 4 });
    for (let i = 0; i < 2; i++) assert.equal((await redeliver(index, alice, aliceHook)).status, 202);
    assertError(await redeliver(index, alice, aliceHook), 429, 'TOOMANYREQUESTS');
    assertError(await redeliver(index, bobby, bobbyHook), 429, 'TOOMANYREQUESTS');
    await index.close();
  });

  it('the budget options are validated', async () => {
    await assert.rejects(indexWithEvents({ webhooks: { maxPending: 0 } }));
    await assert.rejects(indexWithEvents({ webhooks: { maxPendingPerNamespace: -1 } }));
  });
});
