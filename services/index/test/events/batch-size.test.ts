// Issue #12, item 2: the index accepts any batch the registry can produce. The registry's batch
// budget (notifications.endpoints[].maxBatchBytes) and the index's body limit
// (events.maxBodyBytes) default to the same shared constant, so a full default batch is taken.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultEventBatchBytes, mediaTypes, type Event } from '@wharf/shared';
import { signUp } from '../api/harness.js';
import { indexWithEvents, postEvents, pushEvent } from './helpers.js';

/** A push event padded with references up to about `bytes` of JSON. */
function eventOfSize(bytes: number, tag: string): Event {
  const event = pushEvent('alice/app', `sha256:${'c'.repeat(64)}`, { tag, actor: 'alice' });
  const reference = { mediaType: mediaTypes.ociLayerGzip, digest: `sha256:${'d'.repeat(64)}`, size: 9_007_199_254_740_991 };
  const each = JSON.stringify(reference).length + 1;
  const count = Math.floor((bytes - JSON.stringify(event).length) / each);
  event.target.references = Array.from({ length: count }, () => reference);
  return event;
}

describe('POST /events: body size', () => {
  it('accepts an envelope of the default batch budget (the largest batch a default registry posts)', async () => {
    const index = await indexWithEvents();
    await signUp(index, 'alice');
    const body = JSON.stringify({ events: [eventOfSize(defaultEventBatchBytes / 2 - 64, 'a'), eventOfSize(defaultEventBatchBytes / 2 - 64, 'b')] });
    assert.ok(body.length > defaultEventBatchBytes - 1024 && body.length <= defaultEventBatchBytes, `${body.length} bytes`);
    const res = await postEvents(index, body);
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    assert.deepEqual(res.body.events.map((e: { outcome: string }) => e.outcome), ['recorded', 'recorded']);
  });

  it('refuses a body over events.maxBodyBytes with 400 INVALID_REQUEST (a permanent refusal: the registry dead-letters it)', async () => {
    const index = await indexWithEvents({ events: { secret: 'registry-shared-secret-0123456789', maxBodyBytes: 64 * 1024 } });
    const res = await postEvents(index, { events: [eventOfSize(100 * 1024, 'big')] });
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].code, 'INVALID_REQUEST');
  });
});
