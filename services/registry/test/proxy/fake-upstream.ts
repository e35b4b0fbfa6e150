// An upstream registry for the proxy tests: a real Wharf registry (memory driver) behind a
// loopback HTTP server that records every request, can require Bearer tokens from its own token
// endpoint (token.md's dance; repositories under private/ only for the configured user) or Basic
// credentials, can tamper with blob bytes, and can go down (connections are cut).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildRegistry } from '../api/harness.js';
import type { Express } from 'express';

export interface SeenRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface FakeUpstreamOptions {
  auth?: 'bearer' | 'basic';
  /** The one account the upstream knows. */
  user?: { username: string; password: string };
  /** Token lifetime the token endpoint states (expires_in). */
  tokenSeconds?: number;
  /** Answer the referrers API with 404, as a registry without it (Distribution 2.8). */
  noReferrersApi?: boolean;
}

export interface FakeUpstream {
  url: string;
  /** The upstream registry's app, for pushing content with the API harness. */
  app: Express;
  requests: SeenRequest[];
  tokenRequests: SeenRequest[];
  /** Requests for /v2 paths matching the pattern and method. */
  count(method: string, pattern: RegExp): number;
  down: boolean;
  /** Bytes served instead of the blob with this digest. */
  tampered: Map<string, Buffer>;
  close(): Promise<void>;
}

function basicUser(header: string | undefined): string | undefined {
  const match = /^Basic (.+)$/.exec(header ?? '');
  return match ? Buffer.from(match[1]!, 'base64').toString('utf8') : undefined;
}

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const { app } = await buildRegistry();
  const user = options.user ? `${options.user.username}:${options.user.password}` : undefined;
  const state = { down: false };
  const tampered = new Map<string, Buffer>();
  const requests: SeenRequest[] = [];
  const tokenRequests: SeenRequest[] = [];
  let url = '';

  /** Whether the request may go on; otherwise the 401 has been sent. */
  const authorized = (req: IncomingMessage, res: import('node:http').ServerResponse, path: string): boolean => {
    if (path === '/v2/' || path === '/v2') return true;
    const name = /^\/v2\/(.+?)\/(?:manifests|blobs|tags|referrers)\//.exec(path)?.[1] ?? '';
    const isPrivate = name.startsWith('private/');
    const header = req.headers.authorization;
    if (options.auth === 'basic') {
      if (basicUser(header) === user) return true;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"', 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"no"}]}');
      return false;
    }
    const token = /^Bearer tok\|(anon|user)\|(.+)$/.exec(header ?? '');
    if (token && token[2] === `repository:${name}:pull` && (!isPrivate || token[1] === 'user')) return true;
    const challenge = `Bearer realm="${url}/token",service="fake-upstream",scope="repository:${name}:pull"`;
    res.writeHead(401, { 'WWW-Authenticate': challenge, 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"token required"}]}');
    return false;
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    const seen = { method: req.method ?? '', path, authorization: req.headers.authorization };
    if (state.down) {
      req.socket.destroy();
      return;
    }
    if (path === '/token') {
      tokenRequests.push(seen);
      const scope = new URL(req.url ?? '', 'http://x').searchParams.get('scope') ?? '';
      const given = basicUser(req.headers.authorization);
      if (given !== undefined && given !== user) {
        res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"bad credentials"}');
        return;
      }
      const body = { token: `tok|${given ? 'user' : 'anon'}|${scope}`, expires_in: options.tokenSeconds ?? 300 };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    requests.push(seen);
    if (options.auth && !authorized(req, res, path)) return;
    if (options.noReferrersApi && /^\/v2\/.+\/referrers\//.test(path)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found\n');
      return;
    }
    const forged = req.method === 'GET' ? tampered.get(path.slice(path.lastIndexOf('/') + 1)) : undefined;
    if (forged) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(forged.length) }).end(forged);
      return;
    }
    app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    app,
    requests,
    tokenRequests,
    count: (method, pattern) => requests.filter((r) => r.method === method && pattern.test(r.path)).length,
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    tampered,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
