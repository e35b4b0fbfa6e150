// GET/HEAD/PUT/DELETE /v2/<name>/manifests/<reference> (OCI end-3, end-7, end-9).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import { digestOf } from '@wharf/shared';
import {
  assertError, blobOf, buildRegistry, mediaTypes, pushArtifact, pushBlob, pushImage, pushIndex, putManifest, raw,
  type PushedManifest,
} from './harness.js';

const name = 'team/app';

/** GET and HEAD by tag and by digest serve the exact bytes with the right headers. */
async function assertServed(app: Express, repo: string, reference: string, pushed: PushedManifest): Promise<void> {
  const get = await raw(request(app).get(`/v2/${repo}/manifests/${reference}`));
  assert.equal(get.status, 200, `GET ${reference}`);
  assert.deepEqual(get.body, pushed.bytes);
  assert.equal(get.headers['content-type'], pushed.mediaType);
  assert.equal(get.headers['docker-content-digest'], pushed.digest);
  assert.equal(get.headers['content-length'], String(pushed.size));
  const head = await request(app).head(`/v2/${repo}/manifests/${reference}`);
  assert.equal(head.status, 200, `HEAD ${reference}`);
  assert.equal(head.headers['content-type'], pushed.mediaType);
  assert.equal(head.headers['docker-content-digest'], pushed.digest);
  assert.equal(head.headers['content-length'], String(pushed.size));
  assert.equal(head.text, undefined);
}

describe('manifest PUT, GET and HEAD for every manifest type', () => {
  it('docker schema2 by tag: 201 with Location and Docker-Content-Digest, served by tag and digest', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, name, { docker: true, tag: 'v1' });
    assert.equal(image.mediaType, mediaTypes.dockerManifest);
    const again = await putManifest(app, name, 'v1', image.bytes, image.mediaType);
    assert.equal(again.status, 201);
    assert.equal(again.headers.location, `/v2/${name}/manifests/${image.digest}`);
    assert.equal(again.headers['docker-content-digest'], image.digest);
    await assertServed(app, name, 'v1', image);
    await assertServed(app, name, image.digest, image);
  });

  it('OCI image manifest by digest, untagged', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, name);
    await assertServed(app, name, image.digest, image);
    assert.deepEqual((await request(app).get(`/v2/${name}/tags/list`)).body, { name, tags: [] });
  });

  it('docker manifest list and OCI index over child manifests', async () => {
    const { app } = await buildRegistry();
    const amd = await pushImage(app, name, { docker: true, layers: ['amd64 layer'] });
    const arm = await pushImage(app, name, { docker: true, layers: ['arm64 layer'] });
    const list = await pushIndex(app, name, [amd, arm], { docker: true, tag: 'list' });
    assert.equal(list.mediaType, mediaTypes.dockerManifestList);
    await assertServed(app, name, 'list', list);
    const ociA = await pushImage(app, name, { layers: ['oci a'] });
    const index = await pushIndex(app, name, [ociA], { tag: 'index' });
    assert.equal(index.mediaType, mediaTypes.ociIndex);
    await assertServed(app, name, 'index', index);
    await assertServed(app, name, index.digest, index);
  });

  it('an artifact with artifactType and the empty config', async () => {
    const { app } = await buildRegistry();
    const artifact = await pushArtifact(app, name, { artifactType: 'application/vnd.example.sbom.v1', tag: 'sbom' });
    await assertServed(app, name, 'sbom', artifact);
    const json = JSON.parse(artifact.bytes.toString()) as { config: { mediaType: string; digest: string } };
    assert.equal(json.config.mediaType, mediaTypes.ociEmpty);
    assert.equal(json.config.digest, 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });

  it('a PUT by a sha512 digest stores the manifest under that digest', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, name);
    const digest = digestOf(image.bytes, 'sha512');
    const res = await putManifest(app, name, digest, image.bytes, image.mediaType);
    assert.equal(res.status, 201);
    assert.equal(res.headers['docker-content-digest'], digest);
    await assertServed(app, name, digest, { ...image, digest });
  });

  it('a tag moves to the manifest pushed last; the old one stays reachable by digest', async () => {
    const { app } = await buildRegistry();
    const first = await pushImage(app, name, { tag: 'latest', layers: ['one'] });
    const second = await pushImage(app, name, { tag: 'latest', layers: ['two'] });
    await assertServed(app, name, 'latest', second);
    await assertServed(app, name, first.digest, first);
  });

  it('If-None-Match with the digest ETag → 304', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, name, { tag: 'v1' });
    const res = await request(app).get(`/v2/${name}/manifests/v1`).set('If-None-Match', `"${image.digest}"`);
    assert.equal(res.status, 304);
    assert.equal(res.headers.etag, `"${image.digest}"`);
  });
});

describe('manifest content negotiation (Accept)', () => {
  it('an index is served without Accept, with */* or its type, and is 404 MANIFEST_UNKNOWN to an Accept lacking index types', async () => {
    const { app } = await buildRegistry();
    const child = await pushImage(app, name);
    await pushIndex(app, name, [child], { tag: 'multi' });
    const get = (accept?: string) => {
      const req = request(app).get(`/v2/${name}/manifests/multi`);
      return accept === undefined ? req : req.set('Accept', accept);
    };
    assert.equal((await get()).status, 200);
    assert.equal((await get('*/*')).status, 200);
    assert.equal((await get(`${mediaTypes.ociManifest}, ${mediaTypes.ociIndex}`)).status, 200);
    assert.equal((await get('application/*')).status, 200);
    assertError(await get(`${mediaTypes.ociManifest}, ${mediaTypes.dockerManifest}`), 404, 'MANIFEST_UNKNOWN');
    assertError(await get(`${mediaTypes.ociIndex};q=0, ${mediaTypes.ociManifest}`), 404, 'MANIFEST_UNKNOWN');
    assertError(await request(app).head(`/v2/${name}/manifests/multi`).set('Accept', mediaTypes.ociManifest), 404, 'MANIFEST_UNKNOWN');
  });
});

describe('manifest PUT validation', () => {
  it('malformed JSON → 400 MANIFEST_INVALID', async () => {
    const { app } = await buildRegistry();
    for (const body of ['{"schemaVersion": 2,', '[]', '{"schemaVersion": 1, "layers": []}']) {
      assertError(await putManifest(app, name, 'bad', Buffer.from(body), mediaTypes.ociManifest), 400, 'MANIFEST_INVALID');
    }
  });

  it('a Content-Type that disagrees with mediaType, is not a manifest type, or is missing with no mediaType → 400 MANIFEST_INVALID', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, name, { docker: true });
    const json = JSON.parse(image.bytes.toString()) as Record<string, unknown>;
    assertError(await putManifest(app, name, 'x', image.bytes, mediaTypes.ociManifest), 400, 'MANIFEST_INVALID');
    assertError(await putManifest(app, name, 'x', image.bytes, 'application/json'), 400, 'MANIFEST_INVALID');
    assertError(await putManifest(app, name, 'x', image.bytes, mediaTypes.dockerManifestList), 400, 'MANIFEST_INVALID');
    const { mediaType: _dropped, ...untyped } = json;
    assertError(await putManifest(app, name, 'x', untyped), 400, 'MANIFEST_INVALID');
    assertError(await request(app).get(`/v2/${name}/manifests/x`), 404, 'MANIFEST_UNKNOWN');
  });

  it('without Content-Type the body\'s mediaType is used; Content-Type parameters are ignored', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, name);
    assert.equal((await putManifest(app, name, 'untyped', image.bytes)).status, 201);
    assert.equal((await request(app).head(`/v2/${name}/manifests/untyped`)).headers['content-type'], mediaTypes.ociManifest);
    assert.equal((await putManifest(app, name, 'param', image.bytes, `${mediaTypes.ociManifest}; charset=utf-8`)).status, 201);
  });

  it('an OCI manifest may omit mediaType; a docker one may not, or it would be served as OCI', async () => {
    const { app } = await buildRegistry();
    for (const docker of [false, true]) {
      const image = await pushImage(app, name, { docker });
      const { mediaType: _omitted, ...untyped } = JSON.parse(image.bytes.toString()) as Record<string, unknown>;
      const res = await putManifest(app, name, docker ? 'docker' : 'oci', untyped, image.mediaType);
      if (docker) {
        assertError(res, 400, 'MANIFEST_INVALID');
        continue;
      }
      assert.equal(res.status, 201);
      assert.equal((await request(app).head(`/v2/${name}/manifests/oci`)).headers['content-type'], mediaTypes.ociManifest);
    }
  });

  it('a missing layer or config → 400 MANIFEST_BLOB_UNKNOWN naming the digest; nothing is stored', async () => {
    const { app } = await buildRegistry();
    const config = await pushBlob(app, name, '{"os":"linux"}');
    const layer = await pushBlob(app, name, 'layer');
    const missing = blobOf('never pushed');
    const base = { schemaVersion: 2, mediaType: mediaTypes.ociManifest };
    const desc = (b: { digest: string; size: number }, mediaType: string) => ({ mediaType, digest: b.digest, size: b.size });
    for (const manifest of [
      { ...base, config: desc(config, mediaTypes.ociConfig), layers: [desc(layer, mediaTypes.ociLayerGzip), desc(missing, mediaTypes.ociLayerGzip)] },
      { ...base, config: desc(missing, mediaTypes.ociConfig), layers: [desc(layer, mediaTypes.ociLayerGzip)] },
    ]) {
      const res = await putManifest(app, name, 'broken', manifest, mediaTypes.ociManifest);
      assertError(res, 400, 'MANIFEST_BLOB_UNKNOWN');
      assert.match(JSON.stringify(res.body), new RegExp(missing.digest));
    }
    assertError(await request(app).get(`/v2/${name}/manifests/broken`), 404, 'MANIFEST_UNKNOWN');
  });

  it('a blob that only another repository has is missing too', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, 'team/source');
    assertError(await putManifest(app, name, 'copy', image.bytes, image.mediaType), 400, 'MANIFEST_BLOB_UNKNOWN');
  });

  it('an index naming a child manifest the repository lacks → 400 MANIFEST_BLOB_UNKNOWN', async () => {
    const { app } = await buildRegistry();
    const child = await pushImage(app, 'team/elsewhere');
    const index = { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [child.descriptor] };
    assertError(await putManifest(app, name, 'idx', index, mediaTypes.ociIndex), 400, 'MANIFEST_BLOB_UNKNOWN');
  });

  it('a body over 4 MiB → 413 MANIFEST_TOO_BIG and nothing stored', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, name);
    const json = JSON.parse(image.bytes.toString()) as Record<string, unknown>;
    const big = Buffer.from(JSON.stringify({ ...json, annotations: { padding: 'x'.repeat(4 * 1024 * 1024) } }));
    assertError(await putManifest(app, name, 'big', big, mediaTypes.ociManifest), 413, 'MANIFEST_TOO_BIG');
    assertError(await request(app).head(`/v2/${name}/manifests/big`), 404, 'MANIFEST_UNKNOWN');
  });

  it('the limit holds for a chunked body with no Content-Length, and the registry survives it', async () => {
    const { app } = await buildRegistry({ maxManifestBytes: 1024 });
    const req = request(app).put(`/v2/${name}/manifests/streamed`).set('Content-Type', mediaTypes.ociManifest);
    for (let i = 0; i < 16; i++) req.write(Buffer.alloc(64 * 1024, 0x20));
    assertError(await req, 413, 'MANIFEST_TOO_BIG');
    // The request was cut off mid-body; the access log line must not throw when it finishes.
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal((await request(app).get('/v2/')).status, 200);
    assertError(await request(app).head(`/v2/${name}/manifests/streamed`), 404, 'MANIFEST_UNKNOWN');
  });

  it('a digest reference that does not match the body → 400 DIGEST_INVALID', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, name);
    const other = blobOf('other').digest;
    assertError(await putManifest(app, name, other, image.bytes, image.mediaType), 400, 'DIGEST_INVALID');
    assertError(await putManifest(app, name, 'sha256:nothex', image.bytes, image.mediaType), 400, 'DIGEST_INVALID');
    assertError(await request(app).get(`/v2/${name}/manifests/${other}`), 404, 'MANIFEST_UNKNOWN');
  });

  it('an invalid tag → 400 TAG_INVALID', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, name);
    for (const tag of ['-leading-dash', '.dot', 'a'.repeat(129), 'sp%20ace']) {
      assertError(await putManifest(app, name, tag, image.bytes, image.mediaType), 400, 'TAG_INVALID');
    }
    assert.equal((await putManifest(app, name, 'A'.repeat(128), image.bytes, image.mediaType)).status, 201);
  });

  it('a manifest with a subject answers with OCI-Subject, even before the subject exists', async () => {
    const { app } = await buildRegistry();
    const subject = { mediaType: mediaTypes.ociManifest, digest: blobOf('not pushed yet').digest, size: 14 };
    const referrer = await pushArtifact(app, name, { artifactType: 'application/vnd.example.sig', subject, tag: 'sig' });
    assert.equal(referrer.headers['oci-subject'], subject.digest);
    await assertServed(app, name, 'sig', referrer);
    const plain = await pushImage(app, name);
    assert.equal(plain.headers['oci-subject'], undefined);
  });
});

describe('manifest GET errors', () => {
  it('an unknown tag, digest or repository → 404 MANIFEST_UNKNOWN', async () => {
    const { app } = await buildRegistry();
    await pushImage(app, name, { tag: 'v1' });
    assertError(await request(app).get(`/v2/${name}/manifests/v2`), 404, 'MANIFEST_UNKNOWN');
    assertError(await request(app).get(`/v2/${name}/manifests/${blobOf('x').digest}`), 404, 'MANIFEST_UNKNOWN');
    assertError(await request(app).head(`/v2/team/none/manifests/v1`), 404, 'MANIFEST_UNKNOWN');
    assertError(await request(app).get(`/v2/${name}/manifests/sha256:zz`), 400, 'DIGEST_INVALID');
  });

  it('a config or layer digest is not a manifest', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, name);
    assertError(await request(app).get(`/v2/${name}/manifests/${image.config.digest}`), 404, 'MANIFEST_UNKNOWN');
  });
});

describe('manifest DELETE', () => {
  it('by digest → 202; the manifest and every tag on it are gone, other tags stay', async () => {
    const { app } = await buildRegistry();
    const doomed = await pushImage(app, name, { tag: 'a', layers: ['doomed'] });
    await putManifest(app, name, 'b', doomed.bytes, doomed.mediaType);
    const kept = await pushImage(app, name, { tag: 'c', layers: ['kept'] });
    const res = await request(app).delete(`/v2/${name}/manifests/${doomed.digest}`);
    assert.equal(res.status, 202);
    for (const ref of [doomed.digest, 'a', 'b']) assertError(await request(app).get(`/v2/${name}/manifests/${ref}`), 404, 'MANIFEST_UNKNOWN');
    assert.deepEqual((await request(app).get(`/v2/${name}/tags/list`)).body, { name, tags: ['c'] });
    await assertServed(app, name, 'c', kept);
    assertError(await request(app).delete(`/v2/${name}/manifests/${doomed.digest}`), 404, 'MANIFEST_UNKNOWN');
  });

  it('by tag → 202; only that tag goes, the manifest and its other tags stay', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, name, { tag: 'one' });
    await putManifest(app, name, 'two', image.bytes, image.mediaType);
    assert.equal((await request(app).delete(`/v2/${name}/manifests/one`)).status, 202);
    assertError(await request(app).get(`/v2/${name}/manifests/one`), 404, 'MANIFEST_UNKNOWN');
    await assertServed(app, name, 'two', image);
    await assertServed(app, name, image.digest, image);
    assertError(await request(app).delete(`/v2/${name}/manifests/one`), 404, 'MANIFEST_UNKNOWN');
  });

  it('with deletes disabled → 405 UNSUPPORTED and nothing changes', async () => {
    const { app } = await buildRegistry({ deleteEnabled: false });
    const image = await pushImage(app, name, { tag: 'v1' });
    assertError(await request(app).delete(`/v2/${name}/manifests/${image.digest}`), 405, 'UNSUPPORTED');
    assertError(await request(app).delete(`/v2/${name}/manifests/v1`), 405, 'UNSUPPORTED');
    await assertServed(app, name, 'v1', image);
  });
});

describe('manifest PUT: media types and platforms within the specs\' grammars (issue #12)', () => {
  // RFC 6838 restricted-name: at most 127 characters each side of the slash.
  const tooLong = `application/vnd.${'x'.repeat(200)}+json`;
  const descriptorOf = (blob: { digest: string; size: number }, mediaType: string) => ({ mediaType, digest: blob.digest, size: blob.size });

  it('refuses a manifest with an over-long or malformed descriptor media type with 400 MANIFEST_INVALID', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, name);
    const json = JSON.parse(image.bytes.toString()) as { config: { digest: string; size: number }; layers: { digest: string; size: number }[] };
    const layer = json.layers[0]!;
    const variants: object[] = [
      { ...json, layers: [descriptorOf(layer, tooLong)] },
      { ...json, config: descriptorOf(json.config, tooLong) },
      { ...json, layers: [descriptorOf(layer, 'not a media type')] },
      { ...json, artifactType: tooLong },
      { ...json, subject: descriptorOf({ digest: image.digest, size: image.size }, tooLong) },
      { ...json, layers: [{ ...descriptorOf(layer, mediaTypes.ociLayerGzip), artifactType: tooLong }] },
    ];
    for (const body of variants) {
      assertError(await putManifest(app, name, 'long', body, mediaTypes.ociManifest), 400, 'MANIFEST_INVALID');
    }
    assertError(await request(app).get(`/v2/${name}/manifests/long`), 404, 'MANIFEST_UNKNOWN');
  });

  it('refuses an index whose child has an over-long media type or platform field', async () => {
    const { app } = await buildRegistry();
    const child = await pushImage(app, name);
    const ref = { mediaType: mediaTypes.ociManifest, digest: child.digest, size: child.size };
    const bodies: object[] = [
      { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [{ ...ref, mediaType: tooLong }] },
      { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [{ ...ref, platform: { architecture: 'a'.repeat(5000), os: 'linux' } }] },
      { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [{ ...ref, platform: { architecture: 'amd64', os: 'linux', variant: 'v'.repeat(5000) } }] },
      { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [{ ...ref, platform: 'linux/amd64' }] },
    ];
    for (const body of bodies) {
      assertError(await putManifest(app, name, 'idx', body, mediaTypes.ociIndex), 400, 'MANIFEST_INVALID');
    }
  });

  it('accepts media types at the grammar\'s limit (127 characters each side)', async () => {
    const { app } = await buildRegistry();
    const image = await pushImage(app, name);
    const json = JSON.parse(image.bytes.toString()) as { layers: { digest: string; size: number }[] };
    const longest = `${'a'.repeat(127)}/${'b'.repeat(120)}+gzip`;
    const res = await putManifest(app, name, 'edge', { ...json, layers: [descriptorOf(json.layers[0]!, longest)] }, mediaTypes.ociManifest);
    assert.equal(res.status, 201);
  });
});
