import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SingleFlight } from './single-flight.js';

describe('SingleFlight', () => {
  it('shares one run among the callers of a key', async () => {
    const flights = new SingleFlight<number>();
    let runs = 0;
    const work = async () => ++runs;
    assert.deepEqual(await Promise.all([flights.run('k', work), flights.run('k', work)]), [1, 1]);
  });

  it('holds no entry once 10,000 distinct flights have settled, failed ones included', async () => {
    const flights = new SingleFlight<number>();
    const runs = Array.from({ length: 10_000 }, (_, i) =>
      flights.run(`name:${i}`, async () => {
        if (i % 2) throw new Error('upstream down');
        return i;
      }).catch(() => -1),
    );
    assert.equal(flights.size, 10_000);
    await Promise.all(runs);
    assert.equal(flights.size, 0);
  });
});
