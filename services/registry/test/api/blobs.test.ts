// GET/HEAD/DELETE /v2/<name>/blobs/<digest> (OCI end-2, end-10; Docker API "Fetch Blob", "Fetch
// Blob Part", "DELETE Blob").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { assertError, blobOf, buildRegistry, pushBlob, raw } from './harness.js';

const bytes = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');

describe('blob GET and HEAD', () => {
  it('HEAD gives Content-Length, Docker-Content-Digest and ETag without a body', async () => {
    const { app } = await buildRegistry();
    const blob = await pushBlob(app, 'team/app', bytes);
    const res = await request(app).head(`/v2/team/app/blobs/${blob.digest}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], String(bytes.length));
    assert.equal(res.headers['docker-content-digest'], blob.digest);
    assert.equal(res.headers.etag, `"${blob.digest}"`);
    assert.equal(res.headers['accept-ranges'], 'bytes');
    assert.equal(res.text, undefined);
  });

  it('GET returns the exact bytes with the same headers', async () => {
    const { app } = await buildRegistry();
    const blob = await pushBlob(app, 'team/app', bytes);
    const res = await raw(request(app).get(`/v2/team/app/blobs/${blob.digest}`));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, bytes);
    assert.equal(res.headers['content-type'], 'application/octet-stream');
    assert.equal(res.headers['content-length'], String(bytes.length));
    assert.equal(res.headers['docker-content-digest'], blob.digest);
    assert.equal(res.headers.etag, `"${blob.digest}"`);
  });

  it('serves an empty blob as 200 with Content-Length 0', async () => {
    const { app } = await buildRegistry();
    const blob = await pushBlob(app, 'team/app', Buffer.alloc(0));
    assert.equal(blob.digest, 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const res = await raw(request(app).get(`/v2/team/app/blobs/${blob.digest}`));
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-length'], '0');
    assert.equal((res.body as Buffer).length, 0);
  });

  it('If-None-Match with the ETag answers 304 without a body; another ETag gets the blob', async () => {
    const { app } = await buildRegistry();
    const blob = await pushBlob(app, 'team/app', bytes);
    const fresh = await raw(request(app).get(`/v2/team/app/blobs/${blob.digest}`).set('If-None-Match', `"${blob.digest}"`));
    assert.equal(fresh.status, 304);
    assert.equal((fresh.body as Buffer).length, 0);
    const stale = await raw(request(app).get(`/v2/team/app/blobs/${blob.digest}`).set('If-None-Match', '"sha256:other"'));
    assert.equal(stale.status, 200);
    assert.deepEqual(stale.body, bytes);
  });

  it('serves sha512 blobs under their sha512 digest', async () => {
    const { app } = await buildRegistry();
    const blob = await pushBlob(app, 'team/app', bytes, 'sha512');
    assert.match(blob.digest, /^sha512:[0-9a-f]{128}$/);
    const res = await raw(request(app).get(`/v2/team/app/blobs/${blob.digest}`));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, bytes);
    assert.equal(res.headers['docker-content-digest'], blob.digest);
    // The same bytes were never pushed under sha256.
    assertError(await request(app).get(`/v2/team/app/blobs/${blobOf(bytes).digest}`), 404, 'BLOB_UNKNOWN');
  });
});

describe('blob Range requests', () => {
  async function ranged(range: string) {
    const { app } = await buildRegistry();
    const blob = await pushBlob(app, 'team/app', bytes);
    return raw(request(app).get(`/v2/team/app/blobs/${blob.digest}`).set('Range', range));
  }

  it('bytes=a-b → 206 with Content-Range and exactly those bytes', async () => {
    const res = await ranged('bytes=3-9');
    assert.equal(res.status, 206);
    assert.equal(res.headers['content-range'], `bytes 3-9/${bytes.length}`);
    assert.equal(res.headers['content-length'], '7');
    assert.deepEqual(res.body, bytes.subarray(3, 10));
  });

  it('bytes=a- → 206 from a to the end', async () => {
    const res = await ranged('bytes=30-');
    assert.equal(res.status, 206);
    assert.equal(res.headers['content-range'], `bytes 30-35/${bytes.length}`);
    assert.deepEqual(res.body, bytes.subarray(30));
  });

  it('bytes=-n → 206 with the last n bytes', async () => {
    const res = await ranged('bytes=-4');
    assert.equal(res.status, 206);
    assert.equal(res.headers['content-range'], `bytes 32-35/${bytes.length}`);
    assert.deepEqual(res.body, Buffer.from('wxyz'));
  });

  it('an end past the blob is clipped to the last byte, a suffix longer than the blob is all of it', async () => {
    const past = await ranged('bytes=34-1000');
    assert.equal(past.status, 206);
    assert.equal(past.headers['content-range'], `bytes 34-35/${bytes.length}`);
    assert.deepEqual(past.body, Buffer.from('yz'));
    const suffix = await ranged('bytes=-1000');
    assert.equal(suffix.status, 206);
    assert.equal(suffix.headers['content-range'], `bytes 0-35/${bytes.length}`);
    assert.deepEqual(suffix.body, bytes);
  });

  it('an unsatisfiable range → 416 RANGE_INVALID with Content-Range: bytes */size', async () => {
    for (const range of [`bytes=${bytes.length}-`, 'bytes=100-200', 'bytes=-0']) {
      const res = await ranged(range);
      assertError(res, 416, 'RANGE_INVALID');
      assert.equal(res.headers['content-range'], `bytes */${bytes.length}`, range);
    }
  });

  it('a malformed or multi-part Range is ignored and the whole blob is sent', async () => {
    for (const range of ['items=0-3', 'bytes=0-1,4-5', 'bytes=9-3']) {
      const res = await ranged(range);
      assert.equal(res.status, 200, range);
      assert.deepEqual(res.body, bytes);
    }
  });
});

describe('blob errors and repository scoping', () => {
  it('an unknown blob is 404 BLOB_UNKNOWN on GET and on HEAD', async () => {
    const { app } = await buildRegistry();
    const unknown = blobOf('never pushed').digest;
    assertError(await request(app).get(`/v2/team/app/blobs/${unknown}`), 404, 'BLOB_UNKNOWN');
    assertError(await request(app).head(`/v2/team/app/blobs/${unknown}`), 404, 'BLOB_UNKNOWN');
  });

  it('an invalid digest is 400 DIGEST_INVALID', async () => {
    const { app } = await buildRegistry();
    for (const digest of ['sha256:abc', 'sha256:' + 'G'.repeat(64), 'md5:d41d8cd98f00b204e9800998ecf8427e', 'nodigest']) {
      assertError(await request(app).get(`/v2/team/app/blobs/${digest}`), 400, 'DIGEST_INVALID');
    }
  });

  it('a blob of another repository is not visible there until it is mounted', async () => {
    const { app } = await buildRegistry();
    const blob = await pushBlob(app, 'team/source', bytes);
    assertError(await request(app).get(`/v2/team/other/blobs/${blob.digest}`), 404, 'BLOB_UNKNOWN');
    assertError(await request(app).head(`/v2/team/other/blobs/${blob.digest}`), 404, 'BLOB_UNKNOWN');
    const mount = await request(app).post(`/v2/team/other/blobs/uploads/?mount=${blob.digest}&from=team/source`);
    assert.equal(mount.status, 201);
    const res = await raw(request(app).get(`/v2/team/other/blobs/${blob.digest}`));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, bytes);
  });
});

describe('blob DELETE', () => {
  it('202 then 404, and the content stays available to other repositories', async () => {
    const { app } = await buildRegistry();
    const blob = await pushBlob(app, 'team/app', bytes);
    await pushBlob(app, 'team/other', bytes);
    const res = await request(app).delete(`/v2/team/app/blobs/${blob.digest}`);
    assert.equal(res.status, 202);
    assert.equal(res.headers['content-length'], '0');
    assertError(await request(app).get(`/v2/team/app/blobs/${blob.digest}`), 404, 'BLOB_UNKNOWN');
    assertError(await request(app).delete(`/v2/team/app/blobs/${blob.digest}`), 404, 'BLOB_UNKNOWN');
    const other = await raw(request(app).get(`/v2/team/other/blobs/${blob.digest}`));
    assert.equal(other.status, 200);
    assert.deepEqual(other.body, bytes);
  });

  it('of an unknown blob is 404 BLOB_UNKNOWN, of an invalid digest 400 DIGEST_INVALID', async () => {
    const { app } = await buildRegistry();
    assertError(await request(app).delete(`/v2/team/app/blobs/${blobOf('x').digest}`), 404, 'BLOB_UNKNOWN');
    assertError(await request(app).delete('/v2/team/app/blobs/sha256:short'), 400, 'DIGEST_INVALID');
  });

  it('with deletes disabled is 405 UNSUPPORTED and the blob stays', async () => {
    const { app } = await buildRegistry({ deleteEnabled: false });
    const blob = await pushBlob(app, 'team/app', bytes);
    assertError(await request(app).delete(`/v2/team/app/blobs/${blob.digest}`), 405, 'UNSUPPORTED');
    assert.equal((await request(app).head(`/v2/team/app/blobs/${blob.digest}`)).status, 200);
  });
});
