// Issue #12 item 5: one tenant's slow webhook targets must not delay another tenant's webhooks.
// alice points 20 webhooks at a tarpit (accepts connections, never answers) and queues 200
// redeliveries; bobby's push must still reach his fast receiver within a few seconds, and the
// tarpit never holds more than the per-target share of the index's connections.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Index } from '../../src/index.js';
import { indexConfigSchema } from '../../src/config/schema.js';
import { redeliver } from '../../src/webhooks/manage.js';
import { signUp, type TestUser } from '../api/harness.js';
import { indexWithEvents, pushEvent, recordEvents, startHookTarget, type HookTarget } from './helpers.js';

const digest = `sha256:${'b'.repeat(64)}`;

interface Tarpit {
  port: number;
  /** Connections open right now, and the most ever open at once. */
  open: number;
  peak: number;
  close(): Promise<void>;
}

async function startTarpit(): Promise<Tarpit> {
  const sockets = new Set<Socket>();
  const tarpit: Tarpit = { port: 0, open: 0, peak: 0, close: async () => undefined };
  const server = createServer((socket) => {
    sockets.add(socket);
    tarpit.open = sockets.size;
    tarpit.peak = Math.max(tarpit.peak, sockets.size);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      tarpit.open = sockets.size;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tarpit.port = (server.address() as AddressInfo).port;
  tarpit.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return tarpit;
}

async function addHook(index: Index, user: TestUser, repository: string, url: string): Promise<number> {
  const res = await request(index.app).post('/api/webhooks').set('Authorization', user.auth).send({ repository, url });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id as number;
}

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

describe('webhook delivery fairness', () => {
  it("a tenant's tarpit targets and queued redeliveries delay another tenant's webhook by seconds at most", async () => {
    const tarpit = await startTarpit();
    closers.push(() => tarpit.close());
    const fast: HookTarget = await startHookTarget();
    closers.push(() => fast.close());
    // No tarpit connection times out during the test, so the tarpit's peak count is exact.
    const index = await indexWithEvents({ webhooks: { interval: '20ms', timeout: '60s' } });
    closers.push(() => index.close());
    const alice = await signUp(index, 'alice');
    const bobby = await signUp(index, 'bobby');
    await recordEvents(index, pushEvent('alice/app', digest), pushEvent('bobby/app', digest));

    // alice: 20 webhooks at the tarpit, a push to each, then 10 redeliveries of each delivery.
    const hooks: number[] = [];
    for (let i = 0; i < 20; i++) hooks.push(await addHook(index, alice, 'alice/app', `http://127.0.0.1:${tarpit.port}/hook/${i}`));
    await recordEvents(index, pushEvent('alice/app', digest, { tag: 'v1' }));
    // The redeliveries go through what POST …/redeliver runs, without 200 slow password checks.
    const budget = indexConfigSchema.parse({}).webhooks;
    const asAlice = { kind: 'user' as const, user: index.store.users.byName('alice')! };
    for (const hook of hooks) {
      const [delivery] = index.store.webhooks.deliveries(hook, 1);
      assert.ok(delivery);
      for (let i = 0; i < 10; i++) redeliver(index.store, asAlice, hook, delivery.id, budget);
    }
    // The worker is busy with the tarpit before bobby pushes.
    const busyBy = Date.now() + 3000;
    while (tarpit.open === 0) {
      assert.ok(Date.now() < busyBy, 'the worker never reached the tarpit');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }

    await addHook(index, bobby, 'bobby/app', fast.url);
    const pushedAt = Date.now();
    await recordEvents(index, pushEvent('bobby/app', digest, { tag: 'v1' }));
    while (fast.received.length === 0) {
      assert.ok(Date.now() - pushedAt < 3000, `bobby's webhook not delivered within 3 s (tarpit holds ${tarpit.open} connections)`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(fast.received[0]?.body.repository.repo_name, 'bobby/app');
    assert.ok(tarpit.peak <= 2, `the tarpit held ${tarpit.peak} connections at once; one target gets at most 2`);
  });
});
