// The notifications decorator, through the v2 API: a manifest PUT or DELETE that succeeds sends
// one event with the target, the request, the authenticated actor and this registry as source;
// a failed one sends nothing; an endpoint that is down never fails or slows a request.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import request from 'supertest';
import { mediaTypes } from '@wharf/shared';
import type { AccessController } from '../../src/auth/controller.js';
import { registryConfigSchema } from '../../src/config/schema.js';
import { createRegistry, type Registry } from '../../src/server.js';
import { createMemoryDriver } from '../../src/storage/driver/memory/memory-driver.js';
import { pushImage, pushIndex, putManifest } from '../api/harness.js';
import { startReceiver, type Receiver } from './receiver.js';
import { fastTiming, faultyDriver } from './fixtures.js';
import type { StorageDriver } from '../../src/storage/driver/driver.js';

const name = 'team/app';
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

/** Grants everything and names the caller, as a token or htpasswd controller would. */
const asAlice: AccessController = { kind: 'test', authorize: async (_req, access) => ({ user: 'alice', access }) };

interface SetupOptions {
  auth?: AccessController;
  url?: string;
  threshold?: number;
  /** The storage (to restart a registry over the same one). */
  driver?: StorageDriver;
  metrics?: boolean;
}

async function setup(options: SetupOptions = {}): Promise<{ registry: Registry; receiver: Receiver }> {
  const receiver = await startReceiver();
  closers.push(() => receiver.close());
  const config = registryConfigSchema.parse({
    http: { metrics: options.metrics ?? false },
    log: { level: 'silent' },
    storage: { memory: {}, delete: { enabled: true }, uploadPurging: { enabled: false } },
    notifications: {
      endpoints: [{ name: 'index', url: options.url ?? receiver.url, headers: { Authorization: 'Bearer x' }, backoff: '10ms', threshold: options.threshold ?? 10 }],
    },
  });
  const registry = await createRegistry(config, {
    driver: options.driver ?? createMemoryDriver(),
    logger: pino({ level: 'silent' }),
    notificationTiming: fastTiming,
    ...(options.auth ? { auth: options.auth } : {}),
  });
  closers.push(() => registry.close());
  return { registry, receiver };
}

describe('manifest notifications', () => {
  it('a push by tag sends a push event with tag, references, request, actor and source', async () => {
    const { registry, receiver } = await setup({ auth: asAlice });
    const image = await pushImage(registry.app, name, { tag: 'v1', layers: ['one', 'two'] });
    const [event] = await receiver.waitForEvents(1);
    assert.ok(event);
    assert.equal(event.action, 'push');
    assert.deepEqual(event.actor, { name: 'alice' });
    const { url, ...target } = event.target;
    assert.deepEqual(target, {
      mediaType: mediaTypes.ociManifest,
      size: image.size,
      digest: image.digest,
      length: image.size,
      repository: name,
      tag: 'v1',
      references: [image.config, ...image.layers].map((b, i) => ({
        mediaType: i === 0 ? mediaTypes.ociConfig : mediaTypes.ociLayerGzip,
        digest: b.digest,
        size: b.size,
      })),
    });
    assert.match(url ?? '', new RegExp(`^http://127\\.0\\.0\\.1:\\d+/v2/${name}/manifests/${image.digest}$`));
    assert.equal(event.request.method, 'PUT');
    assert.equal(event.request.id, image.headers['x-request-id']);
    assert.match(event.request.addr, /^(::ffff:)?127\.0\.0\.1:\d+$/);
    assert.match(event.request.host, /^127\.0\.0\.1:\d+$/);
    assert.ok(event.source.instanceID.length > 0);
    assert.match(event.source.addr, /:5000$/);
    assert.ok(!Number.isNaN(Date.parse(event.timestamp)));
    assert.equal(receiver.events().length, 1, 'blob pushes send no events');
  });

  it('a push by digest has no tag; an index lists its child manifests, with their platforms, as references', async () => {
    const { registry, receiver } = await setup();
    const child = await pushImage(registry.app, name);
    const index = await pushIndex(registry.app, name, [child], { tag: 'multi' });
    const [first, second] = await receiver.waitForEvents(2);
    assert.equal(first!.target.tag, undefined);
    assert.equal(first!.target.digest, child.digest);
    assert.deepEqual(first!.actor, {}, 'anonymous under auth none');
    assert.equal(second!.target.tag, 'multi');
    assert.equal(second!.target.mediaType, mediaTypes.ociIndex);
    assert.deepEqual(second!.target.references, [{ mediaType: child.mediaType, digest: child.digest, size: child.size, platform: { architecture: 'amd64', os: 'linux' } }]);
    assert.equal(index.digest, second!.target.digest);
  });

  it('a rejected push sends nothing', async () => {
    const { registry, receiver } = await setup();
    const missing = { mediaType: mediaTypes.ociLayerGzip, digest: `sha256:${'b'.repeat(64)}`, size: 1 };
    const manifest = { schemaVersion: 2, mediaType: mediaTypes.ociManifest, config: missing, layers: [] };
    const res = await putManifest(registry.app, name, 'v1', manifest, mediaTypes.ociManifest);
    assert.equal(res.status, 400);
    await registry.close();
    assert.equal(receiver.requests.length, 0);
  });

  it('a delete by digest sends {repository, digest}; by tag {repository, tag}', async () => {
    const { registry, receiver } = await setup({ auth: asAlice });
    const kept = await pushImage(registry.app, name, { tag: 'keep', layers: ['k'] });
    const gone = await pushImage(registry.app, name, { tag: 'gone', layers: ['g'] });
    assert.equal((await request(registry.app).delete(`/v2/${name}/manifests/keep`)).status, 202);
    assert.equal((await request(registry.app).delete(`/v2/${name}/manifests/${gone.digest}`)).status, 202);
    const events = await receiver.waitForEvents(4);
    const [, , byTag, byDigest] = events;
    assert.equal(byTag!.action, 'delete');
    assert.deepEqual(byTag!.target, { repository: name, tag: 'keep' });
    assert.equal(byTag!.request.method, 'DELETE');
    assert.deepEqual(byTag!.actor, { name: 'alice' });
    assert.equal(byDigest!.action, 'delete');
    assert.deepEqual(byDigest!.target, { repository: name, digest: gone.digest });
    assert.notEqual(kept.digest, gone.digest);
  });

  it('a failed delete sends nothing', async () => {
    const { registry, receiver } = await setup();
    assert.equal((await request(registry.app).delete(`/v2/${name}/manifests/nope`)).status, 404);
    assert.equal((await request(registry.app).delete(`/v2/${name}/manifests/sha256:${'c'.repeat(64)}`)).status, 404);
    await registry.close();
    assert.equal(receiver.requests.length, 0);
  });

  it('an unreachable endpoint neither fails nor slows a push', async () => {
    const { registry } = await setup({ url: 'http://127.0.0.1:59/unreachable', threshold: 3 });
    const started = Date.now();
    await pushImage(registry.app, name, { tag: 'v1' });
    await pushImage(registry.app, name, { tag: 'v2', layers: ['other'] });
    assert.ok(Date.now() - started < 2000);
  });

  it('what is not delivered at close() is delivered by the next registry over the same storage, in order', async () => {
    const driver = createMemoryDriver();
    const { registry, receiver } = await setup({ driver });
    receiver.script = Array.from({ length: 1000 }, () => 503);
    for (const tag of ['a', 'b', 'c']) await pushImage(registry.app, name, { tag, layers: [tag] });
    await registry.close();
    assert.equal(receiver.events().length, 0);
    const next = await setup({ driver });
    const events = await next.receiver.waitForEvents(3);
    assert.deepEqual(events.map((e) => e.target.tag), ['a', 'b', 'c']);
  });

  it('a push whose event cannot be stored fails, though the manifest is stored', async () => {
    let broken = false;
    const memory = createMemoryDriver();
    const driver = faultyDriver(memory, { putContent: (path) => broken && path.startsWith('/wharf/') });
    const { registry } = await setup({ driver });
    const image = await pushImage(registry.app, name, { tag: 'ok' });
    broken = true;
    const res = await putManifest(registry.app, name, "again", image.bytes, image.mediaType);
    assert.equal(res.status, 500);
    broken = false;
    assert.equal((await request(registry.app).get(`/v2/${name}/manifests/again`).set('Accept', image.mediaType)).status, 200);
  });

  it('reports queue depth and delivery failures at /metrics', async () => {
    const { registry, receiver } = await setup({ metrics: true });
    receiver.script = [500, 500];
    await pushImage(registry.app, name, { tag: 'm' });
    await receiver.waitForEvents(1);
    const text = (await request(registry.app).get('/metrics')).text;
    assert.match(text, /^wharf_notification_queue_depth\{endpoint="index",service="registry"\} \d+$/m);
    assert.match(text, /^wharf_notification_delivery_failures_total\{endpoint="index",service="registry"\} 2$/m);
    assert.match(text, /^wharf_notification_events_delivered_total\{endpoint="index",service="registry"\} 1$/m);
    assert.match(text, /^wharf_notification_sender\{endpoint="index",service="registry"\} 1$/m);
  });
});
