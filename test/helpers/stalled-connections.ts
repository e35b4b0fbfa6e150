// The slow-client attack: many connections that send half a request and then nothing, from
// loopback source addresses other than 127.0.0.1 (all of 127.0.0.0/8 is loopback on Linux), so a
// normal client on 127.0.0.1 is a different peer, as it would be on a real network.
import { connect, type Socket } from 'node:net';
import { request } from 'node:http';

export interface StalledConnections {
  /** Sockets the server has not closed yet. */
  open(): number;
  /** How long each closed socket stayed open, in ms, by kind. */
  lifetimes: { headers: number[]; body: number[] };
  close(): void;
}

export interface StallOptions {
  port: number;
  count: number;
  /** Source addresses 127.0.0.2 .. 127.0.0.(1 + addresses). */
  addresses: number;
  /** A request whose body the server reads (path and content type). */
  bodyPath: string;
  bodyType: string;
}

/** Opens `count` connections, alternately stalled in the headers and in the body. */
export async function openStalledConnections(opts: StallOptions): Promise<StalledConnections> {
  const live = new Set<Socket>();
  const lifetimes = { headers: [] as number[], body: [] as number[] };
  const openOne = (i: number) =>
    new Promise<void>((resolve) => {
      const kind = i % 2 === 0 ? 'headers' : 'body';
      const opened = Date.now();
      const socket = connect({ port: opts.port, host: '127.0.0.1', localAddress: `127.0.0.${2 + (i % opts.addresses)}` });
      live.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        live.delete(socket);
        lifetimes[kind].push(Date.now() - opened);
        resolve();
      });
      socket.on('connect', () => {
        socket.write(
          kind === 'headers'
            ? 'GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Stalled: '
            : `POST ${opts.bodyPath} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${opts.bodyType}\r\nContent-Length: 100000\r\n\r\n{"a":`,
        );
        resolve();
      });
    });
  // In batches, so the listen backlog is not the bottleneck being measured.
  for (let i = 0; i < opts.count; i += 200) {
    await Promise.all(Array.from({ length: Math.min(200, opts.count - i) }, (_, j) => openOne(i + j)));
  }
  return {
    open: () => live.size,
    lifetimes,
    close: () => live.forEach((socket) => socket.destroy()),
  };
}

/** One GET on a fresh connection from 127.0.0.1: status and milliseconds, or the error. */
export function timedGet(url: string, timeoutMs: number): Promise<{ status: number; ms: number } | { error: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const req = request(url, { agent: false, localAddress: '127.0.0.1', timeout: timeoutMs }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - started }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ error: err.message, ms: Date.now() - started }));
    req.end();
  });
}
