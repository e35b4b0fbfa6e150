// Issue #12 item 3: what the index reads from a webhook target is bounded in time and bytes. A
// target that drips its headers forever fails the attempt at the total timeout; a target that
// answers and then drips its body has its connection closed once the status is known.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { indexConfigSchema } from '../../src/config/schema.js';
import { openIndexStore, type IndexStore } from '../../src/db/store.js';
import { deliverDue, deliveryOptions } from '../../src/webhooks/deliver.js';

const logger = pino({ level: 'silent' });
const options = { ...deliveryOptions(indexConfigSchema.parse({}).webhooks), attempts: 1, timeoutMs: 500, allowPrivateTargets: true };

/** A raw TCP target that answers each connection with `write` and records when it closes. */
async function rawTarget(write: (socket: Socket) => void): Promise<{ url: string; closedAt: number[]; server: Server; sockets: Set<Socket> }> {
  const closedAt: number[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      closedAt.push(Date.now());
    });
    socket.once('data', () => write(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, closedAt, server, sockets };
}

/** Writes `chunk` every 50 ms until the socket closes. */
function drip(socket: Socket, chunk: string): void {
  const timer = setInterval(() => socket.write(chunk), 50);
  socket.on('close', () => clearInterval(timer));
}

function storeWithDelivery(url: string): { store: IndexStore; deliveryId: number } {
  const store = openIndexStore(':memory:');
  const user = store.users.insert('alice', 'alice@example.com', 'x', false);
  const namespace = store.namespaces.insert('alice', 'user', user.id);
  const repository = store.repositories.insert(namespace.id, 'alice/app', 'public');
  const webhook = store.webhooks.insert(repository.id, url);
  return { store, deliveryId: store.webhooks.insertDelivery(webhook.id, '{}').id };
}

const servers: { server: Server; sockets: Set<Socket> }[] = [];
after(async () => {
  for (const { server, sockets } of servers) {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

describe('a webhook attempt is bounded', () => {
  it('fails at the total timeout when the target drips its headers forever', { timeout: 10_000 }, async () => {
    const target = await rawTarget((socket) => {
      socket.write('HTTP/1.1 200 OK\r\n');
      drip(socket, 'X-Slow: 1\r\n');
    });
    servers.push(target);
    const { store, deliveryId } = storeWithDelivery(target.url);
    const started = Date.now();
    await deliverDue(store, options, { logger });
    const took = Date.now() - started;
    assert.ok(took < 2000, `the attempt took ${took} ms`);
    const delivery = store.webhooks.delivery(deliveryId)!;
    assert.equal(delivery.status, 'failed');
    assert.match(delivery.error ?? '', /no answer within 500 ms/);
    store.close();
  });

  it('reads no body: the connection closes once the status is known', { timeout: 10_000 }, async () => {
    const target = await rawTarget((socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n');
      drip(socket, '400\r\n' + 'x'.repeat(1024) + '\r\n');
    });
    servers.push(target);
    const { store, deliveryId } = storeWithDelivery(target.url);
    const answered = Date.now();
    await deliverDue(store, options, { logger });
    assert.equal(store.webhooks.delivery(deliveryId)!.status, 'delivered');
    const closeBy = Date.now() + 1000;
    while (target.closedAt.length === 0) {
      assert.ok(Date.now() < closeBy, 'the index kept reading the body');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(target.closedAt[0]! - answered < 1000);
    store.close();
  });
});
