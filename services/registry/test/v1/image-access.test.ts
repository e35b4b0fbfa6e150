// Image routes name no repository, so the token's repository stands in (auth/image-access.ts):
// a token for A reaches only A's own images (each repository keeps its own copy of an id), and
// never reaches into B — not by GET, not as a parent, not by tagging B's image into A, not by
// writing into B's unfinished upload; without a token, public repositories' images are read.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import type { StorageDriver } from '../../src/storage/driver/driver.js';
import { startFakeIndex, type FakeIndex } from './fake-index.js';
import { makeChain, makeImage, sha256, type V1TestImage } from './fixtures.js';
import { assertUnauthorized, assertV1Error, authed, buildV1Registry, pushAndTag, pushImages, putChecksum, putJson, putLayer, putTag, raw } from './harness.js';

let index: FakeIndex;
let app: Express;
let driver: StorageDriver;
/** alice/private: a tagged 2-image chain, plus an upload alice started and has not finished. */
let secret: V1TestImage[];
let unfinished: V1TestImage;
let aliceWrite: string;
let bobWrite: string;

before(async () => {
  index = await startFakeIndex();
  ({ app, driver } = await buildV1Registry({ index: index.url }));
  aliceWrite = index.issue('alice/private', 'write');
  bobWrite = index.issue('bob/app', 'write');
  secret = makeChain(2);
  await pushAndTag(app, 'alice/private', 'latest', secret, aliceWrite);
  unfinished = makeImage({ parent: secret[1]! });
  assert.equal((await putJson(app, unfinished, aliceWrite)).status, 200);
});

after(async () => {
  await index.close();
});

describe('v1 image access across repositories', () => {
  it("a token for bob/app cannot read alice/private's images: 404, as if they did not exist", async () => {
    const bobRead = index.issue('bob/app', 'read');
    for (const token of [bobWrite, bobRead]) {
      for (const what of ['json', 'layer', 'ancestry']) {
        assertV1Error(await authed(request(app).get(`/v1/images/${secret[0]!.id}/${what}`), token), 404, 'Image not found');
      }
    }
  });

  it('without a token, a private image asks for one (401), like an image that does not exist', async () => {
    assertUnauthorized(await request(app).get(`/v1/images/${secret[1]!.id}/json`));
    assertUnauthorized(await request(app).get(`/v1/images/${makeImage().id}/json`));
  });

  it('alice reads her images with a read token of her repository', async () => {
    const aliceRead = index.issue('alice/private', 'read');
    for (const image of secret) assert.equal((await authed(request(app).get(`/v1/images/${image.id}/layer`), aliceRead)).status, 200);
  });

  it("bob cannot graft alice's private image into his repository as a parent", async () => {
    const child = makeImage({ parent: secret[1]! });
    assertV1Error(await putJson(app, child, bobWrite), 400, 'Image depends on a non existing parent');
  });

  it("bob cannot tag alice's private image into his repository", async () => {
    assertV1Error(await putTag(app, 'bob/app', 'stolen', secret[1]!.id, bobWrite), 404, 'Image not found');
    assert.equal((await request(app).get('/v2/bob/app/manifests/stolen')).status, 404);
  });

  it("alice's complete image is not there for bob: his push of the id is his own copy, hers is untouched", async () => {
    assertV1Error(await authed(request(app).get(`/v1/images/${secret[0]!.id}/json`), bobWrite), 404);
    const bobs = { ...secret[0]!, layer: makeImage().layer };
    const bobsChecksum = sha256(Buffer.concat([bobs.json, Buffer.from('\n'), bobs.layer]));
    assert.equal((await putJson(app, bobs, bobWrite)).status, 200);
    assert.equal((await putLayer(app, bobs, bobWrite)).status, 200);
    assert.equal((await putChecksum(app, bobs, bobWrite, bobsChecksum)).status, 200);
    const aliceRead = index.issue('alice/private', 'read');
    assert.deepEqual((await raw(authed(request(app).get(`/v1/images/${secret[0]!.id}/layer`), aliceRead))).body, secret[0]!.layer);
  });

  it("bob cannot take over alice's unfinished upload: not its JSON, layer or checksum", async () => {
    // Its parent is alice's, not bob's: bob may start no copy of it either.
    assertV1Error(await putJson(app, unfinished, bobWrite), 400, 'Image depends on a non existing parent');
    assertV1Error(await putLayer(app, unfinished, bobWrite), 404);
    assertV1Error(await putChecksum(app, unfinished, bobWrite), 404);
    // Alice finishes it.
    assert.equal((await putLayer(app, unfinished, aliceWrite)).status, 200);
    assert.equal((await putChecksum(app, unfinished, aliceWrite)).status, 200);
  });

  it('anyone may build on a public repository, uploading the base into the new repository', async () => {
    const base = makeChain(1);
    await pushAndTag(app, 'library/base', 'latest', base, index.issue('library/base', 'write'));
    index.setPublic('library/base');
    // Docker's push looks the base up with the push token: not bob's (404), so it pushes it too.
    assert.equal((await authed(request(app).get(`/v1/images/${base[0]!.id}/json`), bobWrite)).status, 404);
    const child = makeImage({ parent: base[0]! });
    await pushImages(app, [base[0]!, child], bobWrite);
    assert.equal((await putTag(app, 'bob/app', 'latest', child.id, bobWrite)).status, 200);
    const manifest = await request(app).get('/v2/bob/app/manifests/latest').set('Accept', 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(manifest.status, 200);
    assert.equal((JSON.parse(manifest.text) as { layers: unknown[] }).layers.length, 2);
    // The base is bob/app's own copy, so bob's tokens keep reading it should library/base become
    // private later; its layer is one blob for both (content-addressed).
    await driver.stat(`/docker/registry/v1/repositories/bob/app/own/${base[0]!.id}/_complete`);
    index.setPublic('library/base', false);
    assert.equal((await authed(request(app).get(`/v1/images/${base[0]!.id}/layer`), index.issue('bob/app', 'read'))).status, 200);
  });
});
