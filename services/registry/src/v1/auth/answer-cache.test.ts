import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerCache } from './answer-cache.js';

describe('AnswerCache', () => {
  it('remembers a yes, asks again for a no', async () => {
    const cache = new AnswerCache({ ttlMs: 60_000 });
    let asked = 0;
    const ask = (answer: boolean) => async () => (asked++, answer);
    assert.equal(await cache.get('yes', ask(true)), true);
    assert.equal(await cache.get('yes', ask(true)), true);
    assert.equal(await cache.get('no', ask(false)), false);
    assert.equal(await cache.get('no', ask(false)), false);
    assert.equal(asked, 3);
  });

  it('keeps its keys within a byte budget: long keys (client-chosen names) evict the oldest sooner', async () => {
    const cache = new AnswerCache({ ttlMs: 60_000 });
    let asked = 0;
    const yes = async () => (asked++, true);
    // 5,000 answers whose keys hold 1,000-character names: about 10 MB, over the 4 MiB default.
    for (let i = 0; i < 5000; i++) await cache.get(`token\0${String(i).padEnd(1000, 'n')}`, yes);
    assert.equal(asked, 5000);
    await cache.get(`token\0${'0'.padEnd(1000, 'n')}`, yes);
    assert.equal(asked, 5001, 'the oldest answer was evicted for bytes');
  });

});
