// The config fetcher against a fake registry on loopback: the pull token it sends, the size cap,
// a blob that does not match its digest, a registry too slow to answer, and the cache by digest.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { digestOf } from '@wharf/shared';
import { ConfigFetcher, type ConfigFetcherOptions } from '../../src/images/config-fetcher.js';

const config = Buffer.from(
  JSON.stringify({
    architecture: 'arm64',
    os: 'linux',
    created: '2026-01-02T03:04:05Z',
    config: { Entrypoint: ['/bin/app'], Cmd: ['--serve'], Env: ['PATH=/usr/bin', 'MODE=<prod>'], ExposedPorts: { '8080/tcp': {} }, Labels: { team: 'web' }, WorkingDir: '/srv', User: 'app' },
    history: [{ created_by: 'ADD rootfs /' }, { created_by: 'ENV MODE=prod', empty_layer: true }],
    rootfs: { type: 'layers', diff_ids: [] },
  }),
);
const digest = digestOf(config);

interface Seen {
  url: string;
  authorization: string | undefined;
}

async function fakeRegistry(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url!, authorization: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function fetcher(url: string, options: Partial<ConfigFetcherOptions> = {}) {
  const tokensFor: string[] = [];
  const configs = new ConfigFetcher({
    registryUrl: url,
    pullToken: (repository) => (tokensFor.push(repository), `token-for-${repository}`),
    timeoutMs: 2000,
    maxBytes: 1024 * 1024,
    cacheEntries: 2,
    cacheBytes: 1024 * 1024,
    ...options,
  });
  return { configs, tokensFor };
}

const serve = (body: Buffer) => (_req: IncomingMessage, res: ServerResponse) => res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length }).end(body);

describe('the config fetcher', () => {
  it('reads the blob with a pull token for that repository and returns its fields', async () => {
    const registry = await fakeRegistry(serve(config));
    const { configs, tokensFor } = fetcher(registry.url);
    const result = await configs.fetch('alice/web', digest, config.length);
    assert.ok('config' in result, JSON.stringify(result));
    assert.equal(result.config.architecture, 'arm64');
    assert.deepEqual(result.config.entrypoint, ['/bin/app']);
    assert.deepEqual(result.config.env, ['PATH=/usr/bin', 'MODE=<prod>']);
    assert.deepEqual(result.config.exposedPorts, ['8080/tcp']);
    assert.deepEqual(result.config.labels, [['team', 'web']]);
    assert.deepEqual(result.config.history.map((h) => h.emptyLayer), [false, true]);
    assert.deepEqual(tokensFor, ['alice/web']);
    assert.deepEqual(registry.seen, [{ url: `/v2/alice/web/blobs/${digest}`, authorization: 'Bearer token-for-alice/web' }]);
  });

  it('caches by digest, bounded: a second read asks the registry nothing, an evicted one asks again', async () => {
    const others = [Buffer.from('{"os":"linux","architecture":"amd64"}'), Buffer.from('{"os":"linux","architecture":"s390x"}')];
    const blobs = new Map([config, ...others].map((b) => [digestOf(b), b]));
    const registry = await fakeRegistry((req, res) => serve(blobs.get(req.url!.split('/').pop()!)!)(req, res));
    const { configs } = fetcher(registry.url);
    await configs.fetch('alice/web', digest);
    await configs.fetch('alice/web', digest);
    assert.equal(registry.seen.length, 1);
    for (const other of others) assert.ok('config' in (await configs.fetch('alice/web', digestOf(other))));
    assert.equal(registry.seen.length, 3);
    await configs.fetch('alice/web', digest);
    assert.equal(registry.seen.length, 4, 'the oldest entry was evicted past two entries');
  });

  it('caches within its byte budget: large configs evict the oldest however few they are', async () => {
    // Three configs of ~400 KB of environment each (under the 1 MiB size cap) against a 1 MiB budget.
    const large = [0, 1, 2].map((n) => Buffer.from(JSON.stringify({ os: 'linux', config: { Env: Array.from({ length: 4000 }, (_, i) => `V${n}_${i}=`.padEnd(100, 'x')) } })));
    const blobs = new Map(large.map((b) => [digestOf(b), b]));
    const registry = await fakeRegistry((req, res) => serve(blobs.get(req.url!.split('/').pop()!)!)(req, res));
    const { configs } = fetcher(registry.url, { cacheEntries: 256 });
    for (const blob of large) assert.ok('config' in (await configs.fetch('alice/web', digestOf(blob))));
    await configs.fetch('alice/web', digestOf(large[0]!));
    assert.equal(registry.seen.length, 4, 'the first config was evicted for bytes');
  });

  it('refuses a config over the size cap, declared or streamed', async () => {
    const big = Buffer.from(JSON.stringify({ os: 'linux', pad: 'x'.repeat(4096) }));
    const registry = await fakeRegistry((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }); // chunked: no length declared
      res.end(big);
    });
    const { configs } = fetcher(registry.url, { maxBytes: 1024 });
    const declared = await configs.fetch('alice/web', digestOf(big), big.length);
    assert.match('unavailable' in declared ? declared.unavailable : '', /over the 1024-byte limit/);
    assert.equal(registry.seen.length, 0, 'a descriptor over the cap is not even requested');
    const streamed = await configs.fetch('alice/web', digestOf(big));
    assert.match('unavailable' in streamed ? streamed.unavailable : '', /over the 1024-byte limit/);
  });

  it('refuses a blob that does not match its digest, and does not cache it', async () => {
    const registry = await fakeRegistry(serve(Buffer.from('{"os":"evil"}')));
    const { configs } = fetcher(registry.url);
    for (let i = 0; i < 2; i++) {
      const result = await configs.fetch('alice/web', digest);
      assert.deepEqual(result, { unavailable: 'the config does not match its digest' });
    }
    assert.equal(registry.seen.length, 2);
  });

  it('gives up on a registry that does not answer in time, and reports a refusal', async () => {
    const slow = await fakeRegistry(() => undefined);
    const started = Date.now();
    const result = await fetcher(slow.url, { timeoutMs: 200 }).configs.fetch('alice/web', digest);
    assert.ok('unavailable' in result);
    assert.ok(Date.now() - started < 2000);
    const denied = await fakeRegistry((_req, res) => res.writeHead(401).end());
    assert.deepEqual(await fetcher(denied.url).configs.fetch('alice/web', digest), { unavailable: 'the registry answered 401' });
  });

  it('asks nothing when no token can be minted', async () => {
    const registry = await fakeRegistry(serve(config));
    const configs = new ConfigFetcher({ registryUrl: registry.url, pullToken: () => undefined, timeoutMs: 1000, maxBytes: 1024, cacheEntries: 1, cacheBytes: 1024 * 1024 });
    assert.ok('unavailable' in (await configs.fetch('alice/web', digest)));
    assert.equal(registry.seen.length, 0);
  });
});
