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
});
