import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ByteLru, entryOverheadBytes } from './byte-lru.js';

const bufferCache = (maxBytes: number, maxEntries = 100) => new ByteLru<Buffer>({ maxBytes, maxEntries, sizeOf: (b) => b.length });
/** What an entry with a one-character key and a value of n bytes is accounted at. */
const cost = (n: number) => 2 + n + entryOverheadBytes;

describe('ByteLru', () => {
  it('evicts the least recently used entries when the bytes exceed the budget', () => {
    const cache = bufferCache(3 * cost(1000));
    for (const key of ['a', 'b', 'c']) assert.equal(cache.set(key, Buffer.alloc(1000)), true);
    assert.ok(cache.get('a'), 'a is now the most recently used');
    cache.set('d', Buffer.alloc(1000));
    assert.equal(cache.has('b'), false, 'b was the least recently used');
    assert.deepEqual(['a', 'c', 'd'].map((k) => cache.has(k)), [true, true, true]);
    assert.equal(cache.size, 3);
    assert.equal(cache.bytes, 3 * cost(1000));
  });

  it('evicts as many entries as a big one needs', () => {
    const cache = bufferCache(cost(3000));
    for (const key of ['a', 'b', 'c']) cache.set(key, Buffer.alloc(1000));
    cache.set('d', Buffer.alloc(2500));
    assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => cache.has(k)), [false, false, false, true]);
    assert.ok(cache.bytes <= cost(3000));
  });

  it('does not keep an entry bigger than the whole budget, nor evict for it', () => {
    const cache = bufferCache(cost(1000));
    cache.set('a', Buffer.alloc(10));
    assert.equal(cache.set('b', Buffer.alloc(1001)), false);
    assert.equal(cache.has('b'), false);
    assert.equal(cache.has('a'), true);
  });

  it('bounds the number of entries, whatever their size', () => {
    const cache = new ByteLru<number>({ maxBytes: 1 << 30, maxEntries: 5 });
    for (let i = 0; i < 1000; i++) cache.set(`key-${i}`, i);
    assert.equal(cache.size, 5);
    assert.deepEqual([995, 996, 997, 998, 999].map((i) => cache.get(`key-${i}`)), [995, 996, 997, 998, 999]);
  });

  it('counts the key: long keys of small values still meet the budget', () => {
    const cache = new ByteLru<number>({ maxBytes: 64 * 1024, maxEntries: 1_000_000 });
    for (let i = 0; i < 1000; i++) cache.set(`${i}:${'k'.repeat(1000)}`, i);
    assert.ok(cache.bytes <= 64 * 1024);
    assert.ok(cache.size <= 64 * 1024 / 2000);
  });

  it('replacing or deleting an entry gives its bytes back', () => {
    const cache = bufferCache(1 << 20);
    cache.set('a', Buffer.alloc(1000));
    cache.set('a', Buffer.alloc(10));
    assert.equal(cache.bytes, cost(10));
    assert.equal(cache.delete('a'), true);
    assert.equal(cache.delete('a'), false);
    assert.equal(cache.bytes, 0);
    cache.set('b', Buffer.alloc(5));
    cache.clear();
    assert.deepEqual([cache.size, cache.bytes], [0, 0]);
  });

  it('keeps nothing with a zero budget', () => {
    const cache = new ByteLru<number>({ maxBytes: 1 << 20, maxEntries: 0 });
    assert.equal(cache.set('a', 1), false);
    assert.equal(cache.size, 0);
  });
});
