// The durable queue on each driver: entries in the order one producer wrote them, concurrent
// appends grouped into few entries, entries that outlive the process that wrote them, several
// producers in one directory, and an append that fails loudly when storage does.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DurableQueue, newProducerId } from '../../src/notifications/queue.js';
import { eventFilter } from '../../src/notifications/filter.js';
import { notificationEndpointConfig } from '../../src/config/schema.js';
import { notificationEndpointPath } from '../../src/storage/paths.js';
import { driverKinds, event, faultyDriver, queueLimits, sleep, tagsOf } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((c) => c())));

const dir = notificationEndpointPath('test');

for (const kind of driverKinds) {
  describe(`durable notification queue (${kind.name} driver)`, { skip: kind.skip }, () => {
    async function driver() {
      const { driver, cleanup } = await kind.create();
      cleanups.push(cleanup);
      return driver;
    }

    async function readAll(queue: DurableQueue) {
      const events = [];
      for (const entry of await queue.list()) events.push(...((await queue.read(entry)) ?? []));
      return events;
    }

    it('keeps one producer\'s events in the order written; concurrent appends share entries', async () => {
      const d = await driver();
      const queue = new DurableQueue(d, dir, newProducerId(), queueLimits(100));
      const written = Array.from({ length: 30 }, (_, i) => event(`n${i}`));
      await Promise.all(written.map((e) => queue.append(e)));
      const entries = await queue.list();
      assert.ok(entries.length < 30 && entries.length >= 2, `${entries.length} entries for 30 concurrent appends`);
      assert.equal(entries.reduce((sum, e) => sum + e.count, 0), 30, 'the names count the events');
      assert.deepEqual(tagsOf(await readAll(queue)), tagsOf(written));
    });

    it('bounds the events per entry', async () => {
      const d = await driver();
      const queue = new DurableQueue(d, dir, newProducerId(), queueLimits(4));
      await Promise.all(Array.from({ length: 10 }, (_, i) => queue.append(event(`b${i}`))));
      const entries = await queue.list();
      assert.ok(entries.every((e) => e.count <= 4), JSON.stringify(entries.map((e) => e.count)));
      assert.equal((await readAll(queue)).length, 10);
    });

    it('entries outlive their producer: a new queue object (a restart) reads them, and removal acks them', async () => {
      const d = await driver();
      const before = new DurableQueue(d, dir, newProducerId(), queueLimits(100));
      for (const tag of ['a', 'b', 'c']) await before.append(event(tag));
      // A restart takes longer than the millisecond that orders entries of different producers.
      await sleep(5);
      const restarted = new DurableQueue(d, dir, newProducerId(), queueLimits(100));
      await restarted.append(event('d'));
      assert.deepEqual(tagsOf(await readAll(restarted)), ['a', 'b', 'c', 'd']);
      const [first, ...rest] = await restarted.list();
      await restarted.remove([first!]);
      // Removing an entry another instance removed already is fine.
      await restarted.remove([first!]);
      assert.deepEqual((await restarted.list()).map((e) => e.name), rest.map((e) => e.name));
      assert.equal(await restarted.read(first!), undefined);
    });

    it('two producers in one directory: every event listed, each producer\'s in its order', async () => {
      const d = await driver();
      const one = new DurableQueue(d, dir, newProducerId(), queueLimits(100));
      const two = new DurableQueue(d, dir, newProducerId(), queueLimits(100));
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 20; i++) {
        writes.push(one.append(event(`one-${i}`)), two.append(event(`two-${i}`)));
        if (i % 5 === 0) await Promise.all(writes);
      }
      await Promise.all(writes);
      const tags = tagsOf(await readAll(one)) as string[];
      assert.equal(tags.length, 40);
      for (const producer of ['one', 'two']) {
        assert.deepEqual(tags.filter((t) => t.startsWith(`${producer}-`)), Array.from({ length: 20 }, (_, i) => `${producer}-${i}`));
      }
    });

    it('an append fails (after retries) when storage does, and the next one works again', async () => {
      const d = await driver();
      let broken = true;
      const queue = new DurableQueue(faultyDriver(d, { putContent: () => broken }), dir, newProducerId(), queueLimits(100));
      await assert.rejects(queue.append(event('lost')), /injected putContent failure/);
      broken = false;
      await queue.append(event('kept'));
      assert.deepEqual(tagsOf(await readAll(queue)), ['kept']);
    });

    it('sets an unreadable entry aside', async () => {
      const d = await driver();
      const queue = new DurableQueue(d, dir, newProducerId(), queueLimits(100));
      await queue.append(event('x'));
      const [entry] = await queue.list();
      await d.putContent(entry!.path, Buffer.from('{not json'));
      await assert.rejects(queue.read(entry!), SyntaxError);
      await queue.setAside(entry!);
      assert.deepEqual(await queue.list(), []);
      assert.equal((await d.getContent(`${dir}/corrupt/${entry!.name}`)).toString(), '{not json');
    });
  });
}

describe('endpoint paths and ignore rules', () => {
  it('endpoint names map to distinct path segments', () => {
    assert.equal(notificationEndpointPath('index'), '/wharf/notifications/index');
    const names = ['a b', 'a.20b', 'a/b', '..', 'ä', 'A-b_c'];
    const paths = names.map(notificationEndpointPath);
    assert.equal(new Set(paths).size, names.length);
    for (const path of paths) assert.match(path, /^\/wharf\/notifications\/[A-Za-z0-9.-]+$/);
  });

  it('ignoredMediaTypes, ignore.mediaTypes and ignore.actions exclude events; a delete has no media type', () => {
    const accepts = eventFilter(
      notificationEndpointConfig({
        name: 'x',
        url: 'http://127.0.0.1:59/',
        ignoredMediaTypes: ['application/vnd.oci.image.index.v1+json'],
        ignore: { mediaTypes: ['application/vnd.docker.distribution.manifest.v2+json'], actions: ['pull'] },
      }),
    );
    assert.equal(accepts(event('m', 'push', 'application/vnd.oci.image.manifest.v1+json')), true);
    assert.equal(accepts(event('i', 'push', 'application/vnd.oci.image.index.v1+json')), false);
    assert.equal(accepts(event('d2', 'push', 'application/vnd.docker.distribution.manifest.v2+json')), false);
    assert.equal(accepts(event('p', 'pull')), false);
    assert.equal(accepts(event('del', 'delete')), true);
    const noDeletes = eventFilter(notificationEndpointConfig({ name: 'x', url: 'http://127.0.0.1:59/', ignore: { actions: ['delete'] } }));
    assert.equal(noDeletes(event('del', 'delete')), false);
    assert.equal(noDeletes(event('m')), true);
  });

  it('rejects an unknown action and Distribution\'s all-lowercase keys', () => {
    assert.throws(() => notificationEndpointConfig({ name: 'x', url: 'http://127.0.0.1:59/', ignore: { actions: ['fetch' as 'pull'] } }));
    assert.throws(() => notificationEndpointConfig({ name: 'x', url: 'http://127.0.0.1:59/', ignoredmediatypes: [] } as never));
  });
});

describe('durable notification queue: byte budgets (memory driver)', () => {
  it('concurrent appends never build an entry over entryBytes, and all are stored in order', async () => {
    const { driver: d } = await driverKinds[0]!.create();
    const queue = new DurableQueue(d, dir, newProducerId(), queueLimits(100, { entryBytes: 3000 }));
    const written = Array.from({ length: 20 }, (_, i) => {
      const e = event(`m${i}`);
      e.request.useragent = 'u'.repeat(700);
      return e;
    });
    await Promise.all(written.map((e) => queue.append(e)));
    const entries = await queue.list();
    assert.ok(entries.every((e) => e.bytes <= 3000), JSON.stringify(entries.map((e) => e.bytes)));
    const stored = [];
    for (const entry of entries) stored.push(...((await queue.read(entry)) ?? []));
    assert.deepEqual(tagsOf(stored), tagsOf(written));
  });
});
