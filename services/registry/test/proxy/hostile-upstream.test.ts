// The pull-through cache against upstreams that misbehave: bodies that never end or stall, blobs
// longer than announced, redirects to another origin, token realms that are not http(s). Each
// must end in a clear error within the upstream timeout, store nothing, and send the configured
// credentials to no one but the upstream and the realm it names.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { assertError, raw } from '../api/harness.js';
import { buildProxy } from './harness.js';

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close();
});

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
}

/** A loopback server answering with `handle`; every request is recorded. */
async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void, host = '127.0.0.1'): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://${host}:${(server.address() as AddressInfo).port}`, seen };
}

const accept = 'application/vnd.oci.image.manifest.v1+json';
const content = Buffer.from('the genuine blob bytes, a few of them');
const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
const timeout = '1s';

describe('pull-through: an upstream that misbehaves', () => {
  it('refuses a manifest body that never ends (no Content-Length) instead of buffering it', async () => {
    const up = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': accept });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'], timeout }] });
    const res = await request(registry.app).get('/v2/library/app/manifests/v1').set('Accept', accept);
    assertError(res, 503, 'UNAVAILABLE');
    assert.match(res.body.errors[0].message, /exceeds the limit/);
  });

  it('gives up on a manifest body that stalls, within the timeout', async () => {
    const up = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': accept, 'Content-Length': '1000' });
      res.write('{"schemaVersion":2,');
    });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'], timeout }] });
    const started = Date.now();
    assertError(await request(registry.app).get('/v2/library/app/manifests/v1').set('Accept', accept), 503, 'UNAVAILABLE');
    assert.ok(Date.now() - started < 5_000, `answered after ${Date.now() - started} ms`);
  });

  it('cuts off a blob that stalls mid-way, stores nothing, and fetches it whole next time', async () => {
    let stall = true;
    const up = await serve((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(content.length) });
      if (req.method === 'HEAD') return void res.end();
      if (stall) return void res.write(content.subarray(0, 5));
      res.end(content);
    });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'], timeout }] });
    const started = Date.now();
    await assert.rejects(raw(request(registry.app).get(`/v2/library/app/blobs/${digest}`)).then((r) => r));
    assert.ok(Date.now() - started < 5_000, `cut after ${Date.now() - started} ms`);
    assert.equal(await registry.storage.blobs.statContent(digest), undefined);
    stall = false;
    const res = await raw(request(registry.app).get(`/v2/library/app/blobs/${digest}`));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, content);
  });

  it('refuses a blob longer than the upstream announced', async () => {
    const up = await serve((req, res) => {
      if (req.method === 'HEAD') return void res.writeHead(200, { 'Content-Length': String(content.length) }).end();
      // Chunked: no length announced with the body, which then runs past the HEAD's.
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.write(content);
      res.end(Buffer.alloc(1024 * 1024, 0x61));
    });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'], timeout }] });
    await assert.rejects(raw(request(registry.app).get(`/v2/library/app/blobs/${digest}`)).then((r) => r));
    assert.equal(await registry.storage.blobs.statContent(digest), undefined);
  });

  it('follows a blob redirect to another origin without the credentials, and verifies what it got', async () => {
    const user = 'mirror:mirror-password';
    const basic = `Basic ${Buffer.from(user).toString('base64')}`;
    // Another origin: "localhost" instead of "127.0.0.1".
    const storage = await serve((_req, res) => res.writeHead(200, { 'Content-Length': String(content.length) }).end(content), 'localhost');
    const up = await serve((req, res) => {
      if (req.headers.authorization !== basic) return void res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="up"' }).end();
      if (req.method === 'HEAD') return void res.writeHead(200, { 'Content-Length': String(content.length) }).end();
      res.writeHead(307, { Location: `${storage.url}/object?sig=1` }).end();
    });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'], username: 'mirror', password: 'mirror-password' }] });
    const res = await raw(request(registry.app).get(`/v2/library/app/blobs/${digest}`));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, content);
    assert.equal(storage.seen.length, 1);
    assert.equal(storage.seen[0]!.authorization, undefined, 'the credentials stay with the upstream');
    assert.ok(up.seen.some((r) => r.authorization === basic));
  });

  it('sends credentials to no token realm that is not http(s)', async () => {
    const up = await serve((_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="ftp://127.0.0.1/token",service="up"' }).end();
    });
    const { registry } = await buildProxy({ upstreams: [{ name: 'up', url: up.url, prefixes: ['library/'], username: 'mirror', password: 'mirror-password', timeout }] });
    const res = await request(registry.app).get('/v2/library/app/manifests/v1').set('Accept', accept);
    assertError(res, 503, 'UNAVAILABLE');
    assert.match(res.body.errors[0].message, /token realm over ftp: refused/);
    assert.ok(up.seen.every((r) => r.authorization === undefined));
  });
});
