// The guarded webhook lookup against a name server on 127.0.0.1: its answers are checked (an A
// record of a private address is refused), and a name server that never answers holds none of
// libuv's pool threads, so other work (here pbkdf2, like bcrypt) is not delayed.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pbkdf2 } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';
import { resolverLookup } from './resolver-lookup.js';
import { makeGuardedLookup } from './target-guard.js';

/** A DNS answer to `query` with the given IPv4 addresses for an A question (none otherwise). */
function answer(query: Buffer, v4: string[]): Buffer {
  let end = 12;
  while (query[end] !== 0) end += query[end]! + 1;
  const question = query.subarray(12, end + 5);
  const isA = query.readUInt16BE(end + 1) === 1;
  const records = isA ? v4 : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(0x8180, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const answers = records.map((address) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0);
    record.writeUInt16BE(1, 2);
    record.writeUInt16BE(1, 4);
    record.writeUInt32BE(60, 6);
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i));
    return record;
  });
  return Buffer.concat([header, question, ...answers]);
}

/** A name server answering `names` (name → IPv4 addresses); `null` means it never answers. */
async function nameServer(names: Record<string, string[]> | null): Promise<{ resolver: Resolver; socket: Socket }> {
  const socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    if (!names) return;
    const labels: string[] = [];
    for (let at = 12; query[at] !== 0; at += query[at]! + 1) labels.push(query.subarray(at + 1, at + 1 + query[at]!).toString());
    socket.send(answer(query, names[labels.join('.')] ?? []), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const resolver = new Resolver({ timeout: 5000, tries: 1 });
  resolver.setServers([`127.0.0.1:${(socket.address() as AddressInfo).port}`]);
  return { resolver, socket };
}

const sockets: Socket[] = [];
after(() => sockets.forEach((socket) => socket.close()));

const lookUp = (lookup: ReturnType<typeof makeGuardedLookup>, hostname: string) =>
  new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) => lookup(hostname, {}, (err, address) => resolve({ err, address })));

describe('the guarded webhook lookup (c-ares)', () => {
  it("checks the name server's answers", async () => {
    const { resolver, socket } = await nameServer({ 'public.test': ['8.8.8.8'], 'inside.test': ['8.8.8.8', '10.0.0.1'] });
    sockets.push(socket);
    const lookup = makeGuardedLookup(resolverLookup(resolver));
    assert.deepEqual(await lookUp(lookup, 'public.test'), { err: null, address: '8.8.8.8' });
    assert.equal((await lookUp(lookup, 'inside.test')).err?.code, 'EWHARFFORBIDDEN');
    assert.ok((await lookUp(lookup, 'missing.test')).err, 'a name without addresses fails');
  });

  it('a name server that never answers holds no thread of the pool', async () => {
    const { resolver, socket } = await nameServer(null);
    sockets.push(socket);
    const lookup = makeGuardedLookup(resolverLookup(resolver));
    // More hung lookups than the pool has threads (4 unless UV_THREADPOOL_SIZE says otherwise).
    const hung = Array.from({ length: 8 }, (_, i) => lookUp(lookup, `slow-${i}.test`));
    const started = Date.now();
    await new Promise<void>((resolve, reject) => pbkdf2('x', 'salt', 1, 32, 'sha256', (err) => (err ? reject(err) : resolve())));
    assert.ok(Date.now() - started < 1000, `pool work waited ${Date.now() - started} ms`);
    resolver.cancel();
    for (const { err } of await Promise.all(hung)) assert.equal(err?.code, 'ECANCELLED');
  });
});
