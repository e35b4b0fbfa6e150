// Challenge parsing and the token cache of the upstream client.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseChallenge } from './challenge.js';
import { TokenCache } from './token-cache.js';

describe('parseChallenge', () => {
  it('reads a Bearer challenge with quoted parameters', () => {
    assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:library/a:pull"'), {
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:library/a:pull' },
    });
  });

  it('reads Basic, unquoted and escaped values, and rejects nothing-at-all', () => {
    assert.deepEqual(parseChallenge('Basic realm="a \\"b\\""'), { scheme: 'basic', params: { realm: 'a "b"' } });
    assert.deepEqual(parseChallenge('Bearer realm=x, error="invalid_token"'), { scheme: 'bearer', params: { realm: 'x', error: 'invalid_token' } });
    assert.equal(parseChallenge(''), undefined);
    assert.equal(parseChallenge(undefined), undefined);
  });
});

describe('TokenCache', () => {
  it('reuses a token until shortly before it expires, and asks once for concurrent callers', async () => {
    let now = 0;
    let fetched = 0;
    const cache = new TokenCache(() => now);
    const fetchToken = async () => ({ token: `t${++fetched}`, expiresIn: 60 });
    const tokens = await Promise.all([cache.obtain('k', fetchToken), cache.obtain('k', fetchToken)]);
    assert.deepEqual(tokens, ['t1', 't1']);
    now = 50_000;
    assert.equal(await cache.obtain('k', fetchToken), 't1');
    now = 56_000;
    assert.equal(await cache.obtain('k', fetchToken), 't2', 'within the margin of expiry: renewed');
    cache.forget('k');
    assert.equal(await cache.obtain('k', fetchToken), 't3');
  });
});
