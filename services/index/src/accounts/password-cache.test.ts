import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PasswordCache } from './password-cache.js';

describe('PasswordCache', () => {
  it('remembers a verified password for a minute', () => {
    const cache = new PasswordCache();
    cache.remember(1, '$2b$10$old', 'secret', 1000);
    assert.equal(cache.has(1, '$2b$10$old', 'secret', 1000 + 59_000), true);
    assert.equal(cache.has(1, '$2b$10$old', 'secret', 1000 + 61_000), false);
  });

  it('forgets everything when the stored hash changes, and never matches another password or user', () => {
    const cache = new PasswordCache();
    cache.remember(1, '$2b$10$old', 'secret', 0);
    assert.equal(cache.has(1, '$2b$10$new', 'secret', 1), false);
    assert.equal(cache.has(1, '$2b$10$old', 'Secret', 1), false);
    assert.equal(cache.has(2, '$2b$10$old', 'secret', 1), false);
  });

  it('runs one check for a burst of the same credentials, and caches only a success', async () => {
    const cache = new PasswordCache();
    let checks = 0;
    const slowCheck = (result: boolean) => () => new Promise<boolean>((resolve) => { checks++; setTimeout(() => resolve(result), 20); });
    const results = await Promise.all(Array.from({ length: 8 }, () => cache.verify(1, 'h', 'right', slowCheck(true))));
    assert.deepEqual(results, Array(8).fill(true));
    assert.equal(checks, 1);
    assert.equal(await cache.verify(1, 'h', 'right', slowCheck(true)), true);
    assert.equal(checks, 1, 'served from the cache');
    assert.equal(await cache.verify(1, 'h', 'wrong', slowCheck(false)), false);
    assert.equal(await cache.verify(1, 'h', 'wrong', slowCheck(false)), false);
    assert.equal(checks, 3, 'failures are never cached');
  });
});
