// Blob uploads (OCI end-4a/4b, end-5, end-6, end-11, end-13; Docker API "Pushing An Image").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { listIfPresent } from '../../src/storage/links.js';
import { uploadsPath } from '../../src/storage/paths.js';
import { assertError, blobOf, buildRegistry, pushBlob, raw, startUpload, uploadIdOf } from './harness.js';

const name = 'team/app';

async function assertBlob(app: Express, repo: string, digest: string, content: Buffer): Promise<void> {
  const res = await raw(request(app).get(`/v2/${repo}/blobs/${digest}`));
  assert.equal(res.status, 200, `blob ${digest} in ${repo}`);
  assert.deepEqual(res.body, content);
}

function patch(app: Express, location: string, chunk: Buffer, range?: string) {
  const req = request(app).patch(location).set('Content-Type', 'application/octet-stream');
  if (range) req.set('Content-Range', range);
  return req.send(chunk);
}

describe('starting an upload (POST)', () => {
  it('answers 202 with Location, Docker-Upload-UUID and Range 0-0', async () => {
    const { app } = await buildRegistry();
    const res = await request(app).post(`/v2/${name}/blobs/uploads/`);
    assert.equal(res.status, 202);
    const uuid = uploadIdOf(res.headers.location);
    assert.equal(res.headers.location, `/v2/${name}/blobs/uploads/${uuid}`);
    assert.equal(res.headers['docker-upload-uuid'], uuid);
    assert.equal(res.headers.range, '0-0');
    assert.equal(res.headers['content-length'], '0');
  });

  it('a monolithic POST ?digest= stores the blob: 201 with Location and Docker-Content-Digest', async () => {
    const { app } = await buildRegistry();
    const blob = blobOf(randomBytes(3000));
    const res = await request(app).post(`/v2/${name}/blobs/uploads/?digest=${blob.digest}`).set('Content-Type', 'application/octet-stream').send(blob.content);
    assert.equal(res.status, 201);
    assert.equal(res.headers.location, `/v2/${name}/blobs/${blob.digest}`);
    assert.equal(res.headers['docker-content-digest'], blob.digest);
    await assertBlob(app, name, blob.digest, blob.content);
  });

  it('a monolithic POST whose digest does not match → 400 DIGEST_INVALID and nothing is stored', async () => {
    const { app, registry } = await buildRegistry();
    const sent = Buffer.from('what was sent');
    const claimed = blobOf('what was claimed').digest;
    const res = await request(app).post(`/v2/${name}/blobs/uploads/?digest=${claimed}`).send(sent);
    assertError(res, 400, 'DIGEST_INVALID');
    assertError(await request(app).head(`/v2/${name}/blobs/${claimed}`), 404, 'BLOB_UNKNOWN');
    assertError(await request(app).head(`/v2/${name}/blobs/${blobOf(sent).digest}`), 404, 'BLOB_UNKNOWN');
    assert.deepEqual(await listIfPresent(registry.storage.driver, uploadsPath(name)), [], 'the upload session is gone');
    assert.equal(await registry.storage.blobs.statContent(blobOf(sent).digest), undefined);
  });

  it('a monolithic POST with a malformed digest → 400 DIGEST_INVALID', async () => {
    const { app } = await buildRegistry();
    assertError(await request(app).post(`/v2/${name}/blobs/uploads/?digest=sha256:nothex`).send(Buffer.from('x')), 400, 'DIGEST_INVALID');
  });
});

describe('chunked uploads (PATCH, then PUT)', () => {
  it('PATCH without Content-Range appends; Range grows 0-N; PUT ?digest= with no body completes', async () => {
    const { app } = await buildRegistry();
    const content = randomBytes(2500);
    let location = await startUpload(app, name);
    const uuid = uploadIdOf(location);
    for (const [start, end] of [[0, 1000], [1000, 1001], [1001, 2500]] as const) {
      const res = await patch(app, location, content.subarray(start, end));
      assert.equal(res.status, 202);
      assert.equal(res.headers.range, `0-${end - 1}`);
      assert.equal(res.headers['docker-upload-uuid'], uuid);
      assert.equal(res.headers['content-length'], '0');
      location = res.headers.location as string;
      assert.equal(uploadIdOf(location), uuid);
    }
    const digest = blobOf(content).digest;
    const done = await request(app).put(`${location}?digest=${digest}`);
    assert.equal(done.status, 201);
    assert.equal(done.headers.location, `/v2/${name}/blobs/${digest}`);
    assert.equal(done.headers['docker-content-digest'], digest);
    await assertBlob(app, name, digest, content);
    assertError(await request(app).get(location), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('PATCH with Content-Range, then a PUT carrying the final chunk', async () => {
    const { app } = await buildRegistry();
    const content = randomBytes(30);
    const location = await startUpload(app, name);
    assert.equal((await patch(app, location, content.subarray(0, 10), '0-9')).headers.range, '0-9');
    assert.equal((await patch(app, location, content.subarray(10, 20), '10-19')).headers.range, '0-19');
    const digest = blobOf(content).digest;
    const done = await request(app).put(`${location}?digest=${digest}`).set('Content-Type', 'application/octet-stream').send(content.subarray(20));
    assert.equal(done.status, 201);
    assert.equal(done.headers['docker-content-digest'], digest);
    await assertBlob(app, name, digest, content);
  });

  it('POST then a single PUT with the whole body (monolithic in two requests), sha512 too', async () => {
    const { app } = await buildRegistry();
    const blob = blobOf(randomBytes(100), 'sha512');
    const location = await startUpload(app, name);
    const done = await request(app).put(`${location}?digest=${blob.digest}`).set('Content-Type', 'application/octet-stream').send(blob.content);
    assert.equal(done.status, 201);
    assert.equal(done.headers['docker-content-digest'], blob.digest);
    await assertBlob(app, name, blob.digest, blob.content);
  });

  it('an out-of-order chunk → 416 RANGE_INVALID; status still shows the old range; the upload goes on', async () => {
    const { app } = await buildRegistry();
    const content = randomBytes(20);
    const location = await startUpload(app, name);
    await patch(app, location, content.subarray(0, 10), '0-9');
    for (const range of ['12-19', '5-12', '0-7']) {
      const res = await patch(app, location, content.subarray(0, 8), range);
      assertError(res, 416, 'RANGE_INVALID');
      assert.equal(res.headers.range, '0-9', 'the 416 tells where to resume');
      assert.equal(res.headers.location, location);
    }
    const status = await request(app).get(location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.range, '0-9');
    assert.equal((await patch(app, location, content.subarray(10), '10-19')).status, 202);
    const digest = blobOf(content).digest;
    assert.equal((await request(app).put(`${location}?digest=${digest}`)).status, 201);
    await assertBlob(app, name, digest, content);
  });

  it('a malformed Content-Range → 416 RANGE_INVALID; a Content-Length that disagrees with it → 400 SIZE_INVALID', async () => {
    const { app } = await buildRegistry();
    const location = await startUpload(app, name);
    assertError(await patch(app, location, Buffer.from('abc'), 'bytes=zero-two'), 416, 'RANGE_INVALID');
    assertError(await patch(app, location, Buffer.from('abc'), '2-0'), 416, 'RANGE_INVALID');
    assertError(await patch(app, location, Buffer.from('abc'), '0-9'), 400, 'SIZE_INVALID');
    assert.equal((await request(app).get(location)).headers.range, '0-0', 'nothing was written');
  });

  it('PUT without a digest → 400 DIGEST_INVALID and the upload can still be completed', async () => {
    const { app } = await buildRegistry();
    const content = Buffer.from('retry me');
    const location = await startUpload(app, name);
    await patch(app, location, content);
    assertError(await request(app).put(location), 400, 'DIGEST_INVALID');
    assertError(await request(app).put(`${location}?digest=sha256:xyz`), 400, 'DIGEST_INVALID');
    const status = await request(app).get(location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.range, `0-${content.length - 1}`);
    assert.equal((await request(app).put(`${location}?digest=${blobOf(content).digest}`)).status, 201);
  });

  it('PUT with a digest that does not match → 400 DIGEST_INVALID, the upload is gone and no blob stored', async () => {
    const { app, registry } = await buildRegistry();
    const location = await startUpload(app, name);
    await patch(app, location, Buffer.from('actual bytes'));
    const claimed = blobOf('other bytes').digest;
    assertError(await request(app).put(`${location}?digest=${claimed}`), 400, 'DIGEST_INVALID');
    assertError(await request(app).get(location), 404, 'BLOB_UPLOAD_UNKNOWN');
    assertError(await request(app).head(`/v2/${name}/blobs/${claimed}`), 404, 'BLOB_UNKNOWN');
    assert.equal(await registry.storage.blobs.statContent(blobOf('actual bytes').digest), undefined);
  });
});

describe('upload status and cancellation', () => {
  it('GET status → 204 with Location, Range and Docker-Upload-UUID', async () => {
    const { app } = await buildRegistry();
    const location = await startUpload(app, name);
    await patch(app, location, Buffer.alloc(64, 1));
    const res = await request(app).get(location);
    assert.equal(res.status, 204);
    assert.equal(res.headers.location, location);
    assert.equal(res.headers.range, '0-63');
    assert.equal(res.headers['docker-upload-uuid'], uploadIdOf(location));
  });

  it('DELETE cancels: 204, then every upload request is 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const { app } = await buildRegistry();
    const location = await startUpload(app, name);
    await patch(app, location, Buffer.from('partial'));
    assert.equal((await request(app).delete(location)).status, 204);
    assertError(await request(app).get(location), 404, 'BLOB_UPLOAD_UNKNOWN');
    assertError(await patch(app, location, Buffer.from('more')), 404, 'BLOB_UPLOAD_UNKNOWN');
    assertError(await request(app).put(`${location}?digest=${blobOf('partial').digest}`), 404, 'BLOB_UPLOAD_UNKNOWN');
    assertError(await request(app).delete(location), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('a bogus, unknown or other repository\'s upload id → 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const { app } = await buildRegistry();
    const elsewhere = uploadIdOf(await startUpload(app, 'team/other'));
    for (const uuid of ['not-a-uuid', randomUUID(), elsewhere]) {
      const location = `/v2/${name}/blobs/uploads/${uuid}`;
      assertError(await request(app).get(location), 404, 'BLOB_UPLOAD_UNKNOWN');
      assertError(await patch(app, location, Buffer.from('x')), 404, 'BLOB_UPLOAD_UNKNOWN');
      assertError(await request(app).put(`${location}?digest=${blobOf('x').digest}`), 404, 'BLOB_UPLOAD_UNKNOWN');
      assertError(await request(app).delete(location), 404, 'BLOB_UPLOAD_UNKNOWN');
    }
    assert.equal((await request(app).get(`/v2/team/other/blobs/uploads/${elsewhere}`)).status, 204);
  });
});

describe('cross-repository mount (POST ?mount=&from=)', () => {
  it('201 with Location and Docker-Content-Digest when the source has the blob', async () => {
    const { app } = await buildRegistry();
    const blob = await pushBlob(app, 'team/source', 'shared layer');
    const res = await request(app).post(`/v2/${name}/blobs/uploads/?mount=${blob.digest}&from=team/source`);
    assert.equal(res.status, 201);
    assert.equal(res.headers.location, `/v2/${name}/blobs/${blob.digest}`);
    assert.equal(res.headers['docker-content-digest'], blob.digest);
    await assertBlob(app, name, blob.digest, blob.content);
  });

  it('falls back to a 202 upload session when the source lacks the blob or the arguments are invalid', async () => {
    const { app } = await buildRegistry();
    const blob = await pushBlob(app, 'team/source', 'only in source');
    for (const query of [`mount=${blob.digest}&from=team/empty`, `mount=${blobOf('nowhere').digest}&from=team/source`, `mount=sha256:bad&from=team/source`, `mount=${blob.digest}&from=Bad//Name`]) {
      const res = await request(app).post(`/v2/${name}/blobs/uploads/?${query}`);
      assert.equal(res.status, 202, query);
      assert.equal(res.headers['docker-upload-uuid'], uploadIdOf(res.headers.location));
      assert.equal(res.headers.range, '0-0');
    }
    assertError(await request(app).head(`/v2/${name}/blobs/${blob.digest}`), 404, 'BLOB_UNKNOWN');
  });
});

describe('uploads across restarts and concurrency', () => {
  it('a chunked upload resumed by a new registry over the same driver completes with the right digest', async () => {
    const first = await buildRegistry();
    const content = randomBytes(3 * 1024);
    const location = await startUpload(first.app, name);
    await patch(first.app, location, content.subarray(0, 1024), '0-1023');

    const second = await buildRegistry({ driver: first.driver });
    const status = await request(second.app).get(location);
    assert.equal(status.status, 204);
    assert.equal(status.headers.range, '0-1023');
    await patch(second.app, location, content.subarray(1024, 2048), '1024-2047');
    // Back on the first instance, whose in-memory hash has not seen the second chunk.
    await patch(first.app, location, content.subarray(2048), '2048-3071');
    const digest = blobOf(content).digest;
    const done = await request(second.app).put(`${location}?digest=${digest}`);
    assert.equal(done.status, 201);
    assert.equal(done.headers['docker-content-digest'], digest);
    await assertBlob(first.app, name, digest, content);
  });

  it('an upload started on one instance can be completed on the stale one after another appended', async () => {
    const first = await buildRegistry();
    const second = await buildRegistry({ driver: first.driver });
    const content = Buffer.from('first half|second half');
    const location = await startUpload(first.app, name);
    await patch(first.app, location, content.subarray(0, 11));
    await patch(second.app, location, content.subarray(11));
    const digest = blobOf(content).digest;
    assert.equal((await request(first.app).put(`${location}?digest=${digest}`)).status, 201);
    await assertBlob(second.app, name, digest, content);
  });

  it('concurrent uploads of the same blob both succeed', async () => {
    const { app } = await buildRegistry();
    const blob = blobOf(randomBytes(64 * 1024));
    const [a, b] = await Promise.all([startUpload(app, name), startUpload(app, name)]);
    await Promise.all([patch(app, a, blob.content), patch(app, b, blob.content)]);
    const results = await Promise.all([
      request(app).put(`${a}?digest=${blob.digest}`),
      request(app).put(`${b}?digest=${blob.digest}`),
      request(app).post(`/v2/${name}/blobs/uploads/?digest=${blob.digest}`).send(blob.content),
      request(app).post(`/v2/team/elsewhere/blobs/uploads/?digest=${blob.digest}`).send(blob.content),
    ]);
    for (const res of results) {
      assert.equal(res.status, 201, res.text);
      assert.equal(res.headers['docker-content-digest'], blob.digest);
    }
    await assertBlob(app, name, blob.digest, blob.content);
    await assertBlob(app, 'team/elsewhere', blob.digest, blob.content);
  });
});
