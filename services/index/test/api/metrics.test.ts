// GET /metrics on the index, scraped after real requests: requests by route, logins ok and failed,
// tokens issued (full or partial) and refused, rate-limit refusals, webhook delivery attempts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { sampleValue } from '@wharf/common';
import type { Index } from '../../src/index.js';
import { indexWithEvents, pushEvent, recordEvents, startHookTarget } from '../events/helpers.js';
import { basic, buildIndex, signUp } from './harness.js';

const scrape = async (index: Index) => (await request(index.app).get('/metrics').expect(200)).text;

describe('index metrics', () => {
  it('is absent by default and counts token requests by route when enabled', async () => {
    assert.equal((await request((await buildIndex()).app).get('/metrics')).status, 404);
    const index = await buildIndex({ http: { metrics: true } });
    await request(index.app).get('/token').query({ service: 'wharf-registry' }).expect(200);
    assert.equal(sampleValue(await scrape(index), 'wharf_http_requests_total', { route: '/token', method: 'GET', status: '200' }), 1);
  });

  it('counts logins, tokens issued in full or in part, and refusals', async () => {
    const index = await buildIndex({ http: { metrics: true } });
    const alice = await signUp(index, 'alice');
    await signUp(index, 'bobby');
    const token = (auth: string | undefined, scope: string) => {
      const req = request(index.app).get('/token').query({ service: 'wharf-registry', scope });
      return auth ? req.set('Authorization', auth) : req;
    };
    await token(alice.auth, 'repository:alice/app:pull,push').expect(200);
    await token(alice.auth, 'repository:bobby/app:pull,push').expect(200); // nothing of bobby's: partial
    await token(basic('alice', 'wrong-password'), 'repository:alice/app:pull').expect(401);
    await request(index.app).post('/token').type('form').send({ grant_type: 'password', client_id: 'docker', username: 'alice', password: alice.password }).expect(200);
    await token(undefined, 'not a scope').expect(400);
    const text = await scrape(index);
    assert.equal(sampleValue(text, 'wharf_index_logins_total', { result: 'ok', via: 'password' }), 3);
    assert.equal(sampleValue(text, 'wharf_index_logins_total', { result: 'failed', via: 'password' }), 1);
    assert.equal(sampleValue(text, 'wharf_index_tokens_issued_total', { grant: 'full' }), 2);
    assert.equal(sampleValue(text, 'wharf_index_tokens_issued_total', { grant: 'partial' }), 1);
    assert.equal(sampleValue(text, 'wharf_index_tokens_denied_total', { code: 'UNAUTHORIZED' }), 1);
    assert.equal(sampleValue(text, 'wharf_index_tokens_denied_total', { code: 'INVALID_REQUEST' }), 1);
  });

  it('counts requests refused by the rate limits', async () => {
    const index = await buildIndex({ http: { metrics: true }, rateLimit: { perAddress: 2 } });
    for (let i = 0; i < 2; i++) await request(index.app).get('/token').query({ service: 'wharf-registry' }).expect(200);
    await request(index.app).get('/token').query({ service: 'wharf-registry' }).expect(429);
    await request(index.app).get('/token').query({ service: 'wharf-registry' }).expect(429);
    assert.equal(sampleValue(await scrape(index), 'wharf_index_rate_limited_total', { limit: 'perAddress' }), 2);
  });

  it('counts webhook delivery attempts: a failure to retry, then the delivery', async () => {
    const index = await indexWithEvents({ http: { metrics: true }, webhooks: { interval: '20ms', backoff: '10ms' } });
    const alice = await signUp(index, 'alice');
    await recordEvents(index, pushEvent('alice/app', `sha256:${'a'.repeat(64)}`));
    const target = await startHookTarget();
    try {
      target.script = [500];
      const hook = await request(index.app).post('/api/webhooks').set('Authorization', alice.auth).send({ repository: 'alice/app', url: target.url });
      assert.equal(hook.status, 201);
      await recordEvents(index, pushEvent('alice/app', `sha256:${'a'.repeat(64)}`, { tag: 'v1', actor: 'alice' }));
      const deadline = Date.now() + 5000;
      let text = '';
      while (sampleValue((text = await scrape(index)), 'wharf_index_webhook_deliveries_total', { result: 'delivered' }) !== 1) {
        assert.ok(Date.now() < deadline, 'the delivery was not counted in time');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(sampleValue(text, 'wharf_index_webhook_deliveries_total', { result: 'pending' }), 1);
      assert.equal(target.received.length, 2);
    } finally {
      await target.close();
    }
  });
});
