// The referrers API through the pull-through cache: the upstream's referrers (signatures, SBOMs)
// are listed for proxied names, merged with what the cache holds; an upstream without the API
// makes it a 404 so clients use the tag schema; a down upstream leaves the cached list.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { mediaTypes } from '@wharf/shared';
import { assertError, pushArtifact, pushImage, pushIndex, raw } from '../api/harness.js';
import type { FakeUpstream } from './fake-upstream.js';
import { buildProxy, fakeUpstreamsForThisFile } from './harness.js';

const upstream = fakeUpstreamsForThisFile();

const sbomType = 'application/vnd.example.sbom.v1';
const signatureType = 'application/vnd.example.signature.v1';

/** An image with an SBOM and a signature referring to it, pushed to the upstream. */
async function imageWithReferrers(up: FakeUpstream, name: string) {
  const image = await pushImage(up.app, name, { tag: 'v1', layers: ['the image'] });
  const sbom = await pushArtifact(up.app, name, { artifactType: sbomType, subject: image.descriptor, annotations: { 'org.example.kind': 'sbom' } });
  const signature = await pushArtifact(up.app, name, { artifactType: signatureType, subject: image.descriptor });
  return { image, sbom, signature };
}

describe('pull-through: the referrers API', () => {
  it("lists the upstream's referrers of a proxied image, filters them, and the referrers pull through", async () => {
    const up = await upstream();
    const { image, sbom, signature } = await imageWithReferrers(up, 'library/app');
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'] }] });
    const app = registry.app;

    const all = await request(app).get(`/v2/library/app/referrers/${image.digest}`);
    assert.equal(all.status, 200, all.text);
    assert.equal(all.headers['content-type'], mediaTypes.ociIndex);
    const listed = (all.body as { manifests: { digest: string; artifactType?: string; annotations?: Record<string, string> }[] }).manifests;
    assert.deepEqual(listed.map((d) => d.digest).sort(), [sbom.digest, signature.digest].sort());
    assert.equal(listed.find((d) => d.digest === sbom.digest)?.annotations?.['org.example.kind'], 'sbom');

    const filtered = await request(app).get(`/v2/library/app/referrers/${image.digest}?artifactType=${encodeURIComponent(sbomType)}`);
    assert.equal(filtered.status, 200);
    assert.equal(filtered.headers['oci-filters-applied'], 'artifactType');
    assert.deepEqual((filtered.body as { manifests: { digest: string }[] }).manifests.map((d) => d.digest), [sbom.digest]);

    // A client then fetches the referrer by digest: cached like any manifest, listed once.
    const fetched = await raw(request(app).get(`/v2/library/app/manifests/${sbom.digest}`).set('Accept', mediaTypes.ociManifest));
    assert.equal(fetched.status, 200);
    assert.deepEqual(fetched.body, sbom.bytes);
    const again = await request(app).get(`/v2/library/app/referrers/${image.digest}`);
    assert.deepEqual((again.body as { manifests: { digest: string }[] }).manifests.map((d) => d.digest).sort(), [sbom.digest, signature.digest].sort());

    // With the upstream down, what the cache holds is still listed.
    up.down = true;
    const down = await request(app).get(`/v2/library/app/referrers/${image.digest}`);
    assert.equal(down.status, 200, down.text);
    assert.deepEqual((down.body as { manifests: { digest: string }[] }).manifests.map((d) => d.digest), [sbom.digest]);
  });

  it('answers 404 when the upstream has no referrers API, and the tag schema works through the cache', async () => {
    const up = await upstream({ noReferrersApi: true });
    const { image, signature } = await imageWithReferrers(up, 'library/old');
    // What a client without the API pushes instead: an index under the tag sha256-<hex>.
    const fallbackTag = image.digest.replace(':', '-');
    const tagged = await pushIndex(up.app, 'library/old', [signature], { tag: fallbackTag });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'] }] });

    const res = await request(registry.app).get(`/v2/library/old/referrers/${image.digest}`);
    assertError(res, 404, 'NOT_FOUND');
    assert.match(res.body.errors[0].message, /no referrers API/);
    const viaTag = await raw(request(registry.app).get(`/v2/library/old/manifests/${fallbackTag}`).set('Accept', mediaTypes.ociIndex));
    assert.equal(viaTag.status, 200);
    assert.equal(viaTag.headers['docker-content-digest'], tagged.digest);
  });

  it('serves local names from the cache alone, never asking the upstream', async () => {
    const up = await upstream();
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'] }] });
    const image = await pushImage(registry.app, 'team/app', { layers: ['local'] });
    const artifact = await pushArtifact(registry.app, 'team/app', { artifactType: sbomType, subject: image.descriptor });
    const res = await request(registry.app).get(`/v2/team/app/referrers/${image.digest}`);
    assert.equal(res.status, 200);
    assert.deepEqual((res.body as { manifests: { digest: string }[] }).manifests.map((d) => d.digest), [artifact.digest]);
    assert.equal(up.count('GET', /\/referrers\//), 0);
  });
});
