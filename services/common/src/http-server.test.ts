// The shared listen code: TLS settings that cannot work stop start-up with a message naming the
// option; service URLs follow the TLS setting.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestListener } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { peerKey } from './connection-cap.js';
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
    const server = await startHttpServer((req, res) => req.resume().on('end', () => res.end('complete')), '127.0.0.1', 0, { requestTimeoutMs: 1_000 });
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

/** A raw connection from `localAddress`: what it received and when the server closed it. */
function rawClient(port: number, head: string, localAddress = '127.0.0.1') {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => undefined);
  const opened = Date.now();
  const closed = new Promise<{ received: string; ms: number }>((resolve) => socket.on('close', () => resolve({ received, ms: Date.now() - opened })));
  socket.write(head);
  return { socket, closed };
}

const within = (ms: number, low: number, high: number, what: string) => assert.ok(ms >= low && ms < high, `${what} after ${ms} ms`);

describe('startHttpServer slow clients', () => {
  const upload: RequestListener = (req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length)).on('end', () => res.end(`got ${bytes}`));
  };

  it('closes a connection whose request head stalls, at the header timeout', async () => {
    const server = await startHttpServer(upload, '127.0.0.1', 0, { headerTimeoutMs: 1_000, idleTimeoutMs: 60_000 });
    try {
      const client = rawClient(server.address.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      const timer = setInterval(() => client.socket.write('a'), 200);
      const { ms } = await client.closed;
      clearInterval(timer);
      within(ms, 900, 2_500, 'a head still trickling in was closed');
    } finally {
      await server.close();
    }
  });

  it('cuts a body that stops arriving for the idle timeout, though no total limit is set', async () => {
    const server = await startHttpServer(upload, '127.0.0.1', 0, { idleTimeoutMs: 1_000, requestTimeoutMs: 0 });
    try {
      const client = rawClient(server.address.port, 'PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nx');
      setTimeout(() => client.socket.destroy(), 8_000).unref();
      const { received, ms } = await client.closed;
      assert.equal(received, '');
      within(ms, 900, 2_500, 'a stalled body was cut');
    } finally {
      await server.close();
    }
  });

  it('lets an upload that keeps sending run past the idle timeout, and a slow answer be worked out', async () => {
    // The handler thinks for twice the idle timeout after the body, as a big blob's digest does.
    const slowAnswer: RequestListener = (req, res) => req.resume().on('end', () => setTimeout(() => res.end('done'), 1_200));
    const server = await startHttpServer(slowAnswer, '127.0.0.1', 0, { idleTimeoutMs: 600 });
    try {
      const client = rawClient(server.address.port, 'PUT /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 8\r\n\r\n');
      for (let i = 0; i < 8; i++) {
        await sleep(300);
        client.socket.write('x');
      }
      const { received, ms } = await client.closed;
      assert.match(received, /^HTTP\/1\.1 200[\s\S]*done$/);
      assert.ok(ms >= 3_500, `answered after ${ms} ms`);
    } finally {
      await server.close();
    }
  });

  it('keeps sending a download to a client that reads slowly but steadily', async () => {
    const body = Buffer.alloc(8 * 1024 * 1024, 'x');
    const server = await startHttpServer((_req, res) => res.end(body), '127.0.0.1', 0, { idleTimeoutMs: 500 });
    try {
      const bytes = await new Promise<number>((resolve, reject) => {
        const socket = connect(server.address.port, '127.0.0.1');
        let total = 0;
        socket.on('data', (chunk: Buffer) => {
          total += chunk.length;
          // Reads in bursts with pauses shorter than the idle timeout: about 2 s in all.
          socket.pause();
          setTimeout(() => socket.resume(), 5);
        });
        socket.on('close', () => resolve(total)).on('error', reject);
        socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      });
      assert.ok(bytes > body.length, `received ${bytes} bytes`);
    } finally {
      await server.close();
    }
  });
});

describe('startHttpServer connection cap', () => {
  it('refuses connections over one address\'s share and over the cap, and serves other addresses', async () => {
    const server = await startHttpServer((_req, res) => res.end('ok'), '127.0.0.1', 0, { maxConnections: 10, perAddressShare: 0.3 });
    const held: ReturnType<typeof rawClient>[] = [];
    try {
      // 127.0.0.2 may hold three; the fourth is closed at once.
      for (let i = 0; i < 4; i++) held.push(rawClient(server.address.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-A: ', '127.0.0.2'));
      const refused = await held[3]!.closed;
      assert.ok(refused.ms < 500, `refused after ${refused.ms} ms`);
      assert.equal(refused.received, '');
      const other = rawClient(server.address.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', '127.0.0.9');
      assert.match((await other.closed).received, /^HTTP\/1\.1 200/);
      // Three addresses hold nine; the tenth connection fits, the eleventh does not.
      for (const address of ['127.0.0.3', '127.0.0.4']) {
        for (let i = 0; i < 3; i++) held.push(rawClient(server.address.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-A: ', address));
      }
      held.push(rawClient(server.address.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-A: ', '127.0.0.5'));
      await sleep(200);
      const over = rawClient(server.address.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', '127.0.0.6');
      assert.equal((await over.closed).received, '');
    } finally {
      held.forEach((client) => client.socket.destroy());
      await server.close();
    }
  });
});

describe('peerKey', () => {
  it('counts IPv4 (also mapped) by address and IPv6 by /64', () => {
    assert.equal(peerKey('10.1.2.3'), '10.1.2.3');
    assert.equal(peerKey('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(peerKey('2001:db8:0:1::5'), '2001:db8:0:1::/64');
    assert.equal(peerKey('2001:0db8:0000:0001:ffff::1'), '2001:db8:0:1::/64');
    assert.equal(peerKey('::1'), '0:0:0:0::/64');
  });
});
