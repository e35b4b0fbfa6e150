// Issue #12, item 6: v1 image ids are not content addresses. Mallory pushes, into a public
// repository of her own, an image under the id (and with the exact JSON) alice will push later,
// with a layer of her choosing. Alice's push must not be told the image exists: she uploads her
// own bytes, and her tag serves them over v1 and, through the bridge, over v2. Mallory's own
// pulls keep working, and images stored before images were kept per repository stay readable.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { createMemoryDriver } from '../../src/storage/driver/memory/memory-driver.js';
import { startFakeIndex, type FakeIndex } from './fake-index.js';
import { makeImage, sha256, tarOf, type V1TestImage } from './fixtures.js';
import { authed, buildV1Registry, pushAndTag, putChecksum, putJson, putLayer, putTag, raw } from './harness.js';

/** The same id and JSON as `image`, with another layer: what a squatter uploads. */
function squat(image: V1TestImage): V1TestImage {
  const tar = tarOf({ 'etc/evil': randomBytes(64).toString('hex') });
  const layer = gzipSync(tar);
  return { ...image, layer, tar, checksum: sha256(Buffer.concat([image.json, Buffer.from('\n'), layer])) };
}

let index: FakeIndex;

before(async () => {
  index = await startFakeIndex();
  index.setPublic('mallory/public');
});

after(async () => {
  await index.close();
});

describe('v1 image-id squatting', () => {
  it("an image another owner uploaded under the id never satisfies alice's push", async () => {
    const { app } = await buildV1Registry({ index: index.url });
    const genuine = makeImage();
    const fake = squat(genuine);
    const mallory = index.issue('mallory/public', 'write');
    await pushAndTag(app, 'mallory/public', 'latest', [fake], mallory);

    const alice = index.issue('alice/app', 'write');
    // Docker's existence check, then the push it makes when told the image is not there.
    assert.equal((await authed(request(app).get(`/v1/images/${genuine.id}/json`), alice)).status, 404);
    assert.equal((await putJson(app, genuine, alice)).status, 200);
    assert.equal((await putLayer(app, genuine, alice)).status, 200);
    assert.equal((await putChecksum(app, genuine, alice)).status, 200);
    assert.equal((await putTag(app, 'alice/app', 'latest', genuine.id, alice)).status, 200);
    // Now it exists for alice: a retried push skips it.
    assert.equal((await authed(request(app).get(`/v1/images/${genuine.id}/json`), alice)).status, 200);
    assert.equal((await putJson(app, genuine, alice)).status, 409);

    const aliceRead = index.issue('alice/app', 'read');
    const v1Layer = await raw(authed(request(app).get(`/v1/images/${genuine.id}/layer`), aliceRead));
    assert.deepEqual(v1Layer.body, genuine.layer, "alice's tag serves alice's bytes over v1");
    const manifest = await request(app).get('/v2/alice/app/manifests/latest').set('Accept', 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(manifest.status, 200, manifest.text);
    const layers = (JSON.parse(manifest.text) as { layers: { digest: string }[] }).layers.map((l) => l.digest);
    assert.deepEqual(layers, [sha256(genuine.layer)], "and over v2 through the bridge");

    // Mallory's public image is still hers, to her and to anonymous pulls.
    const malloryRead = index.issue('mallory/public', 'read');
    assert.deepEqual((await raw(authed(request(app).get(`/v1/images/${fake.id}/layer`), malloryRead))).body, fake.layer);
    assert.deepEqual((await raw(request(app).get(`/v1/images/${fake.id}/layer`))).body, fake.layer);
    // Were alice's repository public too, a read without a token could not tell which copy is
    // meant: it serves neither and asks for a token, which names the repository.
    index.setPublic('alice/app');
    try {
      assert.equal((await request(app).get(`/v1/images/${fake.id}/layer`)).status, 401);
      assert.deepEqual((await raw(authed(request(app).get(`/v1/images/${genuine.id}/layer`), aliceRead))).body, genuine.layer);
    } finally {
      index.setPublic('alice/app', false);
    }
  });

  it('a read without a token of an id many public repositories hold does a bounded amount of work, not one check per holder', async () => {
    // Without a token every public holder's copy is compared (an id two of them hold differently
    // is served to neither): a tenant pushing one id into a thousand public repositories would
    // make each such read cost a thousand index calls and several thousand storage reads.
    const { app } = await buildV1Registry({ index: index.url });
    const image = makeImage();
    const holders = Array.from({ length: 40 }, (_, i) => `mallory/many${i}`);
    for (const name of holders) {
      index.setPublic(name);
      await pushAndTag(app, name, 'latest', [image], index.issue(name, 'write'));
    }
    const callsBefore = index.calls.length;
    const res = await request(app).get(`/v1/images/${image.id}/json`);
    const calls = index.calls.length - callsBefore;
    assert.ok(calls <= 32, `${calls} index calls for one read`);
    // Too many holders to compare: as for an ambiguous id, a token (naming the repository) is asked for.
    assert.equal(res.status, 401);
    assert.equal((await authed(request(app).get(`/v1/images/${image.id}/json`), index.issue(holders[7]!, 'read'))).status, 200);
  });

  it('the squatter cannot take over the victim\'s copy either way round', async () => {
    const { app } = await buildV1Registry({ index: index.url });
    const genuine = makeImage();
    const alice = index.issue('alice/app', 'write');
    await pushAndTag(app, 'alice/app', 'latest', [genuine], alice);
    const fake = squat(genuine);
    const mallory = index.issue('mallory/public', 'write');
    // Mallory's push of the same id is a push of her own image, not a join to alice's.
    await pushAndTag(app, 'mallory/public', 'latest', [fake], mallory);
    const aliceRead = index.issue('alice/app', 'read');
    assert.deepEqual((await raw(authed(request(app).get(`/v1/images/${genuine.id}/layer`), aliceRead))).body, genuine.layer);
    // Re-tagging alice's repository still uses alice's image.
    assert.equal((await putTag(app, 'alice/app', 'again', genuine.id, alice)).status, 200);
    const manifest = await request(app).get('/v2/alice/app/manifests/again').set('Accept', 'application/vnd.docker.distribution.manifest.v2+json');
    assert.deepEqual((JSON.parse(manifest.text) as { layers: { digest: string }[] }).layers.map((l) => l.digest), [sha256(genuine.layer)]);
  });

  it('images stored before (one copy per id) stay readable and count as their repositories\' own', async () => {
    const driver = createMemoryDriver();
    const legacy = makeImage();
    const before = await buildV1Registry({ driver });
    await pushAndTag(before.app, 'alice/app', 'latest', [legacy]);
    const { app } = await buildV1Registry({ driver, index: index.url });
    const aliceRead = index.issue('alice/app', 'read');
    assert.deepEqual((await raw(authed(request(app).get(`/v1/images/${legacy.id}/layer`), aliceRead))).body, legacy.layer);
    const alice = index.issue('alice/app', 'write');
    assert.equal((await authed(request(app).get(`/v1/images/${legacy.id}/json`), alice)).status, 200);
    assert.equal((await putJson(app, legacy, alice)).status, 409);
    assert.equal((await putTag(app, 'alice/app', 'again', legacy.id, alice)).status, 200);
    // Another owner's push of that id uploads its own bytes.
    const mallory = index.issue('mallory/public', 'write');
    assert.equal((await authed(request(app).get(`/v1/images/${legacy.id}/json`), mallory)).status, 404);
    await pushAndTag(app, 'mallory/public', 'latest', [squat(legacy)], mallory);
    assert.deepEqual((await raw(authed(request(app).get(`/v1/images/${legacy.id}/layer`), aliceRead))).body, legacy.layer);
  });
});
