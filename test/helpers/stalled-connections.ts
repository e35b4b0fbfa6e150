// Slow-loris clients: connections that send the start of a request (half the headers, or the
// headers and part of a body) and then nothing, from other loopback source addresses
// (127.0.0.2, ...) so per-address limits see them as other clients than the test's own. Used by
// the soak test (a fixed number, left open) and the bench's "under attack" workload (kept at a
// count: reopened as the server closes them).
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface StalledOptions {
  host: string;
  port: number;
  count: number;
  /** What each connection sends before it stalls; connection i sends prefixes[i % length]. */
  prefixes: Buffer[];
  /** Source addresses, used in turn (default 127.0.0.2 to 127.0.0.9). */
  sourceAddresses?: string[];
  /** Open a new connection (after reopenDelayMs) whenever the server closes one. */
  reopen?: boolean;
  reopenDelayMs?: number;
}

export interface StalledConnections {
  /** Connections open right now. */
  open(): number;
  /** Connections the server closed (or refused) so far. */
  closedByServer(): number;
  /** Connections opened so far, reopened ones included. */
  opened(): number;
  /** Destroys every connection; nothing is reopened after this. */
  close(): void;
}

export const defaultSourceAddresses = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);

/** The first half of a request's headers: the server waits for the rest. */
export function halfHeaders(path: string): Buffer {
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: stalled\r\nUser-Agent: stalled-client\r\nX-Waiting: `);
}

/** Whole headers announcing `length` body bytes, then the first `sent` of them. */
export function halfBody(method: string, path: string, headers: Record<string, string>, length: number, sent: number): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: stalled', `Content-Length: ${length}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), Buffer.alloc(sent, 0x7b)]);
}

/** Opens the connections in batches (so the listen backlog never overflows); resolves once all were tried. */
export async function openStalled(opts: StalledOptions): Promise<StalledConnections> {
  const sources = opts.sourceAddresses ?? defaultSourceAddresses;
  const sockets = new Set<Socket>();
  let closing = false;
  let closed = 0;
  let opened = 0;
  const timers = new Set<NodeJS.Timeout>();

  const openOne = (i: number) =>
    new Promise<void>((resolve) => {
      opened++;
      const socket = connect({ host: opts.host, port: opts.port, localAddress: sources[i % sources.length] });
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.once('connect', () => {
        socket.write(opts.prefixes[i % opts.prefixes.length]!);
        resolve();
      });
      // Whatever the server answers (a 408, a 400) is read and dropped; we never send more.
      socket.on('data', () => undefined);
      socket.on('error', () => undefined);
      socket.once('close', () => {
        sockets.delete(socket);
        resolve();
        if (closing) return;
        closed++;
        if (!opts.reopen) return;
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!closing) void openOne(i);
        }, opts.reopenDelayMs ?? 100);
        timers.add(timer);
      });
    });

  const batch = 100;
  for (let i = 0; i < opts.count; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, opts.count - i) }, (_, j) => openOne(i + j)));
  }
  return {
    open: () => sockets.size,
    closedByServer: () => closed,
    opened: () => opened,
    close() {
      closing = true;
      timers.forEach(clearTimeout);
      timers.clear();
      sockets.forEach((s) => s.destroy());
      sockets.clear();
    },
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
