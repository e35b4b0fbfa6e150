// /v1/images/<id>/{json,layer,checksum,ancestry} and /v1/_ping (docs/protocol-v1.md, "Registry
// routes") on a standalone registry with auth none, so only the image rules are under test here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import request from 'supertest';
import { makeChain, makeImage, newImageId, sha256 } from './fixtures.js';
import { assertV1Error, buildV1Registry, pushImages, putChecksum, putJson, putLayer, raw } from './harness.js';

describe('v1 ping', () => {
  it('/v1/_ping and /_ping answer 200 {} with X-Docker-Registry-Standalone: True and no v2 header', async () => {
    const { app } = await buildV1Registry();
    for (const path of ['/v1/_ping', '/_ping', '/v1/_ping/']) {
      const res = await request(app).get(path);
      assert.equal(res.status, 200, path);
      assert.deepEqual(res.body, {});
      assert.equal(res.headers['x-docker-registry-standalone'], 'True');
      assert.equal(res.headers['docker-distribution-api-version'], undefined);
    }
    assert.equal((await request(app).head('/v1/_ping')).status, 200);
  });

  it('unknown v1 paths and methods answer in the v1 error shape', async () => {
    const { app } = await buildV1Registry();
    assertV1Error(await request(app).get('/v1/nothing/here'), 404, 'Not found');
    assertV1Error(await request(app).post('/v1/_ping'), 405);
    assertV1Error(await request(app).delete(`/v1/images/${newImageId()}/json`), 405);
  });
});

describe('v1 image push and pull', () => {
  it('PUT json, layer, checksum, then GET json, layer and ancestry serve exactly what was pushed', async () => {
    const { app } = await buildV1Registry();
    const [base, top] = makeChain(2);
    await pushImages(app, [base!, top!]);

    const json = await raw(request(app).get(`/v1/images/${top!.id}/json`));
    assert.equal(json.status, 200);
    assert.match(String(json.headers['content-type']), /^application\/json/);
    assert.deepEqual(json.body, top!.json);
    assert.equal(json.headers['x-docker-size'], String(top!.layer.length));
    assert.equal(json.headers['x-docker-checksum-payload'], top!.checksum);
    assert.equal(json.headers['x-docker-checksum'], 'tarsum+sha256:0000');

    const layer = await raw(request(app).get(`/v1/images/${top!.id}/layer`));
    assert.equal(layer.status, 200);
    assert.deepEqual(layer.body, top!.layer);
    assert.equal(layer.headers['accept-ranges'], 'bytes');
    assert.equal(layer.headers['x-docker-size'], String(top!.layer.length));
    assert.equal(layer.headers['content-length'], String(top!.layer.length));

    const ancestry = await request(app).get(`/v1/images/${top!.id}/ancestry`);
    assert.equal(ancestry.status, 200);
    assert.deepEqual(ancestry.body, [top!.id, base!.id]);
    assert.deepEqual((await request(app).get(`/v1/images/${base!.id}/ancestry`)).body, [base!.id]);

    const head = await request(app).head(`/v1/images/${top!.id}/layer`);
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], String(top!.layer.length));
  });

  it('GET layer honours Range (Docker resumes with bytes=N-SIZE) and refuses an unsatisfiable one', async () => {
    const { app } = await buildV1Registry();
    const image = makeImage({ files: { big: Buffer.alloc(300_000, 7) } });
    await pushImages(app, [image]);
    const size = image.layer.length;
    const part = await raw(request(app).get(`/v1/images/${image.id}/layer`).set('Range', `bytes=10-${size}`));
    assert.equal(part.status, 206);
    assert.equal(part.headers['content-range'], `bytes 10-${size - 1}/${size}`);
    assert.equal(part.headers['x-docker-size'], String(size));
    assert.deepEqual(part.body, image.layer.subarray(10));
    const bad = await request(app).get(`/v1/images/${image.id}/layer`).set('Range', `bytes=${size + 5}-`);
    assertV1Error(bad, 416);
    assert.equal(bad.headers['content-range'], `bytes */${size}`);
  });

  it('the layer is stored once, as a v2 blob under its sha256', async () => {
    const { app, driver } = await buildV1Registry();
    const image = makeImage();
    await pushImages(app, [image]);
    const hex = sha256(image.layer).slice('sha256:'.length);
    const stored = await driver.getContent(`/docker/registry/v2/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`);
    assert.deepEqual(stored, image.layer);
  });

  it('a complete image answers 409 to PUT json, layer and checksum (clients skip it)', async () => {
    const { app } = await buildV1Registry();
    const image = makeImage();
    await pushImages(app, [image]);
    assertV1Error(await putJson(app, image), 409, 'Image already exists');
    assertV1Error(await putLayer(app, image), 409);
    assertV1Error(await putChecksum(app, image), 409);
  });

  it('unknown images: 404 on every GET, and on PUT layer and checksum before any json', async () => {
    const { app } = await buildV1Registry();
    const image = makeImage();
    for (const what of ['json', 'layer', 'ancestry']) {
      assertV1Error(await request(app).get(`/v1/images/${image.id}/${what}`), 404, 'Image not found');
    }
    assertV1Error(await putLayer(app, image), 404);
    assertV1Error(await putChecksum(app, image), 404);
  });

  it('image ids must be 64 lowercase hex', async () => {
    const { app } = await buildV1Registry();
    for (const id of ['abc', 'A'.repeat(64), `${'a'.repeat(63)}g`, `${'a'.repeat(64)}0`]) {
      assertV1Error(await request(app).get(`/v1/images/${id}/json`), 400, 'Invalid image id');
    }
  });

  it('PUT json: the JSON must name the URL id, and the parent must be present', async () => {
    const { app } = await buildV1Registry();
    const image = makeImage();
    const other = makeImage();
    const mismatch = await request(app).put(`/v1/images/${other.id}/json`).set('Content-Type', 'application/json').send(image.json.toString());
    assertV1Error(mismatch, 400, /id does not match/);
    assertV1Error(await request(app).put(`/v1/images/${image.id}/json`).send('not json'), 400, /Invalid image JSON/);
    assertV1Error(await request(app).put(`/v1/images/${image.id}/json`).set('Content-Type', 'application/json').send('[1]'), 400);
    const orphan = makeImage({ parent: makeImage() });
    assertV1Error(await putJson(app, orphan), 400, 'Image depends on a non existing parent');
    assertV1Error(await request(app).get(`/v1/images/${orphan.id}/json`), 404);
  });

  it('PUT checksum: 412 without X-Docker-Checksum-Payload, 400 before a layer', async () => {
    const { app } = await buildV1Registry();
    const image = makeImage();
    assert.equal((await putJson(app, image)).status, 200);
    assertV1Error(await putChecksum(app, image, undefined, null), 412);
    assertV1Error(await putChecksum(app, image), 400, 'Image layer not uploaded');
  });

  it('an unfinished image is never served: 400 on GET json, layer and ancestry', async () => {
    const { app } = await buildV1Registry();
    const image = makeImage();
    assert.equal((await putJson(app, image)).status, 200);
    for (const what of ['json', 'layer', 'ancestry']) {
      assertV1Error(await request(app).get(`/v1/images/${image.id}/${what}`), 400, 'Image is being uploaded, retry later');
    }
    assert.equal((await putLayer(app, image)).status, 200);
    assertV1Error(await request(app).get(`/v1/images/${image.id}/layer`), 400);
  });

  it('a checksum mismatch is 400 and the image stays invisible; the right checksum then completes it', async () => {
    const { app } = await buildV1Registry();
    const image = makeImage();
    assert.equal((await putJson(app, image)).status, 200);
    assert.equal((await putLayer(app, image)).status, 200);
    assertV1Error(await putChecksum(app, image, undefined, sha256('something else')), 400, 'Checksum mismatch');
    assertV1Error(await request(app).get(`/v1/images/${image.id}/json`), 400);
    assertV1Error(await request(app).get(`/v1/images/${image.id}/layer`), 400);
    assert.equal((await putChecksum(app, image)).status, 200);
    assert.equal((await request(app).get(`/v1/images/${image.id}/json`)).status, 200);
  });

  it('a layer that does not match the json fails the checksum (it covers json + layer bytes)', async () => {
    const { app } = await buildV1Registry();
    const image = makeImage();
    const impostor = makeImage();
    assert.equal((await putJson(app, image)).status, 200);
    assert.equal((await putLayer(app, image, undefined, impostor.layer)).status, 200);
    assertV1Error(await putChecksum(app, image), 400, 'Checksum mismatch');
  });

  it('an interrupted push (json + layer, no checksum) leaves nothing visible, and a retry succeeds', async () => {
    const { app, driver } = await buildV1Registry();
    const image = makeImage();
    assert.equal((await putJson(app, image)).status, 200);
    assert.equal((await putLayer(app, image)).status, 200);
    // The client is gone before PUT checksum; a reader sees nothing usable, and the layer is not
    // in the blob store (it gets there only once verified).
    for (const what of ['json', 'layer', 'ancestry']) assertV1Error(await request(app).get(`/v1/images/${image.id}/${what}`), 400);
    const hex = sha256(image.layer).slice('sha256:'.length);
    await assert.rejects(driver.stat(`/docker/registry/v2/blobs/sha256/${hex.slice(0, 2)}/${hex}/data`));
    // Docker retries the whole image: PUT json again (allowed while unfinished), layer, checksum.
    await pushImages(app, [image]);
    const layer = await raw(request(app).get(`/v1/images/${image.id}/layer`));
    assert.deepEqual(layer.body, image.layer);
  });

  it('a layer upload cut off mid-stream keeps nothing, and the layer can be sent again', async () => {
    const { registry, app, driver } = await buildV1Registry();
    const image = makeImage({ files: { big: randomBytes(256 * 1024) } });
    assert.equal((await putJson(app, image)).status, 200);
    const { port } = await registry.listen(0, '127.0.0.1');
    try {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'PUT', path: `/v1/images/${image.id}/layer`, headers: { 'Transfer-Encoding': 'chunked' } });
      req.on('error', () => undefined);
      req.write(image.layer.subarray(0, 64 * 1024));
      await new Promise((resolve) => setTimeout(resolve, 50));
      req.destroy();
      // The registry notices the abort and discards the partial upload.
      const uploading = async () => (await driver.list(`/docker/registry/v1/images/${image.id}`)).some((p) => p.endsWith('/uploads'));
      for (let i = 0; i < 200 && (await uploading()); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(await uploading(), false, 'the partial upload is discarded');
      assertV1Error(await putChecksum(app, image), 400, 'Image layer not uploaded');
      assert.equal((await putLayer(app, image)).status, 200);
      assert.equal((await putChecksum(app, image)).status, 200);
      assert.deepEqual((await raw(request(app).get(`/v1/images/${image.id}/layer`))).body, image.layer);
    } finally {
      await registry.close();
    }
  });

  it('a plain tar layer is stored and served as sent', async () => {
    const { app } = await buildV1Registry();
    const image = makeImage({ plain: true });
    await pushImages(app, [image]);
    assert.deepEqual((await raw(request(app).get(`/v1/images/${image.id}/layer`))).body, image.tar);
  });

  it('bytes that start like gzip but are not gzip are refused, and the image stays unfinished', async () => {
    const { app } = await buildV1Registry();
    const image = makeImage();
    assert.equal((await putJson(app, image)).status, 200);
    const broken = Buffer.concat([image.layer.subarray(0, 12), Buffer.alloc(64, 0xab)]);
    assertV1Error(await putLayer(app, image, undefined, broken), 400, /gzip/);
    assertV1Error(await putChecksum(app, image), 400, 'Image layer not uploaded');
    assert.equal((await putLayer(app, image)).status, 200);
    assert.equal((await putChecksum(app, image)).status, 200);
  });
});
