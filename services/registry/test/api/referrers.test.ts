// GET /v2/<name>/referrers/<digest>[?artifactType=] (OCI end-12a/12b, "Listing Referrers").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import type { Express } from 'express';
import type { Descriptor, ImageIndex } from '@wharf/shared';
import { assertError, blobOf, buildRegistry, mediaTypes, pushArtifact, pushImage, pushIndex, raw, recordingDriver } from './harness.js';

const name = 'team/app';
const sbomType = 'application/vnd.example.sbom.v1';
const sigType = 'application/vnd.example.signature.v1';

async function referrers(app: Express, repo: string, subject: string, query = ''): Promise<{ status: number; headers: Record<string, string>; index: ImageIndex }> {
  const res = await raw(request(app).get(`/v2/${repo}/referrers/${subject}${query}`));
  assert.equal(res.status, 200, `referrers of ${subject}: ${String(res.body)}`);
  assert.equal(res.headers['content-type'], mediaTypes.ociIndex);
  const index = JSON.parse((res.body as Buffer).toString('utf8')) as ImageIndex;
  assert.equal(index.schemaVersion, 2);
  assert.equal(index.mediaType, mediaTypes.ociIndex);
  return { status: res.status, headers: res.headers as Record<string, string>, index };
}

function byDigest(list: Descriptor[]): Descriptor[] {
  return [...list].sort((a, b) => a.digest.localeCompare(b.digest));
}

/** An image with an SBOM, a signature (image manifest without artifactType) and an index referring to it. */
async function withReferrers(app: Express) {
  const image = await pushImage(app, name, { tag: 'v1' });
  const sbom = await pushArtifact(app, name, { artifactType: sbomType, subject: image.descriptor, annotations: { 'org.example.format': 'spdx' } });
  const sig = await pushImage(app, name, { config: '{"sig":true}', layers: ['signature bytes'], subject: image.descriptor, annotations: { 'org.example.signer': 'ci' } });
  const other = await pushImage(app, name, { layers: ['unrelated'] });
  const index = await pushIndex(app, name, [other], { subject: image.descriptor, annotations: { 'org.example.kind': 'bundle' } });
  return { image, sbom, sig, index };
}

describe('referrers API', () => {
  it('lists the descriptor of every manifest with that subject: mediaType, digest, size, artifactType, annotations', async () => {
    const { app } = await buildRegistry();
    const { image, sbom, sig, index } = await withReferrers(app);
    const { index: list, headers } = await referrers(app, name, image.digest);
    assert.equal(headers['oci-filters-applied'], undefined);
    assert.deepEqual(
      byDigest(list.manifests),
      byDigest([
        { mediaType: mediaTypes.ociManifest, digest: sbom.digest, size: sbom.size, artifactType: sbomType, annotations: { 'org.example.format': 'spdx' } },
        // No artifactType in an image manifest: the config's media type stands in (OCI spec).
        { mediaType: mediaTypes.ociManifest, digest: sig.digest, size: sig.size, artifactType: mediaTypes.ociConfig, annotations: { 'org.example.signer': 'ci' } },
        // No artifactType in an index: none is given.
        { mediaType: mediaTypes.ociIndex, digest: index.digest, size: index.size, annotations: { 'org.example.kind': 'bundle' } },
      ]),
    );
  });

  it('?artifactType= filters and says so with OCI-Filters-Applied', async () => {
    const { app } = await buildRegistry();
    const { image, sbom } = await withReferrers(app);
    const { index, headers } = await referrers(app, name, image.digest, `?artifactType=${encodeURIComponent(sbomType)}`);
    assert.equal(headers['oci-filters-applied'], 'artifactType');
    assert.deepEqual(index.manifests.map((d) => d.digest), [sbom.digest]);
    const none = await referrers(app, name, image.digest, `?artifactType=${encodeURIComponent(sigType)}`);
    assert.equal(none.headers['oci-filters-applied'], 'artifactType');
    assert.deepEqual(none.index.manifests, []);
  });

  it('an unknown subject or repository gives an empty list, never a 404', async () => {
    const { app } = await buildRegistry();
    await withReferrers(app);
    const unknown = blobOf('no such manifest').digest;
    assert.deepEqual((await referrers(app, name, unknown)).index.manifests, []);
    assert.deepEqual((await referrers(app, 'team/never-pushed', unknown)).index.manifests, []);
  });

  it('lists referrers pushed before their subject', async () => {
    const { app } = await buildRegistry();
    const later = blobOf('subject pushed later');
    const subject = { mediaType: mediaTypes.ociManifest, digest: later.digest, size: later.size };
    const sbom = await pushArtifact(app, name, { artifactType: sbomType, subject });
    assert.deepEqual((await referrers(app, name, later.digest)).index.manifests.map((d) => d.digest), [sbom.digest]);
  });

  it('is scoped to the repository', async () => {
    const { app } = await buildRegistry();
    const { image } = await withReferrers(app);
    await pushImage(app, 'team/other', { tag: 'v1' });
    assert.deepEqual((await referrers(app, 'team/other', image.digest)).index.manifests, []);
  });

  it('deleting a referrer removes it from the list; untagging does not', async () => {
    const { app } = await buildRegistry();
    const { image, sbom, sig } = await withReferrers(app);
    assert.equal((await request(app).delete(`/v2/${name}/manifests/${sbom.digest}`)).status, 202);
    const after = (await referrers(app, name, image.digest)).index.manifests.map((d) => d.digest);
    assert.ok(!after.includes(sbom.digest));
    assert.ok(after.includes(sig.digest));
    assert.equal(after.length, 2);
    // Deleting the subject's tag leaves its referrers alone.
    assert.equal((await request(app).delete(`/v2/${name}/manifests/v1`)).status, 202);
    assert.equal((await referrers(app, name, image.digest)).index.manifests.length, 2);
  });

  it('a subject with many large referrers is listed in pages of at most storage.maxManifestBytes, linked by rel="next"', async () => {
    // A tenant pushes referrers whose annotations nearly fill a manifest each: one listing of them
    // all would be their count times maxManifestBytes, built in memory for every GET.
    const maxManifestBytes = 64 * 1024;
    const { app } = await buildRegistry({ maxManifestBytes });
    const image = await pushImage(app, name, { tag: 'v1' });
    const pushed: string[] = [];
    for (let i = 0; i < 12; i++) {
      const sbom = await pushArtifact(app, name, { artifactType: sbomType, subject: image.descriptor, annotations: { 'org.example.filler': `${i}`.padEnd(20 * 1024, 'x') } });
      pushed.push(sbom.digest);
    }
    const listed: string[] = [];
    let path: string | undefined = `/v2/${name}/referrers/${image.digest}?artifactType=${encodeURIComponent(sbomType)}`;
    for (let page = 0; path && page < 20; page++) {
      const res = await raw(request(app).get(path));
      assert.equal(res.status, 200);
      const body = res.body as Buffer;
      assert.ok(body.length <= maxManifestBytes, `a page of ${body.length} bytes`);
      assert.equal(res.headers['oci-filters-applied'], 'artifactType');
      const index = JSON.parse(body.toString('utf8')) as ImageIndex;
      assert.ok(index.manifests.length > 0);
      listed.push(...index.manifests.map((d) => d.digest));
      const link = res.headers.link as string | undefined;
      path = link === undefined ? undefined : /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
      if (link !== undefined) assert.ok(path, `Link ${link}`);
    }
    assert.equal(path, undefined, 'the last page has no Link');
    assert.deepEqual(listed, [...pushed].sort());
  });

  it('a page reads the links and manifests of about its own referrers, not of every one', async () => {
    const { driver, calls } = recordingDriver();
    const { app } = await buildRegistry({ driver, maxManifestBytes: 8 * 1024 });
    const image = await pushImage(app, name, { tag: 'v1' });
    for (let i = 0; i < 40; i++) await pushArtifact(app, name, { artifactType: sbomType, subject: image.descriptor, annotations: { 'org.example.filler': `${i}`.padEnd(2000, 'x') } });
    calls.length = 0;
    const res = await raw(request(app).get(`/v2/${name}/referrers/${image.digest}`));
    assert.ok(res.headers.link, 'a page of 40 referrers of 2 KB in 8 KB');
    const linkReads = calls.filter((c) => c.startsWith('getContent') && c.includes('/_referrers/')).length;
    assert.ok(linkReads <= 16, `${linkReads} referrer links read for one page`);
  });

  it('an invalid digest → 400 DIGEST_INVALID; a tag is not a digest', async () => {
    const { app } = await buildRegistry();
    for (const ref of ['sha256:123', 'latest', 'md5:d41d8cd98f00b204e9800998ecf8427e']) {
      assertError(await request(app).get(`/v2/${name}/referrers/${ref}`), 400, 'DIGEST_INVALID');
    }
  });

  it('only GET is supported', async () => {
    const { app } = await buildRegistry();
    const digest = blobOf('x').digest;
    assertError(await request(app).put(`/v2/${name}/referrers/${digest}`), 405, 'UNSUPPORTED');
    assertError(await request(app).delete(`/v2/${name}/referrers/${digest}`), 405, 'UNSUPPORTED');
  });
});
