// Rate limits on the token endpoint: requests per address, and failed logins per (account,
// address), so that guessing alice's password from one address does not lock her out at hers.
// Addresses are simulated with X-Forwarded-For behind one trusted proxy.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import request from 'supertest';
import type { Index } from '../../src/index.js';
import { assertError, basic, buildIndex, password, signUp } from './harness.js';

function tokenFrom(index: Index, address: string, auth?: string) {
  const test = request(index.app).get('/token').query({ service: 'wharf-registry' }).set('X-Forwarded-For', address);
  return auth ? test.set('Authorization', auth) : test;
}

function assertLimited(res: request.Response): void {
  assertError(res, 429, 'TOOMANYREQUESTS');
  assert.match(String(res.headers['retry-after']), /^\d+$/);
  for (const header of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset']) assert.ok(res.headers[header] !== undefined, `no ${header}`);
  assert.equal(res.headers['ratelimit-remaining'], '0');
}

/** Heap and buffer bytes still referenced after a full collection (the runner has no --expose-gc). */
function retainedBytes(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
}

describe('rate limits', () => {
  it('keeps no client-sized text per failed-login key: 40 sign-ups with 900 KB usernames retain next to nothing', async () => {
    // The (account, address) key held the username as sent: 600 requests a minute of 1 MB JSON
    // bodies made one anonymous address hold 600 MB until the window ended.
    const index = await buildIndex();
    const before = retainedBytes();
    for (let i = 0; i < 40; i++) {
      const res = await request(index.app).post('/api/users').send({ username: String(i).padEnd(900_000, 'x'), email: 'a@example.com', password });
      assertError(res, 400, 'INVALID_FIELD');
    }
    const retained = retainedBytes() - before;
    assert.ok(retained < 8 * 1024 * 1024, `${(retained / 1024 / 1024).toFixed(1)} MiB retained`);
  });

  it('answers 429 TOOMANYREQUESTS with Retry-After and RateLimit-* once an address uses its requests', async () => {
    const index = await buildIndex({ http: { trustProxy: 1 }, rateLimit: { window: '1m', perAddress: 3, failedPerAccount: 100 } });
    for (let i = 0; i < 3; i++) {
      const res = await tokenFrom(index, '10.0.0.1');
      assert.equal(res.status, 200);
      assert.equal(res.headers['ratelimit-limit'], '3');
    }
    assertLimited(await tokenFrom(index, '10.0.0.1'));
    assert.equal((await tokenFrom(index, '10.0.0.2')).status, 200, 'another address has its own budget');
  });

  it('failed logins for alice from address A block alice at A only, not at B, and not bobby at A', async () => {
    const index = await buildIndex({ http: { trustProxy: 1 }, rateLimit: { window: '1m', perAddress: 100, failedPerAccount: 2 } });
    const alice = await signUp(index, 'alice');
    const bob = await signUp(index, 'bobby');
    const guess = basic('alice', 'wrong-password');
    assertError(await tokenFrom(index, '10.0.0.1', guess), 401, 'UNAUTHORIZED');
    assertError(await tokenFrom(index, '10.0.0.1', guess), 401, 'UNAUTHORIZED');
    assertLimited(await tokenFrom(index, '10.0.0.1', guess));
    assertLimited(await tokenFrom(index, '10.0.0.1', alice.auth));
    assert.equal((await tokenFrom(index, '10.0.0.2', alice.auth)).status, 200);
    assert.equal((await tokenFrom(index, '10.0.0.1', bob.auth)).status, 200);
  });

  it('does not count successful logins as failures', async () => {
    const index = await buildIndex({ http: { trustProxy: 1 }, rateLimit: { window: '1m', perAddress: 100, failedPerAccount: 2 } });
    const alice = await signUp(index, 'alice');
    for (let i = 0; i < 4; i++) {
      const res = await tokenFrom(index, '10.0.0.1', alice.auth);
      assert.equal(res.status, 200);
      // The limiter forgets a success when the response finishes; give that event its turn.
      await new Promise((resolve) => setImmediate(resolve));
    }
  });

  it('does not count a 404 or 403 after a good password as a failed login', async () => {
    const index = await buildIndex({ http: { trustProxy: 1 }, rateLimit: { window: '1m', perAddress: 100, failedPerAccount: 2 } });
    const alice = await signUp(index, 'alice');
    for (let i = 0; i < 4; i++) {
      const res = await request(index.app).get('/api/repositories/alice/missing').set('X-Forwarded-For', '10.0.0.1').set('Authorization', alice.auth);
      assertError(res, 404, 'NOT_FOUND');
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal((await tokenFrom(index, '10.0.0.1', alice.auth)).status, 200);
  });

  it('counts POST /token logins by the form username', async () => {
    const index = await buildIndex({ http: { trustProxy: 1 }, rateLimit: { window: '1m', perAddress: 100, failedPerAccount: 1 } });
    await signUp(index, 'alice');
    const post = (address: string, secret: string) =>
      request(index.app).post('/token').set('X-Forwarded-For', address).type('form').send({ grant_type: 'password', username: 'alice', password: secret, client_id: 'docker' });
    assertError(await post('10.0.0.1', 'wrong-password'), 401, 'UNAUTHORIZED');
    assertLimited(await post('10.0.0.1', password));
    assert.equal((await post('10.0.0.2', password)).status, 200);
  });
});

describe('rate limits on every password check', () => {
  // Basic credentials are checked wherever they are sent, not only under /api and /token: a path
  // outside those (an unknown one, /registry/namespaces, /keys) must not be an unlimited oracle
  // (401 for a wrong password, something else for the right one).
  for (const path of ['/no-such-endpoint', '/keys/unknown', '/API/user']) {
    it(`limits failed logins sent to ${path}`, async () => {
      const index = await buildIndex({ http: { trustProxy: 1 }, rateLimit: { window: '1m', perAddress: 100, failedPerAccount: 2 } });
      await signUp(index, 'alice');
      const guess = () => request(index.app).get(path).set('X-Forwarded-For', '10.0.0.1').set('Authorization', basic('alice', 'wrong-password'));
      assertError(await guess(), 401, 'UNAUTHORIZED');
      assertError(await guess(), 401, 'UNAUTHORIZED');
      assertLimited(await guess());
    });
  }
});
