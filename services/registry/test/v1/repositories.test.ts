// /v1/repositories/<name>/tags[/<tag>] and DELETE /v1/repositories/<name>/ (docs/protocol-v1.md) on a
// standalone registry with auth none, so only the repository rules are under test here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { mediaTypes } from '@wharf/shared';
import { pushImage } from '../api/harness.js';
import { startReceiver } from '../notifications/receiver.js';
import { makeChain, makeImage, sha256 } from './fixtures.js';
import { assertV1Error, buildV1Registry, pushAndTag, pushImages, putJson, putTag } from './harness.js';

describe('v1 tags', () => {
  it('PUT, GET, list and DELETE a tag', async () => {
    const { app } = await buildV1Registry();
    const chain = makeChain(2);
    await pushAndTag(app, 'team/app', 'latest', chain);
    assert.equal((await putTag(app, 'team/app', 'base', chain[0]!.id)).status, 200);

    const list = await request(app).get('/v1/repositories/team/app/tags');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body, { base: chain[0]!.id, latest: chain[1]!.id });
    const one = await request(app).get('/v1/repositories/team/app/tags/latest');
    assert.equal(one.status, 200);
    assert.equal(one.body, chain[1]!.id);

    const deleted = await request(app).delete('/v1/repositories/team/app/tags/base');
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body, '');
    assert.deepEqual((await request(app).get('/v1/repositories/team/app/tags')).body, { latest: chain[1]!.id });
    assertV1Error(await request(app).get('/v1/repositories/team/app/tags/base'), 404, 'Tag not found');
    assertV1Error(await request(app).delete('/v1/repositories/team/app/tags/base'), 404, 'Tag not found');
  });

  it('a one-segment name is library/<name> on every route, and the two spellings meet', async () => {
    const { app } = await buildV1Registry();
    const chain = makeChain(1);
    await pushAndTag(app, 'ubuntu', '14.04', chain);
    assert.deepEqual((await request(app).get('/v1/repositories/library/ubuntu/tags')).body, { '14.04': chain[0]!.id });
    assert.equal((await request(app).get('/v1/repositories/ubuntu/tags/14.04')).body, chain[0]!.id);
    // `foo/tags/<tag>` is library/foo's tag, `foo/tags` lists library/foo: shortest name first.
    assert.equal((await putTag(app, 'tags', 'tags', chain[0]!.id)).status, 200);
    assert.equal((await request(app).get('/v1/repositories/tags/tags/tags')).body, chain[0]!.id);
  });

  it('unknown repositories are 404; a repository whose tags are all gone lists {}', async () => {
    const { app } = await buildV1Registry();
    assertV1Error(await request(app).get('/v1/repositories/team/none/tags'), 404, 'Repository not found');
    await pushAndTag(app, 'team/app', 'only', makeChain(1));
    assert.equal((await request(app).delete('/v1/repositories/team/app/tags/only')).status, 200);
    assert.deepEqual((await request(app).get('/v1/repositories/team/app/tags')).body, {});
  });

  it('PUT tag: the body must be a quoted image id of a complete image', async () => {
    const { app } = await buildV1Registry();
    const image = makeImage();
    for (const body of ['', 'latest', '"abc"', `${'a'.repeat(64)}`, '["x"]', '{"id":1}']) {
      const res = await request(app).put('/v1/repositories/team/app/tags/latest').set('Content-Type', 'application/json').send(body);
      assertV1Error(res, 400, 'Invalid data');
    }
    assertV1Error(await putTag(app, 'team/app', 'latest', image.id), 404, 'Image not found');
    // An unfinished image is never tagged.
    assert.equal((await putJson(app, image)).status, 200);
    assertV1Error(await putTag(app, 'team/app', 'latest', image.id), 404, 'Image not found');
    assertV1Error(await request(app).get('/v1/repositories/team/app/tags/latest'), 404);
  });

  it('names and tags are checked against the grammar', async () => {
    const { app } = await buildV1Registry();
    for (const path of ['/v1/repositories/Team/App/tags', '/v1/repositories/te..am/app/tags', '/v1/repositories/a%2Fb/tags', '/v1/repositories/-x/tags']) {
      assertV1Error(await request(app).get(path), 400, 'Invalid repository name');
    }
    assertV1Error(await request(app).get('/v1/repositories/team/app/tags/.bad'), 400, 'Invalid tag name');
    assertV1Error(await request(app).get('/v1/repositories/a/b/c/tags'), 404, 'Not found');
  });
});

describe('v1 repository delete', () => {
  it('removes v1 tags and the v2 manifests, tags and links; shared blobs and nested repositories stay', async () => {
    const receiver = await startReceiver();
    try {
      const { app, registry, driver } = await buildV1Registry({ notify: `${receiver.url}/events` });
      const chain = makeChain(2);
      await pushAndTag(app, 'team/app', 'latest', chain);
      // The same content in another repository, a v2-only manifest, and a nested v2 repository.
      assert.equal((await putTag(app, 'team/other', 'latest', chain[0]!.id)).status, 200);
      const v2only = await pushImage(app, 'team/app', { tag: 'v2only', docker: true });
      const nested = await pushImage(app, 'team/app/nested', { tag: 'x' });

      const res = await request(app).delete('/v1/repositories/team/app/');
      assert.equal(res.status, 200);
      assert.equal(res.body, '');

      assertV1Error(await request(app).get('/v1/repositories/team/app/tags'), 404);
      for (const tag of ['latest', 'v2only']) {
        assert.equal((await request(app).get(`/v2/team/app/manifests/${tag}`).set('Accept', mediaTypes.dockerManifest)).status, 404, tag);
      }
      assert.equal((await request(app).get(`/v2/team/app/blobs/${v2only.layers[0]!.digest}`)).status, 404);
      const catalog = (await request(app).get('/v2/_catalog')).body as { repositories: string[] };
      assert.ok(!catalog.repositories.includes('team/app'), JSON.stringify(catalog));
      assert.equal((await request(app).get(`/v2/team/app/nested/manifests/${nested.digest}`)).status, 200);
      // Content stays for the repositories that still use it; v1 images too.
      assert.equal((await request(app).get(`/v2/team/other/blobs/${sha256(chain[0]!.layer)}`)).status, 200);
      assert.equal((await request(app).get(`/v1/images/${chain[1]!.id}/json`)).status, 200);
      await driver.stat(`/docker/registry/v2/blobs/sha256/${v2only.layers[0]!.digest.slice(7, 9)}/${v2only.layers[0]!.digest.slice(7)}/data`);

      await registry.close();
      const deletes = receiver.events().filter((e) => e.action === 'delete' && e.target.repository === 'team/app');
      assert.equal(deletes.length, 2, 'one delete event per manifest');
      assertV1Error(await request(app).delete('/v1/repositories/team/app/'), 404, 'Repository not found');
    } finally {
      await receiver.close();
    }
  });

  it('deletes follow storage.delete.enabled, as on v2', async () => {
    const { app } = await buildV1Registry({ deleteEnabled: false });
    const chain = makeChain(1);
    await pushImages(app, chain);
    assert.equal((await putTag(app, 'team/app', 'latest', chain[0]!.id)).status, 200);
    assertV1Error(await request(app).delete('/v1/repositories/team/app/'), 405, 'Deletes are disabled on this registry');
    assertV1Error(await request(app).delete('/v1/repositories/team/app/tags/latest'), 405);
    assert.equal((await request(app).get('/v1/repositories/team/app/tags/latest')).status, 200);
  });
});
