import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ByteBudget, distinct, mapBounded, Semaphore, SemaphoreTimeoutError } from './concurrency.js';

const tick = (ms = 0) => new Promise((resolve) => (ms ? setTimeout(resolve, ms) : setImmediate(resolve)));

/** A task function that records how many of its calls run at once. */
function gauge(delay: (i: number) => number = () => 1) {
  let active = 0;
  let peak = 0;
  const run = async (item: number, index: number): Promise<number> => {
    active++;
    peak = Math.max(peak, active);
    await tick(delay(index));
    active--;
    return item * 2;
  };
  return { run, peak: () => peak };
}

describe('mapBounded', () => {
  it('never runs more than the limit at once, and keeps item order in the results', async () => {
    const items = Array.from({ length: 200 }, (_, i) => i);
    for (const limit of [1, 3, 16]) {
      const g = gauge((i) => (i * 7) % 5);
      const results = await mapBounded(items, limit, g.run);
      assert.deepEqual(results, items.map((i) => i * 2));
      assert.equal(g.peak(), limit, `limit ${limit}`);
    }
  });

  it('25,000 items with a limit of 8: at most 8 in flight', async () => {
    const g = gauge(() => 0);
    const results = await mapBounded(Array(25_000).fill(1), 8, g.run);
    assert.equal(results.length, 25_000);
    assert.ok(g.peak() <= 8);
  });

  it('fails fast: rejects with the first error and starts nothing after it', async () => {
    const started: number[] = [];
    const failure = new Error('item 5');
    await assert.rejects(
      mapBounded(Array.from({ length: 100 }, (_, i) => i), 4, async (i) => {
        started.push(i);
        await tick(1);
        if (i === 5) throw failure;
        return i;
      }),
      (err) => err === failure,
    );
    await tick(20);
    assert.ok(started.length < 12, `${started.length} started`);
  });

  it('an empty list resolves to an empty list; a limit below 1 is refused', async () => {
    assert.deepEqual(await mapBounded([], 4, async () => 1), []);
    await assert.rejects(mapBounded([1], 0, async () => 1), RangeError);
  });
});

describe('distinct', () => {
  it('keeps the first of each, in order, by key', () => {
    assert.deepEqual(distinct(['b', 'a', 'b', 'c', 'a']), ['b', 'a', 'c']);
    assert.deepEqual(distinct([{ d: 'x', n: 1 }, { d: 'x', n: 2 }, { d: 'y', n: 3 }], (o) => o.d).map((o) => o.n), [1, 3]);
  });
});

describe('Semaphore', () => {
  it('hands out at most capacity permits, first come first served', async () => {
    const s = new Semaphore(2);
    const order: string[] = [];
    const a = await s.acquire();
    const b = await s.acquire();
    const c = s.acquire().then((release) => (order.push('c'), release));
    const d = s.acquire().then((release) => (order.push('d'), release));
    await tick();
    assert.equal(s.inUse, 2);
    assert.equal(s.queued, 2);
    a();
    a(); // a second release of the same permit is ignored
    (await c)();
    b();
    (await d)();
    assert.deepEqual(order, ['c', 'd']);
    assert.equal(s.inUse, 0);
  });

  it('a wait that times out rejects and leaves the queue', async () => {
    const s = new Semaphore(1);
    const held = await s.acquire();
    await assert.rejects(s.acquire(10), SemaphoreTimeoutError);
    assert.equal(s.queued, 0);
    held();
    const again = await s.acquire(10);
    assert.equal(s.inUse, 1);
    again();
  });

  it('run releases the permit when the work fails', async () => {
    const s = new Semaphore(1);
    await assert.rejects(s.run(async () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(s.inUse, 0);
  });
});

describe('ByteBudget', () => {
  it('never hands out more bytes than its capacity, and serves waiters in arrival order', async () => {
    const budget = new ByteBudget(100);
    const first = await budget.acquire(60);
    const order: string[] = [];
    const big = budget.acquire(70).then((release) => (order.push('big'), release));
    const small = budget.acquire(10).then((release) => (order.push('small'), release));
    await tick();
    // 10 bytes would fit beside the 60, but the 70 came first: nobody overtakes it.
    assert.deepEqual(order, []);
    assert.equal(budget.inUse, 60);
    first();
    const [releaseBig, releaseSmall] = await Promise.all([big, small]);
    assert.deepEqual(order, ['big', 'small']);
    assert.equal(budget.inUse, 80);
    releaseBig();
    releaseBig();
    releaseSmall();
    assert.equal(budget.inUse, 0);
  });

  it('tryAcquire takes bytes only when they are free and nobody waits', async () => {
    const budget = new ByteBudget(10);
    const seven = budget.tryAcquire(7);
    assert.ok(seven);
    assert.equal(budget.tryAcquire(4), undefined);
    const three = budget.tryAcquire(3);
    assert.ok(three);
    seven();
    const waiter = budget.acquire(9);
    await tick();
    // 7 bytes are free, but a waiter came first.
    assert.equal(budget.tryAcquire(1), undefined);
    three();
    (await waiter)();
    assert.equal(budget.inUse, 0);
  });

  it('grants a request larger than the whole budget once everything is free', async () => {
    const budget = new ByteBudget(10);
    const release = await budget.acquire(1_000);
    assert.equal(budget.inUse, 10);
    release();
    assert.equal(budget.inUse, 0);
  });

  it('gives up after the wait allowed, and lets the next waiter in', async () => {
    const budget = new ByteBudget(10);
    const held = await budget.acquire(8);
    const late = budget.acquire(5, 20);
    const fits = budget.acquire(2, 1_000);
    await assert.rejects(late, SemaphoreTimeoutError);
    const releaseFits = await fits;
    assert.equal(budget.inUse, 10);
    assert.equal(budget.queued, 0);
    held();
    releaseFits();
  });
});
