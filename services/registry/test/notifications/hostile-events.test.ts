// Issue #12, item 2: one event must not block an endpoint's queue forever. A batch the receiver
// refuses for good goes to dead-letter/ and the events after it are delivered; free text the
// client sends is cut in the event; the largest manifest's event fits the batch budget.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import request from 'supertest';
import { defaultEventBatchBytes, eventTextLimits, maxEventBytes, mediaTypes, parseEnvelope, type Envelope } from '@wharf/shared';
import { registryConfigSchema } from '../../src/config/schema.js';
import { createRegistry, type Registry } from '../../src/server.js';
import type { StorageDriver } from '../../src/storage/driver/driver.js';
import { createMemoryDriver } from '../../src/storage/driver/memory/memory-driver.js';
import { notificationEndpointPath } from '../../src/storage/paths.js';
import { pushImage } from '../api/harness.js';
import { fastTiming } from './fixtures.js';
import { startReceiver, type Receiver } from './receiver.js';

const name = 'team/app';
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

async function setup(endpoint: Record<string, unknown> = {}, storage: Record<string, unknown> = {}): Promise<{ registry: Registry; receiver: Receiver; driver: StorageDriver }> {
  const receiver = await startReceiver();
  closers.push(() => receiver.close());
  const driver = createMemoryDriver();
  const config = registryConfigSchema.parse({
    http: { metrics: true },
    log: { level: 'silent' },
    storage: { memory: {}, uploadPurging: { enabled: false }, ...storage },
    notifications: { endpoints: [{ name: 'index', url: receiver.url, backoff: '10ms', maxBackoff: '50ms', ...endpoint }] },
  });
  const registry = await createRegistry(config, { driver, logger: pino({ level: 'silent' }), notificationTiming: fastTiming });
  closers.push(() => registry.close());
  return { registry, receiver, driver };
}

/** A manifest PUT whose headers the test sets (superagent must not re-serialize the bytes). */
const putRaw = (app: Registry['app'], tag: string, contentType: string) =>
  request(app).put(`/v2/${name}/manifests/${tag}`).serialize((body: unknown) => body as string).set('Content-Type', contentType);

const hasTag = (envelope: Envelope, tag: string) => envelope.events.some((e) => e.target.tag === tag);

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('notifications: a refused batch does not block the queue', () => {
  it('a receiver that refuses one batch for good (400) still gets the events after it; the refused one is in dead-letter/', async () => {
    const { registry, receiver, driver } = await setup();
    receiver.answer = (envelope) => (hasTag(envelope, 'poison') ? 400 : 200);
    await pushImage(registry.app, name, { tag: 'poison' });
    await until('the poison batch refused', () => receiver.requests.some((q) => hasTag(q.envelope, 'poison')));
    await pushImage(registry.app, name, { tag: 'after', layers: ['other'] });
    const delivered = await receiver.waitForEvents(1);
    assert.deepEqual(delivered.map((e) => e.target.tag), ['after']);

    const deadLetters = await driver.list(`${notificationEndpointPath('index')}/dead-letter`);
    assert.equal(deadLetters.length, 1);
    const kept = JSON.parse((await driver.getContent(deadLetters[0]!)).toString('utf8')) as Envelope;
    assert.deepEqual(kept.events.map((e) => e.target.tag), ['poison']);
    const metrics = (await request(registry.app).get('/metrics')).text;
    assert.match(metrics, /^wharf_notification_events_dead_lettered_total\{endpoint="index",service="registry"\} 1$/m);
  });

  it('a 5xx, 408 or 429 is retried, not dead-lettered', async () => {
    const { registry, receiver, driver } = await setup();
    receiver.script = [503, 408, 429];
    await pushImage(registry.app, name, { tag: 'patient' });
    assert.deepEqual((await receiver.waitForEvents(1)).map((e) => e.target.tag), ['patient']);
    assert.equal(receiver.requests.length, 4);
    await assert.rejects(driver.list(`${notificationEndpointPath('index')}/dead-letter`));
  });

  it('cuts a huge User-Agent, Host and request id in the event, and reports no URL for such a Host', async () => {
    const { registry, receiver } = await setup();
    const image = await pushImage(registry.app, name);
    const put = await putRaw(registry.app, 'big-headers', image.mediaType)
      .set('User-Agent', 'u'.repeat(12_000))
      .set('Host', `${'h'.repeat(400)}.example`)
      .set('X-Request-Id', 'r'.repeat(1000))
      .send(image.bytes);
    assert.equal(put.status, 201, put.text);
    const events = await receiver.waitForEvents(2);
    const event = events.find((e) => e.target.tag === 'big-headers')!;
    assert.equal(event.request.useragent.length, eventTextLimits.useragent);
    assert.equal(event.request.host.length, eventTextLimits.host);
    assert.ok(event.request.id.length <= eventTextLimits.requestId, `request id of ${event.request.id.length}`);
    assert.equal(event.target.url, undefined);
  });

  it('the event of the largest manifest the registry accepts is within maxEventBytes and the batch budget', async () => {
    // 1 MiB rather than the default 4 MiB keeps the test fast; the bound scales with the limit.
    const maxManifestBytes = 1024 * 1024;
    const { registry, receiver } = await setup({}, { maxManifestBytes });
    const child = await pushImage(registry.app, name);
    // The most descriptors the limit allows, each written as small as JSON allows, with a size
    // that grows when written back (1e15 → 1000000000000000) and the longest platform fields.
    const descriptor = `{"mediaType":"a/b","digest":"${child.digest}","size":1e15,"platform":{"architecture":"${'a'.repeat(128)}","os":"${'o'.repeat(128)}","variant":"${'v'.repeat(128)}"}}`;
    const head = `{"schemaVersion":2,"mediaType":"${mediaTypes.ociIndex}","manifests":[`;
    const count = Math.floor((maxManifestBytes - head.length - 2) / (descriptor.length + 1));
    const body = Buffer.from(`${head}${Array.from({ length: count }, () => descriptor).join(',')}]}`);
    assert.ok(body.length <= maxManifestBytes);
    const put = await putRaw(registry.app, 'largest', mediaTypes.ociIndex)
      .set('User-Agent', 'u'.repeat(8000))
      .send(body);
    assert.equal(put.status, 201, put.text);
    const events = await receiver.waitForEvents(2, 15_000);
    const largest = events.find((e) => e.target.tag === 'largest')!;
    assert.equal(largest.target.references?.length, count);
    const eventBytes = Buffer.byteLength(JSON.stringify(largest));
    assert.ok(eventBytes <= maxEventBytes(maxManifestBytes), `event of ${eventBytes} bytes`);
    assert.ok(receiver.requests.every((q) => q.bytes <= defaultEventBatchBytes), `envelopes of ${receiver.requests.map((q) => q.bytes).join(', ')} bytes`);
  });

  it('every event a pushed manifest makes is one the receiver\'s parser (the index\'s) accepts: empty platform fields too', async () => {
    const { registry, receiver } = await setup();
    receiver.answer = (envelope) => {
      try {
        parseEnvelope(envelope);
        return 200;
      } catch {
        return 400;
      }
    };
    const child = await pushImage(registry.app, name);
    // Strings of at most 128 characters, as manifest validation allows; the receiver wants non-empty ones.
    const index = { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [{ ...child.descriptor, platform: { architecture: '', os: '' } }] };
    const put = await putRaw(registry.app, 'empty-platform', mediaTypes.ociIndex).send(Buffer.from(JSON.stringify(index)));
    assert.equal(put.status, 201, put.text);
    const events = await receiver.waitForEvents(2);
    assert.ok(events.some((e) => e.target.tag === 'empty-platform'));
  });

  it('refuses a config whose batch budget cannot hold the largest event', () => {
    const parse = (maxBatchBytes: number) =>
      registryConfigSchema.safeParse({ storage: { memory: {}, maxManifestBytes: 1024 * 1024 }, notifications: { endpoints: [{ name: 'i', url: 'http://127.0.0.1:5999/', maxBatchBytes }] } });
    assert.equal(parse(maxEventBytes(1024 * 1024)).success, true);
    const refused = parse(maxEventBytes(1024 * 1024) - 1);
    assert.equal(refused.success, false);
    assert.match(JSON.stringify(refused.error?.issues), /maxBatchBytes/);
  });
});
