import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedLock } from './concurrency.js';

describe('KeyedLock', () => {
  it('runs one operation per key at a time', async () => {
    const lock = new KeyedLock();
    const order: string[] = [];
    const slow = lock.run('k', async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      order.push('first');
    });
    const fast = lock.run('k', async () => void order.push('second'));
    await Promise.all([slow, fast]);
    assert.deepEqual(order, ['first', 'second']);
  });

  it('holds no entry once the operations of 10,000 distinct keys have ended, failed ones included', async () => {
    const lock = new KeyedLock();
    const runs = Array.from({ length: 10_000 }, (_, i) =>
      lock.run(`image-${i}`, async () => {
        if (i % 2) throw new Error('refused');
        return i;
      }).catch(() => undefined),
    );
    assert.equal(lock.size, 10_000);
    await Promise.all(runs);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(lock.size, 0);
  });
});
