// An HTTP forwarder on a free loopback port that records every request before passing it to a
// target (which can change, e.g. after an upstream restart): how tests count what an upstream
// was asked. With no target it answers nothing (connections are cut), like a stopped upstream.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ForwardedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface CountingForwarder {
  url: string;
  /** host:port of the forwarder. */
  host: string;
  requests: ForwardedRequest[];
  /** Requests with this method whose path matches. */
  count(method: string, pattern: RegExp): number;
  /** http://host:port to forward to, or undefined to drop every connection. */
  target: string | undefined;
  close(): Promise<void>;
}

export async function startCountingForwarder(target: string | undefined): Promise<CountingForwarder> {
  const state = { target };
  const requests: ForwardedRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: (req.url ?? '').split('?')[0]!, authorization: req.headers.authorization });
    if (!state.target) {
      req.socket.destroy();
      return;
    }
    const to = new URL(req.url ?? '/', state.target);
    const upstream = httpRequest(to, { method: req.method, headers: { ...req.headers, host: to.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${host}`,
    host,
    requests,
    count: (method, pattern) => requests.filter((r) => r.method === method && pattern.test(r.path)).length,
    get target() {
      return state.target;
    },
    set target(value: string | undefined) {
      state.target = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
