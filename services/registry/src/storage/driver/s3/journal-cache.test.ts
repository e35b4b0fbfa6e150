import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JournalCache } from './journal-cache.js';

const journal = (tailBytes: number, parts = 0) => ({ parts, partsBytes: parts * 5, tail: Buffer.alloc(tailBytes, 7) });

describe('JournalCache', () => {
  it('answers only for the ETag it was given, with a copy the caller may change', () => {
    const cache = new JournalCache(100);
    cache.set('k', '"e1"', journal(10, 1));
    assert.equal(cache.get('k', '"e2"'), undefined);
    assert.equal(cache.get('k', undefined), undefined);
    const got = cache.get('k', '"e1"')!;
    assert.equal(got.parts, 1);
    got.parts = 9;
    assert.equal(cache.get('k', '"e1"')!.parts, 1);
  });

  it('keeps at most maxBytes of tails, dropping the oldest first, and nothing without an ETag', () => {
    const cache = new JournalCache(100);
    cache.set('a', '"a"', journal(40));
    cache.set('b', '"b"', journal(40));
    cache.set('c', '"c"', journal(40));
    assert.equal(cache.has('a'), false);
    assert.equal(cache.has('b') && cache.has('c'), true);
    cache.set('big', '"x"', journal(101));
    assert.equal(cache.has('big'), false);
    cache.set('n', undefined, journal(1));
    assert.equal(cache.has('n'), false);
    cache.delete('b');
    cache.set('d', '"d"', journal(60));
    assert.equal(cache.has('c') && cache.has('d'), true);
  });
});
