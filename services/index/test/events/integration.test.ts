// Checksums back to the index, end to end in one process: a registry whose notification endpoint
// is a listening index. A manifest pushed to the registry shows up in the index within a second,
// and so does its deletion.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import request from 'supertest';
import { digestOf, mediaTypes } from '@wharf/shared';
import { createMemoryDriver, createRegistry, registryConfigSchema, type AccessController, type Registry } from '@wharf/registry';
import type { Index } from '../../src/index.js';
import { signUp } from '../api/harness.js';
import { indexWithEvents, secret } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

/** What a token controller grants alice: everything asked, under her name. */
const asAlice: AccessController = { kind: 'test', authorize: async (_req, access) => ({ user: 'alice', access }) };

async function stack(): Promise<{ index: Index; registry: Registry }> {
  const index = await indexWithEvents();
  closers.push(() => index.close());
  const { port } = await index.listen(0, '127.0.0.1');
  const config = registryConfigSchema.parse({
    log: { level: 'silent' },
    storage: { memory: {}, delete: { enabled: true }, uploadPurging: { enabled: false } },
    notifications: {
      endpoints: [{ name: 'index', url: `http://127.0.0.1:${port}/events`, headers: { Authorization: `Bearer ${secret}` }, backoff: '50ms' }],
    },
  });
  const registry = await createRegistry(config, { driver: createMemoryDriver(), logger: pino({ level: 'silent' }), auth: asAlice });
  closers.push(() => registry.close());
  return { index, registry };
}

async function pushBlob(registry: Registry, name: string, content: string): Promise<{ digest: string; size: number }> {
  const bytes = Buffer.from(content);
  const digest = digestOf(bytes);
  const res = await request(registry.app).post(`/v2/${name}/blobs/uploads/?digest=${digest}`).set('Content-Type', 'application/octet-stream').send(bytes);
  assert.equal(res.status, 201);
  return { digest, size: bytes.length };
}

/** Polls until the check passes, for at most a second. */
async function within1s(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 1000;
  while (!check()) {
    assert.ok(Date.now() < deadline, `${what} not seen by the index within 1s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('registry → index events', () => {
  it('a push to the registry is recorded by the index within 1s, and so is a tag delete', async () => {
    const { index, registry } = await stack();
    await signUp(index, 'alice');
    const name = 'alice/web';
    const config = await pushBlob(registry, name, '{"architecture":"amd64","os":"linux"}');
    const layer = await pushBlob(registry, name, 'layer bytes');
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: mediaTypes.ociManifest,
        config: { mediaType: mediaTypes.ociConfig, ...config },
        layers: [{ mediaType: mediaTypes.ociLayerGzip, ...layer }],
      }),
    );
    const put = await request(registry.app)
      .put(`/v2/${name}/manifests/1.0`)
      .set('Content-Type', mediaTypes.ociManifest)
      .serialize((b: unknown) => b as string)
      .send(manifest);
    assert.equal(put.status, 201);
    const digest = put.headers['docker-content-digest'] as string;

    const tags = () => {
      const repo = index.store.repositories.byName(name);
      return repo ? index.store.images.tags(repo.id) : [];
    };
    await within1s(() => tags().some((t) => t.tag === '1.0'), 'the pushed tag');
    const [tag] = tags();
    assert.equal(tag?.digest, digest);
    assert.equal(tag?.size, manifest.length);
    assert.deepEqual(tag?.layers, [config.digest, layer.digest]);
    assert.equal(tag?.pushedBy, 'alice');
    assert.equal(index.store.repositories.byName(name)?.visibility, 'private');

    assert.equal((await request(registry.app).delete(`/v2/${name}/manifests/1.0`)).status, 202);
    await within1s(() => tags().length === 0, 'the tag delete');
    const repo = index.store.repositories.byName(name)!;
    assert.equal(index.store.images.manifest(repo.id, digest)?.digest, digest, 'the manifest stays, as in the registry');
  });
});
