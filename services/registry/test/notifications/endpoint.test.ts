// The endpoint over its durable queue: the Distribution envelope with the configured headers,
// retries with capped backoff that never drop (unless asked to), entries removed only once
// delivered (at least once), nothing lost over a restart, one sender among several instances,
// and a sender that takes over when the holder's storage access dies.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { mediaTypes } from '@wharf/shared';
import type { StorageDriver } from '../../src/storage/driver/driver.js';
import { Endpoint, type EndpointOptions } from '../../src/notifications/endpoint.js';
import type { EventFilter } from '../../src/notifications/filter.js';
import { DurableQueue, newProducerId } from '../../src/notifications/queue.js';
import { notificationEndpointPath } from '../../src/storage/paths.js';
import { driverKinds, event, fastTiming, faultyDriver, queueLimits, roomyBudgets, sleep, tagsOf } from './fixtures.js';
import { startReceiver, type Receiver } from './receiver.js';

const logger = pino({ level: 'silent' });
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  closers.push(() => r.close());
  return r;
}

const dir = notificationEndpointPath('test');

function endpoint(driver: StorageDriver, url: string, options: Partial<EndpointOptions> = {}, accepts: EventFilter = () => true): Endpoint {
  const e = new Endpoint(
    { name: 'test', url, headers: {}, timeoutMs: 2000, threshold: 10, backoffMs: 20, maxBackoffMs: 1000, dropAfterThreshold: false, ...roomyBudgets, ...options },
    { driver, dir, producer: newProducerId(), accepts, logger, timing: fastTiming },
  );
  closers.push(() => e.close());
  return e;
}

async function stored(driver: StorageDriver): Promise<number> {
  const entries = await new DurableQueue(driver, dir, 'reader', queueLimits(1)).list();
  return entries.reduce((sum, e) => sum + e.count, 0);
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const memory = driverKinds[0]!;

describe('notification endpoint (memory driver)', () => {
  it('POSTs the envelope with the events media type and the configured headers, then removes the entry', async () => {
    const { driver } = await memory.create();
    const r = await receiver();
    const sink = endpoint(driver, r.url, { headers: { Authorization: 'Bearer s3cret-s3cret-s3cret', 'X-Extra': 'yes' } });
    sink.start();
    const e = event('one');
    await sink.write(e);
    await r.waitForEvents(1);
    const [request] = r.requests;
    assert.equal(request!.headers['content-type'], mediaTypes.events);
    assert.equal(request!.headers.authorization, 'Bearer s3cret-s3cret-s3cret');
    assert.equal(request!.headers['x-extra'], 'yes');
    assert.deepEqual(request!.envelope, { events: [e] });
    await until('the entry removed', async () => (await stored(driver)) === 0);
    await sink.close();
    assert.deepEqual(sink.stats(), { queued: 0, queuedBytes: 0, delivered: 1, dropped: 0, deadLettered: 0, refused: 0, errors: 0, sending: false });
  });

  it('stores nothing for an ignored event', async () => {
    const { driver } = await memory.create();
    const sink = endpoint(driver, 'http://127.0.0.1:1/', {}, (e) => e.action !== 'delete');
    await sink.write(event('gone', 'delete'));
    await sink.write(event('kept'));
    assert.equal(await stored(driver), 1);
  });

  it('retries with exponential backoff: fails twice, then delivers once', async () => {
    const { driver } = await memory.create();
    const r = await receiver();
    r.script = [500, 503];
    const sink = endpoint(driver, r.url, { backoffMs: 50 });
    sink.start();
    await sink.write(event('retried'));
    const [delivered] = await r.waitForEvents(1);
    assert.equal(delivered!.target.tag, 'retried');
    assert.equal(r.requests.length, 3);
    const [first, second, third] = r.requests.map((q) => q.at) as [number, number, number];
    assert.ok(second - first >= 45, `first wait ${second - first}ms`);
    assert.ok(third - second >= 95, `second wait ${third - second}ms`);
    await sink.close();
    assert.equal(sink.stats().errors, 2);
  });

  it('keeps retrying past `threshold` with the backoff capped, and delivers when the endpoint is back', async () => {
    const { driver } = await memory.create();
    const r = await receiver();
    r.script = Array.from({ length: 8 }, () => 500);
    const sink = endpoint(driver, r.url, { threshold: 2, backoffMs: 20, maxBackoffMs: 40 });
    sink.start();
    await sink.write(event('patient'));
    const events = await r.waitForEvents(1);
    assert.deepEqual(tagsOf(events), ['patient']);
    assert.equal(r.requests.length, 9);
    // Uncapped, the last wait would be 20 ms × 2⁷ = 2.56 s; capped it is 40 ms (plus load).
    const waits = r.requests.slice(1).map((q, i) => q.at - r.requests[i]!.at);
    assert.ok(Math.max(...waits) < 1000, `waits ${waits.join(', ')}ms: capped at maxBackoff`);
    await sink.close();
    assert.deepEqual({ ...sink.stats(), queued: 0 }, { queued: 0, queuedBytes: 0, delivered: 1, dropped: 0, deadLettered: 0, refused: 0, errors: 8, sending: false });
  });

  it('with dropAfterThreshold, gives a batch up after `threshold` attempts and goes on', async () => {
    const { driver } = await memory.create();
    const r = await receiver();
    r.script = [500, 500, 500];
    const sink = endpoint(driver, r.url, { threshold: 3, backoffMs: 5, dropAfterThreshold: true });
    sink.start();
    await sink.write(event('lost'));
    await until('three attempts', () => r.requests.length >= 3);
    await sink.write(event('kept'));
    assert.deepEqual(tagsOf(await r.waitForEvents(1)), ['kept']);
    await sink.close();
    assert.equal(sink.stats().dropped, 1);
  });

  it('counts an answer past the timeout as failed and sends the batch again (at least once)', async () => {
    const { driver } = await memory.create();
    const r = await receiver();
    r.delayMs = 200;
    const sink = endpoint(driver, r.url, { timeoutMs: 50, backoffMs: 10 });
    sink.start();
    await sink.write(event('slow'));
    await until('a retry', () => r.requests.length >= 2);
    r.delayMs = 0;
    await until('delivered', async () => sink.stats().delivered === 1);
    assert.ok(sink.stats().errors >= 1);
    assert.ok(r.requests.every((q) => q.envelope.events[0]!.target.tag === 'slow'));
  });

  it('batches a backlog into envelopes of at most maxBatch events, in order', async () => {
    const { driver } = await memory.create();
    const r = await receiver();
    const writer = new Endpoint(
      { name: 'test', url: r.url, headers: {}, timeoutMs: 2000, threshold: 10, backoffMs: 20, maxBackoffMs: 1000, dropAfterThreshold: false, ...roomyBudgets },
      { driver, dir, producer: newProducerId(), accepts: () => true, logger, timing: { ...fastTiming, maxBatch: 7 } },
    );
    closers.push(() => writer.close());
    const written = Array.from({ length: 30 }, (_, i) => event(`n${i}`));
    for (const e of written) await writer.write(e);
    writer.start();
    assert.deepEqual(tagsOf(await r.waitForEvents(30)), tagsOf(written));
    assert.ok(r.requests.every((q) => q.envelope.events.length <= 7));
    assert.ok(r.requests.length >= 5);
  });
});

for (const kind of driverKinds) {
  describe(`notification endpoint durability (${kind.name} driver)`, { skip: kind.skip }, () => {
    async function driver() {
      const { driver, cleanup } = await kind.create();
      closers.push(cleanup);
      return driver;
    }

    it('loses nothing over a restart while the receiver is down: every event arrives, in order', async () => {
      const d = await driver();
      const down = await receiver();
      const url = down.url;
      await down.close();
      const first = endpoint(d, url, { backoffMs: 10 });
      first.start();
      const written = Array.from({ length: 12 }, (_, i) => event(`r${i}`));
      for (const e of written.slice(0, 6)) await first.write(e);
      await Promise.all(written.slice(6).map((e) => first.write(e)));
      await until('a failed attempt', () => first.stats().errors >= 1);
      await first.close();
      assert.equal(await stored(d), 12);

      const up = await receiver();
      const restarted = endpoint(d, up.url);
      restarted.start();
      assert.deepEqual(tagsOf(await up.waitForEvents(12)), tagsOf(written));
      await until('the queue emptied', async () => (await stored(d)) === 0);
    });

    it('sends again what was delivered but not yet removed (a crash in between): at least once', async () => {
      const d = await driver();
      const r = await receiver();
      let failDelete = true;
      const sink = endpoint(faultyDriver(d, { delete: (p) => failDelete && p.includes('/queue/') }), r.url, { backoffMs: 10 });
      sink.start();
      await sink.write(event('twice'));
      await until('two deliveries', () => r.events().length >= 2);
      failDelete = false;
      await until('the queue emptied', async () => (await stored(d)) === 0);
      assert.ok(tagsOf(r.events()).every((t) => t === 'twice'));
    });

    it('two instances over one store: one sends, every event arrives, each producer\'s in order', async () => {
      const d = await driver();
      const r = await receiver();
      const one = endpoint(d, r.url);
      const two = endpoint(d, r.url);
      one.start();
      two.start();
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 15; i++) {
        writes.push(one.write(event(`one-${i}`)), two.write(event(`two-${i}`)));
        if (i % 4 === 0) await sleep(15);
      }
      await Promise.all(writes);
      await r.waitForEvents(30);
      await until('the queue emptied', async () => (await stored(d)) === 0);
      const tags = tagsOf(r.events()) as string[];
      assert.equal(new Set(tags).size, 30, 'every event');
      for (const producer of ['one', 'two']) {
        const mine = tags.filter((t) => t.startsWith(`${producer}-`));
        assert.deepEqual([...new Set(mine)], Array.from({ length: 15 }, (_, i) => `${producer}-${i}`), `${producer}'s order`);
      }
      assert.equal(tags.length, 30, 'the lease left one sender: no duplicates');
      assert.equal([one, two].filter((e) => e.stats().delivered > 0).length, 1);
    });

    it('another instance takes over once the sender\'s storage access dies', async () => {
      const d = await driver();
      const r = await receiver();
      let dead = false;
      // The lease lasts three timeouts (3 s): long enough that a full parallel test run on Ceph or
      // Azurite does not make the holder miss its own renewal before the takeover is tested.
      const holder = endpoint(faultyDriver(d, { getContent: () => dead, putContent: () => dead, list: () => dead, delete: () => dead }), r.url, { timeoutMs: 1000 });
      holder.start();
      await holder.write(event('before'));
      await r.waitForEvents(1);
      await until('the entry removed', async () => (await stored(d)) === 0);
      assert.equal(holder.stats().sending, true);
      const other = endpoint(d, r.url, { timeoutMs: 1000 });
      other.start();
      dead = true;
      await other.write(event('after'));
      // The holder's lease runs out (3 s here), then the other instance sends. On a loaded
      // machine an attempt may time out after the receiver took it, so 'before' may come
      // more than once (at least once is the promise); 'after' must come, and after it.
      await until('the other instance sends', () => tagsOf(r.events()).includes('after'), 30_000);
      const tags = tagsOf(r.events());
      assert.deepEqual([...new Set(tags)], ['before', 'after']);
      assert.equal(tags.lastIndexOf('before') < tags.indexOf('after'), true);
      assert.equal(other.stats().sending, true);
    });
  });
}

describe('notification endpoint byte budgets (issue #12)', () => {
  /** Waits that bound a loaded machine (a full parallel test run), not a measure of speed. */
  const loadedMachineMs = 20_000;

  /** An event whose User-Agent pads it to about `bytes` of JSON. */
  function sized(tag: string, bytes: number) {
    const e = event(tag);
    e.request.useragent = 'u'.repeat(Math.max(0, bytes - JSON.stringify(e).length));
    return e;
  }

  it('never posts an envelope or stores an entry over maxBatchBytes', async () => {
    const { driver } = await memory.create();
    const r = await receiver();
    const sink = endpoint(driver, r.url, { maxBatchBytes: 4096 });
    const written = Array.from({ length: 20 }, (_, i) => sized(`s${i}`, 900));
    await Promise.all(written.map((e) => sink.write(e)));
    const entries = await new DurableQueue(driver, dir, 'reader', queueLimits()).list();
    assert.ok(entries.every((e) => e.bytes > 0 && e.bytes <= 4096), JSON.stringify(entries.map((e) => e.bytes)));
    sink.start();
    assert.deepEqual(tagsOf(await r.waitForEvents(20, loadedMachineMs)), tagsOf(written));
    assert.ok(r.requests.every((q) => q.bytes <= 4096), `envelopes of ${r.requests.map((q) => q.bytes).join(', ')} bytes`);
    assert.ok(r.requests.length >= 5);
  });

  it('moves an entry larger than the batch budget on its own to dead-letter/ and goes on', async () => {
    const { driver } = await memory.create();
    const r = await receiver();
    // Written under a larger budget (as before an upgrade or a config change), sent under a smaller one.
    const before = endpoint(driver, r.url, { maxBatchBytes: 64 * 1024 });
    await before.write(sized('huge', 20_000));
    await before.close();
    const sink = endpoint(driver, r.url, { maxBatchBytes: 8192 });
    await sink.write(event('small'));
    sink.start();
    assert.deepEqual(tagsOf(await r.waitForEvents(1, loadedMachineMs)), ['small']);
    // Two producers in one millisecond may order either way: the small one may go first.
    await until('the large entry dead-lettered', () => sink.stats().deadLettered === 1, loadedMachineMs);
    assert.ok(r.requests.every((q) => q.bytes <= 8192));
    const dead = await new DurableQueue(driver, dir, 'reader', queueLimits()).deadLetters();
    assert.equal(dead.length, 1);
    await until('the queue emptied', async () => (await stored(driver)) === 0, loadedMachineMs);
  });

  it('finds the one refused event among many entries: only its entry is dead-lettered', async () => {
    const { driver } = await memory.create();
    const r = await receiver();
    r.answer = (envelope) => (envelope.events.some((e) => e.target.tag === 'poison') ? 422 : 200);
    const sink = endpoint(driver, r.url);
    const written = ['a', 'b', 'c', 'poison', 'd', 'e', 'f'].map((tag) => event(tag));
    // One entry each, so that the refused event shares an entry with no other.
    for (const e of written) await sink.write(e);
    sink.start();
    const delivered = await r.waitForEvents(6, loadedMachineMs);
    assert.deepEqual(tagsOf(delivered), ['a', 'b', 'c', 'd', 'e', 'f']);
    await until('the refused entry dead-lettered', async () => sink.stats().deadLettered === 1, loadedMachineMs);
    const queue = new DurableQueue(driver, dir, 'reader', queueLimits());
    const [dead] = await queue.deadLetters();
    assert.deepEqual(tagsOf((await queue.read(dead!))!), ['poison']);
    // Delivered entries are removed once the POST is answered, a moment after the receiver has them.
    await until('the queue emptied', async () => (await stored(driver)) === 0, loadedMachineMs);
  });

  it('a refused event in an entry shared with other requests\' events (group commit) takes only itself to dead-letter/', async () => {
    const { driver } = await memory.create();
    const r = await receiver();
    r.answer = (envelope) => (envelope.events.some((e) => e.target.tag === 'poison') ? 422 : 200);
    const sink = endpoint(driver, r.url);
    // Written at once, as concurrent pushes of several tenants: they share entries.
    const written = ['a', 'b', 'poison', 'c', 'd', 'e'].map((tag) => event(tag));
    await Promise.all(written.map((e) => sink.write(e)));
    const queue = new DurableQueue(driver, dir, 'reader', queueLimits());
    assert.ok((await queue.list()).some((entry) => entry.count > 1), 'the events share an entry');
    sink.start();
    await until('the refused event dead-lettered', async () => sink.stats().deadLettered > 0, loadedMachineMs);
    assert.deepEqual(tagsOf(await r.waitForEvents(5, loadedMachineMs)), ['a', 'b', 'c', 'd', 'e']);
    const dead = [];
    for (const entry of await queue.deadLetters()) dead.push(...((await queue.read(entry)) ?? []));
    assert.deepEqual(tagsOf(dead), ['poison']);
    assert.equal(sink.stats().deadLettered, 1);
    await until('the queue emptied', async () => (await stored(driver)) === 0, loadedMachineMs);
  });

  it('keeps the stored queue within maxQueueBytes: past it pushes go on, events are counted as refused, not stored', async () => {
    const { driver } = await memory.create();
    const sink = endpoint(driver, 'http://127.0.0.1:5999/', { maxQueueBytes: 10_000 });
    for (let i = 0; i < 30; i++) await sink.write(sized(`q${i}`, 900));
    const entries = await new DurableQueue(driver, dir, 'reader', queueLimits()).list();
    const bytes = entries.reduce((sum, e) => sum + e.bytes, 0);
    assert.ok(bytes <= 10_000 && bytes > 5_000, `${bytes} bytes stored`);
    assert.equal(sink.stats().refused, 30 - (await stored(driver)));
    assert.ok(sink.stats().refused > 0);
  });

  it('keeps dead-letter/ within maxDeadLetterBytes, deleting the oldest', async () => {
    const { driver } = await memory.create();
    const r = await receiver();
    r.answer = () => 400;
    const sink = endpoint(driver, r.url, { maxDeadLetterBytes: 3000 });
    for (let i = 0; i < 6; i++) await sink.write(sized(`d${i}`, 900));
    sink.start();
    await until('all refused', async () => sink.stats().deadLettered === 6, loadedMachineMs);
    const queue = new DurableQueue(driver, dir, 'reader', queueLimits());
    const dead = await queue.deadLetters();
    assert.ok(dead.reduce((sum, e) => sum + e.bytes, 0) <= 3000);
    const kept = [];
    for (const entry of dead) kept.push(...((await queue.read(entry)) ?? []));
    assert.deepEqual(tagsOf(kept), ['d3', 'd4', 'd5']);
  });
});
