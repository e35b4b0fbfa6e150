// POST /events: the shared secret, the envelope's media type and shape, idempotency by event id,
// and what pushes and deletes record.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { mediaTypes } from '@wharf/shared';
import { assertError, buildIndex, signUp } from '../api/harness.js';
import { deleteEvent, digestOfLayer, indexWithEvents, postEvents, pushEvent, recordEvents, secret } from './helpers.js';

const digestA = `sha256:${'a'.repeat(64)}`;
const digestB = `sha256:${'b'.repeat(64)}`;

describe('POST /events: who may send', () => {
  it('is 503 UNAVAILABLE while no events secret is configured', async () => {
    const index = await buildIndex();
    assertError(await postEvents(index, { events: [] }), 503, 'UNAVAILABLE');
  });

  it('is 401 UNAUTHORIZED without the secret, with a wrong one, or with Basic credentials', async () => {
    const index = await indexWithEvents();
    const empty = { events: [] };
    const missing = await request(index.app).post('/events').set('Content-Type', mediaTypes.events).send(JSON.stringify(empty));
    assertError(missing, 401, 'UNAUTHORIZED');
    assert.match(String(missing.headers['www-authenticate']), /^Bearer /);
    assertError(await postEvents(index, empty, { Authorization: `Bearer ${secret}x` }), 401, 'UNAUTHORIZED');
    assertError(await postEvents(index, empty, { Authorization: 'Bearer short' }), 401, 'UNAUTHORIZED');
    assertError(await postEvents(index, empty, { Authorization: 'Bearer ' }), 401, 'UNAUTHORIZED');
    const basic = `Basic ${Buffer.from(`registry:${secret}`).toString('base64')}`;
    assertError(await postEvents(index, empty, { Authorization: basic }), 401, 'UNAUTHORIZED');
  });

  it('accepts the events media type (v1 and Distribution 3\'s v2) and application/json', async () => {
    const index = await indexWithEvents();
    for (const type of [mediaTypes.events, 'application/vnd.docker.distribution.events.v2+json', 'application/json; charset=utf-8']) {
      const res = await postEvents(index, { events: [] }, { 'Content-Type': type });
      assert.equal(res.status, 200, `${type}: ${JSON.stringify(res.body)}`);
    }
    assertError(await postEvents(index, { events: [] }, { 'Content-Type': 'text/plain' }), 400, 'INVALID_REQUEST');
  });

  it('is 400 INVALID_REQUEST for a body that is not JSON or not an envelope', async () => {
    const index = await indexWithEvents();
    assertError(await postEvents(index, '{"events": ['), 400, 'INVALID_REQUEST');
    assertError(await postEvents(index, { events: {} }), 400, 'INVALID_REQUEST');
    const bad = pushEvent('alice/app', digestA);
    assertError(await postEvents(index, { events: [{ ...bad, id: '' }] }), 400, 'INVALID_REQUEST');
    assertError(await postEvents(index, { events: [{ ...bad, target: { ...bad.target, digest: 'sha256:nope' } }] }), 400, 'INVALID_REQUEST');
    assertError(await postEvents(index, { events: [{ ...bad, action: 'explode' }] }), 400, 'INVALID_REQUEST');
  });
});

describe('POST /events: what is recorded', () => {
  it('a push creates the repository with the default visibility and records manifest, tag and audit', async () => {
    const index = await indexWithEvents({ repositories: { defaultVisibility: 'public' } });
    await signUp(index, 'alice');
    const res = await postEvents(index, { events: [pushEvent('alice/app', digestA, { tag: 'v1', actor: 'alice' })] });
    assert.equal(res.status, 200);
    assert.equal(res.body.events[0].outcome, 'recorded');
    const repo = index.store.repositories.byName('alice/app');
    assert.equal(repo?.visibility, 'public');
    const [tag] = index.store.images.tags(repo!.id);
    assert.equal(tag?.tag, 'v1');
    assert.equal(tag?.digest, digestA);
    assert.equal(tag?.mediaType, mediaTypes.ociManifest);
    assert.equal(tag?.size, 527);
    assert.deepEqual(tag?.layers, [digestOfLayer(1), digestOfLayer(2)]);
    // The descriptors too, which the UI's tag page shows (config and layers with their sizes).
    assert.deepEqual(tag?.references, [
      { mediaType: mediaTypes.ociConfig, digest: digestOfLayer(1), size: 10 },
      { mediaType: mediaTypes.ociLayerGzip, digest: digestOfLayer(2), size: 20 },
    ]);
    assert.equal(tag?.pushedBy, 'alice');
    const [audit] = index.store.audit.query({ action: 'push' });
    assert.equal(audit?.actor, 'alice');
    assert.equal(audit?.target, 'alice/app:v1');
    assert.equal(audit?.remote, '10.0.0.7:51234');
  });

  it('a new repository is private under the default configuration; a push by digest sets no tag', async () => {
    const index = await indexWithEvents();
    await signUp(index, 'alice');
    await recordEvents(index, pushEvent('alice/app', digestA));
    const repo = index.store.repositories.byName('alice/app');
    assert.equal(repo?.visibility, 'private');
    assert.equal(index.store.images.manifest(repo!.id, digestA)?.digest, digestA);
    assert.deepEqual(index.store.images.tags(repo!.id), []);
  });

  it('records an event once, however often it arrives (same envelope or a retry)', async () => {
    const index = await indexWithEvents();
    await signUp(index, 'alice');
    const push = pushEvent('alice/app', digestA, { tag: 'v1', actor: 'alice' });
    const first = await postEvents(index, { events: [push, push] });
    assert.deepEqual(first.body.events.map((e: { outcome: string }) => e.outcome), ['recorded', 'duplicate']);
    const again = await postEvents(index, { events: [push] });
    assert.equal(again.status, 200);
    assert.equal(again.body.events[0].outcome, 'duplicate');
    assert.equal(index.store.audit.query({ action: 'push' }).length, 1);
  });

  it('a delete by digest removes the manifest and its tags; by tag only the tag', async () => {
    const index = await indexWithEvents();
    await signUp(index, 'alice');
    await recordEvents(index, pushEvent('alice/app', digestA, { tag: 'v1' }), pushEvent('alice/app', digestA, { tag: 'latest' }), pushEvent('alice/app', digestB, { tag: 'v2' }));
    const repo = index.store.repositories.byName('alice/app')!;
    await recordEvents(index, deleteEvent('alice/app', { tag: 'v2' }, { actor: 'alice' }));
    assert.deepEqual(index.store.images.tags(repo.id).map((t) => t.tag).sort(), ['latest', 'v1']);
    assert.ok(index.store.images.manifest(repo.id, digestB), 'a tag delete keeps the manifest');
    await recordEvents(index, deleteEvent('alice/app', { digest: digestA }, { actor: 'alice' }));
    assert.deepEqual(index.store.images.tags(repo.id), []);
    assert.equal(index.store.images.manifest(repo.id, digestA), undefined);
    assert.deepEqual(index.store.audit.query({ action: 'delete' }).map((e) => e.target), ['alice/app@' + digestA, 'alice/app:v2']);
  });

  it('answers 200 but records nothing for an unknown namespace, pulls, blob pushes and unknown deletes', async () => {
    const index = await indexWithEvents();
    await signUp(index, 'alice');
    const blob = pushEvent('alice/app', digestB);
    blob.target.mediaType = mediaTypes.ociLayerGzip;
    const pull = { ...pushEvent('alice/app', digestA, { tag: 'v1' }), action: 'pull' as const };
    const res = await postEvents(index, {
      events: [pushEvent('nobody/app', digestA, { tag: 'v1' }), pull, blob, deleteEvent('alice/other', { digest: digestA })],
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.events.map((e: { outcome: string }) => e.outcome), ['ignored', 'skipped', 'skipped', 'ignored']);
    assert.match(res.body.events[0].reason, /unknown namespace "nobody"/);
    assert.equal(index.store.repositories.byName('nobody/app'), undefined);
    assert.equal(index.store.repositories.byName('alice/app'), undefined);
  });

  it('commits an envelope whole or not at all', async () => {
    const index = await indexWithEvents();
    await signUp(index, 'alice');
    const good = pushEvent('alice/app', digestA, { tag: 'v1' });
    // Breaks inside the transaction, after the first event was written.
    const original = index.store.images.setTag.bind(index.store.images);
    let calls = 0;
    index.store.images.setTag = (...args) => {
      if (++calls === 2) throw new Error('disk full');
      original(...args);
    };
    const res = await postEvents(index, { events: [good, pushEvent('alice/app', digestB, { tag: 'v2' })] });
    assert.equal(res.status, 500);
    assert.equal(index.store.repositories.byName('alice/app'), undefined);
    index.store.images.setTag = original;
    assert.equal((await postEvents(index, { events: [good] })).body.events[0].outcome, 'recorded', 'the retry is not a duplicate');
  });
});
