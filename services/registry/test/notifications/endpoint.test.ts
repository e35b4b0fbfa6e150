// The endpoint sink: one queue per endpoint, envelopes in order, retries with exponential backoff
// up to the threshold, and close() that flushes.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { mediaTypes, type Event } from '@wharf/shared';
import { Endpoint, type EndpointOptions } from '../../src/notifications/endpoint.js';
import { startReceiver, type Receiver } from './receiver.js';

const logger = pino({ level: 'silent' });
const receivers: Receiver[] = [];
after(() => Promise.all(receivers.map((r) => r.close())));

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

function endpoint(url: string, options: Partial<EndpointOptions> = {}): Endpoint {
  return new Endpoint({ name: 'test', url, headers: {}, timeoutMs: 2000, threshold: 10, backoffMs: 20, ...options }, logger);
}

let serial = 0;
function event(tag = `t${++serial}`): Event {
  return {
    id: `event-${serial}-${tag}`,
    timestamp: new Date().toISOString(),
    action: 'push',
    target: { repository: 'team/app', tag, digest: `sha256:${'a'.repeat(64)}`, mediaType: mediaTypes.ociManifest, size: 2, length: 2 },
    request: { id: 'r', addr: '', host: '', method: 'PUT', useragent: 'test' },
    actor: { name: 'alice' },
    source: { addr: 'here:5000', instanceID: 'i' },
  };
}

describe('notification endpoint', () => {
  it('POSTs the envelope with the events media type and the configured headers', async () => {
    const r = await receiver();
    const sink = endpoint(r.url, { headers: { Authorization: 'Bearer s3cret-s3cret-s3cret', 'X-Extra': 'yes' } });
    const e = event();
    sink.write(e);
    await r.waitForEvents(1);
    const [request] = r.requests;
    assert.equal(request!.headers['content-type'], mediaTypes.events);
    assert.equal(request!.headers.authorization, 'Bearer s3cret-s3cret-s3cret');
    assert.equal(request!.headers['x-extra'], 'yes');
    assert.deepEqual(request!.envelope, { events: [e] });
    await sink.close();
    assert.deepEqual(sink.stats(), { pending: 0, delivered: 1, dropped: 0, errors: 0 });
  });

  it('retries a failing endpoint with exponential backoff: fails twice, then delivers once', async () => {
    const r = await receiver();
    r.script = [500, 503];
    const sink = endpoint(r.url, { backoffMs: 50 });
    sink.write(event('retried'));
    const [delivered] = await r.waitForEvents(1);
    assert.equal(delivered!.target.tag, 'retried');
    assert.equal(r.requests.length, 3);
    const [first, second, third] = r.requests.map((q) => q.at) as [number, number, number];
    // 50ms after the first failure, then 100ms after the second (timer slack allowed below).
    assert.ok(second - first >= 45, `first wait ${second - first}ms`);
    assert.ok(third - second >= 95, `second wait ${third - second}ms`);
    await sink.close();
    assert.deepEqual(sink.stats(), { pending: 0, delivered: 1, dropped: 0, errors: 2 });
  });

  it('gives an envelope up after `threshold` attempts and goes on with the next', async () => {
    const r = await receiver();
    r.script = [500, 500, 500];
    const sink = endpoint(r.url, { threshold: 3, backoffMs: 5 });
    sink.write(event('lost'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    sink.write(event('kept'));
    const events = await r.waitForEvents(1);
    assert.deepEqual(events.map((e) => e.target.tag), ['kept']);
    assert.equal(r.requests.length, 4);
    await sink.close();
    assert.deepEqual(sink.stats(), { pending: 0, delivered: 1, dropped: 1, errors: 3 });
  });

  it('counts a request past the timeout as failed', async () => {
    const r = await receiver();
    r.delayMs = 300;
    const sink = endpoint(r.url, { timeoutMs: 50, threshold: 1 });
    sink.write(event());
    await sink.close();
    assert.deepEqual(sink.stats(), { pending: 0, delivered: 0, dropped: 1, errors: 1 });
  });

  it('keeps the order of events, batching what queued while a request was in flight', async () => {
    const r = await receiver();
    r.delayMs = 30;
    r.script = [500];
    const sink = endpoint(r.url, { backoffMs: 10 });
    const written = Array.from({ length: 25 }, (_, i) => event(`n${i}`));
    for (const e of written.slice(0, 10)) sink.write(e);
    await new Promise((resolve) => setTimeout(resolve, 15));
    for (const e of written.slice(10)) sink.write(e);
    const received = await r.waitForEvents(25);
    assert.deepEqual(received.map((e) => e.id), written.map((e) => e.id));
    assert.ok(r.requests.length < 25, `${r.requests.length} requests for 25 events`);
    await sink.close();
  });

  it('close() flushes what is queued, then drops later writes', async () => {
    const r = await receiver();
    r.delayMs = 20;
    const sink = endpoint(r.url);
    for (let i = 0; i < 5; i++) sink.write(event(`f${i}`));
    await sink.close();
    assert.equal(r.events().length, 5);
    sink.write(event('late'));
    assert.deepEqual(sink.stats(), { pending: 0, delivered: 5, dropped: 1, errors: 0 });
  });

  it('close() cuts a long backoff short and makes one last attempt', async () => {
    const r = await receiver();
    r.script = [500];
    const sink = endpoint(r.url, { backoffMs: 60_000 });
    sink.write(event('last-chance'));
    while (r.requests.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    // Let the 500 arrive, so the sink is waiting out its backoff.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await sink.close();
    assert.ok(Date.now() - started < 2000, 'close waited for the backoff');
    assert.deepEqual(r.events().map((e) => e.target.tag), ['last-chance']);
  });

  it('never throws at the writer when the endpoint is unreachable', async () => {
    const r = await receiver();
    const url = r.url;
    await r.close();
    const sink = endpoint(url, { threshold: 2, backoffMs: 5 });
    assert.doesNotThrow(() => sink.write(event()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sink.close();
    assert.deepEqual(sink.stats(), { pending: 0, delivered: 0, dropped: 1, errors: 2 });
  });
});
