// storage.readOnly: a registry that serves pulls only (a replica, a storage migration): every
// v2 and v1 write is refused with 405 and the store is left exactly as it was; nothing runs in
// the background that would write.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { makeChain } from '../v1/fixtures.js';
import { assertV1Error, buildV1Registry, pushAndTag } from '../v1/harness.js';
import { registryConfigSchema } from '../../src/config/schema.js';
import { assertError, buildRegistry, pushImage, raw, recordingDriver } from './harness.js';

const accept = 'application/vnd.oci.image.manifest.v1+json';

/** Every path in the store with its bytes, to show that nothing changed. */
async function snapshot(driver: { list(path: string): Promise<string[]>; stat(path: string): Promise<{ isDirectory: boolean }>; getContent(path: string): Promise<Uint8Array> }, path = '/'): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const child of await driver.list(path).catch(() => [])) {
    if ((await driver.stat(child)).isDirectory) for (const [k, v] of await snapshot(driver, child)) files.set(k, v);
    else files.set(child, Buffer.from(await driver.getContent(child)).toString('base64'));
  }
  return files;
}

describe('read-only mode', () => {
  it('serves pulls of what is stored and refuses every v2 write with 405, changing nothing', async () => {
    const writer = await buildRegistry();
    const image = await pushImage(writer.app, 'team/app', { tag: 'v1', layers: ['one', 'two'] });
    const started = await request(writer.app).post('/v2/team/app/blobs/uploads/');
    assert.equal(started.status, 202);
    const before = await snapshot(writer.driver);

    const { app } = await buildRegistry({ driver: writer.driver, storage: { readOnly: true } });
    const manifest = await raw(request(app).get('/v2/team/app/manifests/v1').set('Accept', accept));
    assert.equal(manifest.status, 200);
    assert.deepEqual(manifest.body, image.bytes);
    for (const blob of [image.config, ...image.layers]) {
      assert.equal((await request(app).head(`/v2/team/app/blobs/${blob.digest}`)).status, 200);
      assert.deepEqual((await raw(request(app).get(`/v2/team/app/blobs/${blob.digest}`))).body, blob.content);
    }
    assert.deepEqual((await request(app).get('/v2/team/app/tags/list')).body.tags, ['v1']);
    assert.deepEqual((await request(app).get('/v2/_catalog')).body.repositories, ['team/app']);

    const writes = [
      request(app).post('/v2/team/app/blobs/uploads/'),
      request(app).post(`/v2/other/app/blobs/uploads/?mount=${image.layers[0]!.digest}&from=team/app`),
      request(app).patch(started.headers.location as string).set('Content-Type', 'application/octet-stream').send(Buffer.from('more')),
      request(app).put(`${started.headers.location as string}&digest=${image.layers[0]!.digest}`),
      request(app).delete(started.headers.location as string),
      request(app).put('/v2/team/app/manifests/v2').set('Content-Type', accept).send(image.bytes),
      request(app).delete(`/v2/team/app/manifests/${image.digest}`),
      request(app).delete(`/v2/team/app/blobs/${image.layers[0]!.digest}`),
    ];
    for (const write of writes) {
      const res = await write;
      assertError(res, 405, 'UNSUPPORTED');
      assert.match(res.body.errors[0].message, /read-only mode/);
    }
    const after = await snapshot(writer.driver);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
    assert.deepEqual(changed, [], 'no path of the store was added, removed or rewritten');
  });

  it('refuses v1 writes with the v1 error, and serves v1 reads', async () => {
    const writer = await buildV1Registry();
    const images = makeChain(2);
    await pushAndTag(writer.app, 'library/base', 'latest', images);
    const { app } = await buildV1Registry({ driver: writer.driver, readOnly: true });
    assert.equal((await request(app).get('/v1/repositories/library/base/tags')).status, 200);
    assert.equal((await request(app).get(`/v1/images/${images[0]!.id}/json`)).status, 200);
    assertV1Error(await request(app).put('/v1/repositories/library/base/tags/other').set('Content-Type', 'application/json').send(JSON.stringify(images[0]!.id)), 405, /read-only mode/);
    assertV1Error(await request(app).delete('/v1/repositories/library/base/tags/latest'), 405, /read-only mode/);
  });

  it('runs no upload purge and no garbage collection, however they are scheduled', async () => {
    const { driver, calls } = recordingDriver();
    const { registry } = await buildRegistry({
      driver,
      storage: { readOnly: true, uploadPurging: { enabled: true, interval: '1s', age: '1s' }, gc: { enabled: true, interval: '1s', gracePeriod: '2s' } },
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await registry.close();
    assert.deepEqual(calls.filter((c) => /^(list|delete|move|putContent|writer) /.test(c)), []);
  });

  it('cannot be combined with a pull-through cache, which stores what it fetches', () => {
    const parsed = registryConfigSchema.safeParse({ storage: { readOnly: true }, proxy: { upstreams: [{ name: 'up', url: 'http://127.0.0.1:5999', prefixes: ['*'] }] } });
    assert.equal(parsed.success, false);
    assert.match(parsed.error!.issues[0]!.message, /readOnly cannot be combined with proxy.upstreams/);
    assert.equal(registryConfigSchema.parse({ storage: { readOnly: true } }).storage.readOnly, true);
  });
});
