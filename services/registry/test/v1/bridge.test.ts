// The v1 → v2 bridge: a v1 push + tag becomes a v2 image a modern client pulls by the same name
// and tag (schema 2 manifest, image config v1.2 with rootfs.diff_ids), reported like a v2 push.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { mediaTypes } from '@wharf/shared';
import { createFilesystemDriver } from '../../src/storage/driver/filesystem/filesystem-driver.js';
import { startReceiver } from '../notifications/receiver.js';
import { makeChain, makeImage, sha256, type V1TestImage } from './fixtures.js';
import { buildV1Registry, pushAndTag, putTag, raw } from './harness.js';

interface Schema2 {
  schemaVersion: number;
  mediaType: string;
  config: { mediaType: string; size: number; digest: string };
  layers: { mediaType: string; size: number; digest: string }[];
}

interface ImageConfig {
  architecture: string;
  os: string;
  config: unknown;
  created: string;
  id?: unknown;
  parent?: unknown;
  Size?: unknown;
  rootfs: { type: string; diff_ids: string[] };
  history: { created: string; created_by?: string; empty_layer?: boolean }[];
}

async function v2Manifest(app: Express, name: string, tag: string): Promise<{ manifest: Schema2; digest: string; bytes: Buffer }> {
  const res = await raw(request(app).get(`/v2/${name}/manifests/${tag}`).set('Accept', mediaTypes.dockerManifest));
  assert.equal(res.status, 200, `GET /v2/${name}/manifests/${tag}: ${res.status} ${String(res.body)}`);
  assert.equal(res.headers['content-type'], mediaTypes.dockerManifest);
  const bytes = res.body as Buffer;
  assert.equal(res.headers['docker-content-digest'], sha256(bytes));
  return { manifest: JSON.parse(bytes.toString('utf8')) as Schema2, digest: sha256(bytes), bytes };
}

async function v2Blob(app: Express, name: string, digest: string): Promise<Buffer> {
  const res = await raw(request(app).get(`/v2/${name}/blobs/${digest}`));
  assert.equal(res.status, 200, `GET blob ${digest}: ${res.status}`);
  const bytes = res.body as Buffer;
  assert.equal(sha256(bytes), digest);
  return bytes;
}

function chainTops(chain: V1TestImage[]): V1TestImage {
  return chain[chain.length - 1]!;
}

describe('v1 → v2 bridge', () => {
  it('a 3-layer v1 push + tag is a valid schema 2 image: diff_ids, layer blobs, history, config', async () => {
    const { app } = await buildV1Registry();
    const chain = makeChain(3);
    await pushAndTag(app, 'team/app', 'latest', chain);

    const { manifest } = await v2Manifest(app, 'team/app', 'latest');
    assert.equal(manifest.schemaVersion, 2);
    assert.equal(manifest.mediaType, mediaTypes.dockerManifest);
    assert.equal(manifest.config.mediaType, mediaTypes.dockerConfig);
    assert.equal(manifest.layers.length, 3);
    manifest.layers.forEach((layer, i) => {
      // Base first, each the blob of the bytes as uploaded, labelled as gzip.
      assert.equal(layer.digest, sha256(chain[i]!.layer));
      assert.equal(layer.size, chain[i]!.layer.length);
      assert.equal(layer.mediaType, mediaTypes.dockerLayer);
    });
    for (const layer of manifest.layers) await v2Blob(app, 'team/app', layer.digest);

    const configBytes = await v2Blob(app, 'team/app', manifest.config.digest);
    assert.equal(configBytes.length, manifest.config.size);
    const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
    assert.equal(config.rootfs.type, 'layers');
    assert.deepEqual(config.rootfs.diff_ids, chain.map((image) => sha256(image.tar)));
    assert.equal(config.history.length, 3);
    assert.ok(config.history.every((h) => !h.empty_layer));
    assert.deepEqual(
      config.history.map((h) => h.created_by),
      chain.map((image) => (JSON.parse(image.json.toString()) as { container_config: { Cmd: string[] } }).container_config.Cmd.join(' ')),
    );
    const top = JSON.parse(chainTops(chain).json.toString()) as Record<string, unknown>;
    assert.equal(config.architecture, 'amd64');
    assert.equal(config.os, 'linux');
    assert.deepEqual(config.config, top.config);
    assert.equal(config.created, top.created);
    // The v1 graph keys are not part of an image config.
    assert.equal(config.id, undefined);
    assert.equal(config.parent, undefined);
    assert.equal(config.Size, undefined);

    const tags = await request(app).get('/v2/team/app/tags/list');
    assert.deepEqual(tags.body, { name: 'team/app', tags: ['latest'] });
  });

  it('works the same on the filesystem driver, in the Distribution layout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wharf-v1-fs-'));
    try {
      const { app } = await buildV1Registry({ driver: createFilesystemDriver({ rootDirectory: dir }) });
      const chain = makeChain(3);
      await pushAndTag(app, 'team/app', 'latest', chain);
      const { manifest } = await v2Manifest(app, 'team/app', 'latest');
      for (const [i, layer] of manifest.layers.entries()) {
        const hex = layer.digest.slice('sha256:'.length);
        assert.deepEqual(await readFile(join(dir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data')), chain[i]!.layer);
      }
      assert.deepEqual((await raw(request(app).get(`/v1/images/${chain[2]!.id}/layer`))).body, chain[2]!.layer);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('plain tar layers are labelled as uncompressed, and their diff_id is their own sha256', async () => {
    const { app } = await buildV1Registry();
    const base = makeImage({ plain: true });
    const top = makeImage({ parent: base });
    await pushAndTag(app, 'team/mixed', 'v1', [base, top]);
    const { manifest } = await v2Manifest(app, 'team/mixed', 'v1');
    assert.deepEqual(
      manifest.layers.map((l) => l.mediaType),
      ['application/vnd.docker.image.rootfs.diff.tar', mediaTypes.dockerLayer],
    );
    const config = JSON.parse((await v2Blob(app, 'team/mixed', manifest.config.digest)).toString()) as ImageConfig;
    assert.deepEqual(config.rootfs.diff_ids, [sha256(base.tar), sha256(top.tar)]);
    assert.equal(manifest.layers[0]!.digest, sha256(base.tar));
  });

  it('one-segment names are library/…, on v1 and on the bridged v2 side alike', async () => {
    const { app } = await buildV1Registry();
    const chain = makeChain(1);
    await pushAndTag(app, 'busybox', 'latest', chain);
    assert.deepEqual((await request(app).get('/v1/repositories/library/busybox/tags')).body, { latest: chain[0]!.id });
    await v2Manifest(app, 'library/busybox', 'latest');
  });

  it('re-tagging the same image gives the same manifest digest; a second tag shares the blobs', async () => {
    const { app } = await buildV1Registry();
    const chain = makeChain(2);
    await pushAndTag(app, 'team/app', 'one', chain);
    const first = await v2Manifest(app, 'team/app', 'one');
    assert.equal((await putTag(app, 'team/app', 'one', chainTops(chain).id)).status, 200);
    assert.equal((await putTag(app, 'team/app', 'two', chainTops(chain).id)).status, 200);
    assert.equal((await v2Manifest(app, 'team/app', 'one')).digest, first.digest);
    assert.equal((await v2Manifest(app, 'team/app', 'two')).digest, first.digest);
    // Tagging the base alone gives a one-layer image.
    assert.equal((await putTag(app, 'team/app', 'base', chain[0]!.id)).status, 200);
    assert.equal((await v2Manifest(app, 'team/app', 'base')).manifest.layers.length, 1);
  });

  it('the bridged manifest is reported like a v2 push (the index records it from the event)', async () => {
    const receiver = await startReceiver();
    try {
      const { app, registry } = await buildV1Registry({ notify: `${receiver.url}/events` });
      const chain = makeChain(3);
      await pushAndTag(app, 'team/app', 'latest', chain);
      const { digest, manifest } = await v2Manifest(app, 'team/app', 'latest');
      await registry.close();
      const events = await receiver.waitForEvents(1);
      const push = events.find((e) => e.action === 'push');
      assert.ok(push, 'a push event');
      assert.equal(push.target.repository, 'team/app');
      assert.equal(push.target.tag, 'latest');
      assert.equal(push.target.digest, digest);
      assert.equal(push.target.mediaType, mediaTypes.dockerManifest);
      assert.deepEqual(
        push.target.references?.map((r) => r.digest),
        [manifest.config.digest, ...manifest.layers.map((l) => l.digest)],
      );
    } finally {
      await receiver.close();
    }
  });

  it('deleting the v1 tag removes its v2 twin, unless a v2 push has moved the tag since', async () => {
    const { app } = await buildV1Registry();
    const chain = makeChain(2);
    await pushAndTag(app, 'team/app', 'gone', chain);
    await pushAndTag(app, 'team/app', 'moved', [makeImage()]);
    assert.equal((await request(app).delete('/v1/repositories/team/app/tags/gone')).status, 200);
    assert.equal((await request(app).get('/v2/team/app/manifests/gone').set('Accept', mediaTypes.dockerManifest)).status, 404);

    // A v2 client re-points "moved" at the other bridged manifest; deleting the v1 tag keeps it.
    assert.equal((await putTag(app, 'team/app', 'other', chain[0]!.id)).status, 200);
    const other = await v2Manifest(app, 'team/app', 'other');
    const put = await request(app).put('/v2/team/app/manifests/moved').set('Content-Type', mediaTypes.dockerManifest).send(other.bytes.toString());
    assert.equal(put.status, 201);
    assert.equal((await request(app).delete('/v1/repositories/team/app/tags/moved')).status, 200);
    assert.equal((await v2Manifest(app, 'team/app', 'moved')).digest, other.digest);
  });
});
