import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JournalCache } from './journal-cache.js';

const journal = (tailBytes: number, parts = 0) => ({ parts, partsBytes: parts * 5, tail: Buffer.alloc(tailBytes, 7) });

describe('JournalCache', () => {
  it('answers only for the ETag it was given, with a copy the caller may change', () => {
    const cache = new JournalCache(100_000);
    cache.set('k', '"e1"', journal(10, 1));
    assert.equal(cache.get('k', '"e2"'), undefined);
    assert.equal(cache.get('k', undefined), undefined);
    const got = cache.get('k', '"e1"')!;
    assert.equal(got.parts, 1);
    got.parts = 9;
    assert.equal(cache.get('k', '"e1"')!.parts, 1);
  });

  it('keeps at most maxBytes (tails and bookkeeping), dropping the oldest first, and nothing without an ETag', () => {
    const cache = new JournalCache(100_000);
    cache.set('a', '"a"', journal(40_000));
    cache.set('b', '"b"', journal(40_000));
    cache.set('c', '"c"', journal(40_000));
    assert.equal(cache.has('a'), false);
    assert.equal(cache.has('b') && cache.has('c'), true);
    cache.set('big', '"x"', journal(100_001));
    assert.equal(cache.has('big'), false);
    cache.set('n', undefined, journal(1));
    assert.equal(cache.has('n'), false);
    cache.delete('b');
    cache.set('d', '"d"', journal(59_000));
    assert.equal(cache.has('c') && cache.has('d'), true);
  });

  it('bounds the number of journals too: empty tails still cost their keys', () => {
    const cache = new JournalCache();
    for (let i = 0; i < 20_000; i++) cache.set(`uploads/${i}`, `"${i}"`, journal(0));
    assert.equal(cache.has('uploads/0'), false);
    assert.equal(cache.has('uploads/19999'), true);
  });
});
