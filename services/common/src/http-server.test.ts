// The shared listen code: TLS settings that cannot work stop start-up with a message naming the
// option; service URLs follow the TLS setting.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
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
