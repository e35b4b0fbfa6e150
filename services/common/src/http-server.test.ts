// The shared listen code: TLS settings that cannot work stop start-up with a message naming the
// option; service URLs follow the TLS setting.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { serviceUrl, startHttpServer } from './http-server.js';

describe('startHttpServer with TLS', () => {
  it('refuses to start when a PEM file cannot be read, naming the option and the path', async () => {
    const tls = { certificate: '/nonexistent/wharf.crt', key: '/nonexistent/wharf.key', minVersion: '1.2' as const, reloadInterval: '1m' };
    await assert.rejects(startHttpServer(() => undefined, '127.0.0.1', 0, {}, tls), /^Error: http\.tls\.certificate: cannot read \/nonexistent\/wharf\.crt: ENOENT/);
  });

  it('starts plain http without TLS settings', async () => {
    const server = await startHttpServer((_req, res) => res.end('ok'), '127.0.0.1', 0);
    try {
      assert.equal(server.scheme, 'http');
      const res = await fetch(`http://127.0.0.1:${server.address.port}/`);
      assert.equal(await res.text(), 'ok');
    } finally {
      await server.close();
    }
  });
});

describe('serviceUrl', () => {
  it('is http:// or https:// by the TLS setting, unless a public URL is configured', () => {
    const tls = { certificate: 'c', key: 'k', minVersion: '1.2' as const, reloadInterval: '1m' };
    assert.equal(serviceUrl({ addr: '127.0.0.1:5001' }), 'http://127.0.0.1:5001');
    assert.equal(serviceUrl({ addr: '127.0.0.1:5001', tls }), 'https://127.0.0.1:5001');
    assert.equal(serviceUrl({ addr: '0.0.0.0:5001', tls, publicUrl: 'https://index.example.com/' }), 'https://index.example.com');
  });
});

describe('startHttpServer requestTimeout', () => {
  it('cuts off a request whose body stalls, within about the timeout (not at node\'s 30 s sweep)', async () => {
    // The handler waits for the whole body, as an upload does.
    const server = await startHttpServer((req, res) => req.resume().on('end', () => res.end('complete')), '127.0.0.1', 0, { requestTimeout: 1_000 });
    try {
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(server.address.port, '127.0.0.1');
        let received = '';
        socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
        socket.on('close', () => resolve(received)).on('error', reject);
        // Ten bytes announced, one sent, then nothing.
        socket.write('PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nx');
        setTimeout(() => socket.destroy(new Error('not cut off within 8 s')), 8_000).unref();
      });
      const elapsed = Date.now() - started;
      assert.match(answer, /^HTTP\/1\.1 408/, `answered ${JSON.stringify(answer.slice(0, 40))}`);
      assert.ok(elapsed >= 900 && elapsed < 4_000, `cut off after ${elapsed} ms`);
    } finally {
      await server.close();
    }
  });
});
