// Webhooks: managed by repository admins under /api/webhooks, a Docker Hub–style delivery after
// each push with a tag, retries with backoff until the attempts run out, the delivery history
// and redelivery.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import request from 'supertest';
import type { Index } from '../../src/index.js';
import { indexConfigSchema } from '../../src/config/schema.js';
import { deliverDue, deliveryOptions, type DeliveryOptions } from '../../src/webhooks/deliver.js';
import { assertError, signUp, type TestUser } from '../api/harness.js';
import { indexWithEvents, pushEvent, recordEvents, startHookTarget, type HookTarget } from './helpers.js';

const digestA = `sha256:${'a'.repeat(64)}`;
const logger = pino({ level: 'silent' });
const defaults = deliveryOptions(indexConfigSchema.parse({}).webhooks);
const targets: HookTarget[] = [];
after(() => Promise.all(targets.map((t) => t.close())));

async function hookTarget(): Promise<HookTarget> {
  const target = await startHookTarget();
  targets.push(target);
  return target;
}

const as = (index: Index, user: TestUser | undefined) => {
  const auth = (r: request.Test) => (user ? r.set('Authorization', user.auth) : r);
  return {
    get: (url: string) => auth(request(index.app).get(url)),
    post: (url: string, body: object = {}) => auth(request(index.app).post(url)).send(body),
    delete: (url: string) => auth(request(index.app).delete(url)),
  };
};

/** alice owns alice/app (private, created by a push); bob is a stranger. */
async function setup(overrides = {}) {
  const index = await indexWithEvents(overrides);
  const alice = await signUp(index, 'alice');
  const bob = await signUp(index, 'bobby');
  await recordEvents(index, pushEvent('alice/app', digestA));
  return { index, alice, bob };
}

async function addHook(index: Index, user: TestUser, url: string, repository = 'alice/app'): Promise<number> {
  const res = await as(index, user).post('/api/webhooks', { repository, url });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id as number;
}

const history = async (index: Index, user: TestUser, id: number) => (await as(index, user).get(`/api/webhooks/${id}/deliveries`)).body.deliveries;

describe('/api/webhooks: management', () => {
  it('an owner creates, lists and deletes a webhook', async () => {
    const { index, alice } = await setup();
    const created = await as(index, alice).post('/api/webhooks', { repository: 'alice/app', url: 'https://hooks.example.com/x?token=1' });
    assert.equal(created.status, 201);
    assert.deepEqual({ ...created.body, id: 0, createdAt: '' }, { id: 0, repository: 'alice/app', url: 'https://hooks.example.com/x?token=1', active: true, createdAt: '' });
    const listed = await as(index, alice).get('/api/webhooks?repository=alice/app');
    assert.deepEqual(listed.body.webhooks.map((w: { id: number }) => w.id), [created.body.id]);
    assertError(await as(index, alice).post('/api/webhooks', { repository: 'alice/app', url: 'https://hooks.example.com/x?token=1' }), 409, 'CONFLICT');
    assert.equal((await as(index, alice).delete(`/api/webhooks/${created.body.id}`)).status, 204);
    assert.deepEqual((await as(index, alice).get('/api/webhooks?repository=alice/app')).body.webhooks, []);
    assert.deepEqual(index.store.audit.query({ action: 'webhook.create' }).map((e) => e.actor), ['alice']);
  });

  it('takes only http and https URLs (400 INVALID_FIELD) and repository names (400)', async () => {
    const { index, alice } = await setup();
    for (const url of ['ftp://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', 42, undefined]) {
      assertError(await as(index, alice).post('/api/webhooks', { repository: 'alice/app', url }), 400, 'INVALID_FIELD');
    }
    assertError(await as(index, alice).post('/api/webhooks', { repository: 'Alice/App', url: 'http://x.test/' }), 400, 'INVALID_FIELD');
  });

  it('denies everyone but the repository admins', async () => {
    const { index, alice, bob } = await setup();
    const id = await addHook(index, alice, 'http://127.0.0.1:9/hook');
    // Anonymous: 401 with a challenge.
    const anonymous = await as(index, undefined).post('/api/webhooks', { repository: 'alice/app', url: 'http://x.test/' });
    assertError(anonymous, 401, 'UNAUTHORIZED');
    assertError(await as(index, undefined).get(`/api/webhooks/${id}/deliveries`), 401, 'UNAUTHORIZED');
    // A stranger cannot see the private repository at all: 404, as if it did not exist.
    assertError(await as(index, bob).post('/api/webhooks', { repository: 'alice/app', url: 'http://x.test/' }), 404, 'NOT_FOUND');
    assertError(await as(index, bob).get('/api/webhooks?repository=alice/app'), 404, 'NOT_FOUND');
    assertError(await as(index, bob).delete(`/api/webhooks/${id}`), 404, 'NOT_FOUND');
    assertError(await as(index, bob).get(`/api/webhooks/${id}/deliveries`), 404, 'NOT_FOUND');
    // Once bob may pull or push, he sees the repository but is still no admin: 403.
    const repo = index.store.repositories.byName('alice/app')!;
    const bobId = index.store.users.byName('bobby')!.id;
    index.store.repositories.setCollaborator(repo.id, bobId, 'write');
    assertError(await as(index, bob).post('/api/webhooks', { repository: 'alice/app', url: 'http://x.test/' }), 403, 'DENIED');
    assertError(await as(index, bob).delete(`/api/webhooks/${id}`), 403, 'DENIED');
    assertError(await as(index, bob).post(`/api/webhooks/${id}/deliveries/1/redeliver`), 403, 'DENIED');
    // An admin collaborator manages webhooks.
    index.store.repositories.setCollaborator(repo.id, bobId, 'admin');
    assert.equal((await as(index, bob).get('/api/webhooks?repository=alice/app')).status, 200);
    assert.equal((await as(index, bob).delete(`/api/webhooks/${id}`)).status, 204);
  });

  it('is 404 for unknown webhooks and deliveries', async () => {
    const { index, alice } = await setup();
    assertError(await as(index, alice).delete('/api/webhooks/999'), 404, 'NOT_FOUND');
    assertError(await as(index, alice).get('/api/webhooks/abc/deliveries'), 404, 'NOT_FOUND');
    const id = await addHook(index, alice, 'http://127.0.0.1:9/hook');
    assertError(await as(index, alice).post(`/api/webhooks/${id}/deliveries/999/redeliver`), 404, 'NOT_FOUND');
    assertError(await as(index, alice).get('/api/webhooks?repository=alice/none'), 404, 'NOT_FOUND');
  });
});

describe('webhook deliveries', () => {
  it('the worker posts a Docker Hub–style payload after a push with a tag', async () => {
    const { index, alice } = await setup({ webhooks: { interval: '20ms' }, http: { publicUrl: 'https://index.example.com/' } });
    const target = await hookTarget();
    const id = await addHook(index, alice, target.url);
    await recordEvents(index, pushEvent('alice/app', digestA), pushEvent('alice/app', digestA, { tag: 'v1', actor: 'alice', at: '2024-05-01T10:00:00Z' }));
    const deadline = Date.now() + 3000;
    while ((await history(index, alice, id))[0]?.status !== 'delivered') {
      assert.ok(Date.now() < deadline, 'not delivered in time');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(target.received.length, 1, 'a push by digest delivers nothing');
    const [{ headers, body }] = target.received as [HookTarget['received'][number]];
    assert.equal(headers['content-type'], 'application/json');
    const repo = index.store.repositories.byName('alice/app')!;
    assert.deepEqual(body, {
      callback_url: `https://index.example.com/api/webhooks/${id}/deliveries`,
      push_data: { pushed_at: Date.parse('2024-05-01T10:00:00Z') / 1000, pusher: 'alice', tag: 'v1' },
      repository: {
        repo_name: 'alice/app',
        name: 'app',
        namespace: 'alice',
        status: 'Active',
        description: '',
        is_private: true,
        star_count: 0,
        date_created: Math.floor(Date.parse(repo.createdAt) / 1000),
        repo_url: 'https://index.example.com/api/repositories/alice/app',
      },
    });
    const [delivery] = await history(index, alice, id);
    assert.equal(delivery.attempts, 1);
    assert.equal(delivery.responseStatus, 200);
    assert.equal(delivery.error, null);
    assert.ok(delivery.deliveredAt);
  });

  it('retries with exponential backoff, then marks the delivery failed; redeliver sends it again', async () => {
    const { index, alice } = await setup();
    const target = await hookTarget();
    target.script = [500, 302, 500];
    const id = await addHook(index, alice, target.url);
    await recordEvents(index, pushEvent('alice/app', digestA, { tag: 'v1' }));
    const options: DeliveryOptions = { ...defaults, attempts: 3, backoffMs: 1000, timeoutMs: 2000, allowPrivateTargets: true };
    let clock = Date.now() + 1;
    const at = (ms: number) => ({ logger, now: () => new Date(ms) });

    assert.equal(await deliverDue(index.store, options, at(clock)), 1);
    let [delivery] = await history(index, alice, id);
    assert.deepEqual([delivery.status, delivery.attempts, delivery.responseStatus, delivery.error], ['pending', 1, 500, 'HTTP 500']);
    assert.equal(delivery.nextAttemptAt, new Date(clock + 1000).toISOString());
    assert.equal(await deliverDue(index.store, options, at(clock + 999)), 0, 'not due before the backoff');

    clock += 1000;
    assert.equal(await deliverDue(index.store, options, at(clock)), 1);
    [delivery] = await history(index, alice, id);
    assert.deepEqual([delivery.status, delivery.attempts, delivery.responseStatus], ['pending', 2, 302]);
    assert.match(delivery.error, /redirects are not followed/);
    assert.equal(delivery.nextAttemptAt, new Date(clock + 2000).toISOString(), 'the wait doubled');

    clock += 2000;
    assert.equal(await deliverDue(index.store, options, at(clock)), 1);
    [delivery] = await history(index, alice, id);
    assert.deepEqual([delivery.status, delivery.attempts, delivery.nextAttemptAt], ['failed', 3, null]);
    assert.equal(await deliverDue(index.store, options, at(clock + 3_600_000)), 0, 'a failed delivery is not retried');
    assert.equal(target.received.length, 3);

    const redelivered = await as(index, alice).post(`/api/webhooks/${id}/deliveries/${delivery.id}/redeliver`);
    assert.equal(redelivered.status, 202);
    assert.equal(redelivered.body.status, 'pending');
    assert.deepEqual(redelivered.body.payload, delivery.payload);
    assert.equal(await deliverDue(index.store, options, at(clock + 1)), 1);
    const [latest, original] = await history(index, alice, id);
    assert.deepEqual([latest.id, latest.status, latest.attempts], [redelivered.body.id, 'delivered', 1]);
    assert.deepEqual([original.id, original.status, original.attempts], [delivery.id, 'failed', 3]);
    assert.equal(target.received.length, 4);
  });

  it('records an unreachable target as an error without a status', async () => {
    const { index, alice } = await setup();
    const id = await addHook(index, alice, 'http://127.0.0.1:9/closed');
    await recordEvents(index, pushEvent('alice/app', digestA, { tag: 'v1' }));
    await deliverDue(index.store, { ...defaults, attempts: 1, backoffMs: 10, timeoutMs: 2000, allowPrivateTargets: true }, { logger });
    const [delivery] = await history(index, alice, id);
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.responseStatus, null);
    assert.match(delivery.error, /ECONNREFUSED/);
  });

  it('index.close() stops the worker, aborting a delivery in flight', async () => {
    const { index, alice } = await setup({ webhooks: { interval: '10ms', timeout: '30s' } });
    let arrived = 0;
    const hanging = createServer(() => arrived++);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      await addHook(index, alice, `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hook`);
      await recordEvents(index, pushEvent('alice/app', digestA, { tag: 'v1' }));
      while (arrived === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const started = Date.now();
      await index.close();
      assert.ok(Date.now() - started < 2000, 'close waited for the request to time out');
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });
});

describe('webhook targets on the index\'s own network', () => {
  it('are refused at registration and at delivery unless allowPrivateTargets is set', async () => {
    const index = await indexWithEvents({ webhooks: { allowPrivateTargets: false } });
    const alice = await signUp(index, 'alice');
    await recordEvents(index, pushEvent('alice/app', digestA, { tag: 'v0' }));
    for (const url of ['http://127.0.0.1:9/hook', 'http://localhost/hook', 'http://169.254.169.254/latest', 'http://[::1]/x', 'http://10.1.2.3/x']) {
      assertError(await request(index.app).post('/api/webhooks').set('Authorization', alice.auth).send({ repository: 'alice/app', url }), 400, 'INVALID_FIELD');
    }
    // A hook stored before the rule (or whose name later resolves to loopback) is refused when
    // its connection looks the address up: nothing reaches the listener.
    const target = await hookTarget();
    const repo = index.store.repositories.byName('alice/app')!;
    const hook = index.store.webhooks.insert(repo.id, target.url);
    const delivery = index.store.webhooks.insertDelivery(hook.id, '{}');
    await deliverDue(index.store, { ...defaults, attempts: 1, backoffMs: 10, timeoutMs: 2000, allowPrivateTargets: false }, { logger });
    assert.equal(target.received.length, 0);
    const recorded = index.store.webhooks.delivery(delivery.id)!;
    assert.equal(recorded.status, 'failed');
    assert.match(recorded.error ?? '', /private or local address/);
  });
});
