// A stand-in for the index's side of v1 token validation (docs/protocol-v1.md, index routes), on
// 127.0.0.1:0: it issues tokens, answers the registry's validation calls as the real index must,
// and records every call so tests can count them.
//   GET /v1/repositories/<r>/images   200 for a read/write token of <r>, or with no token for a
//                                     public <r>; else 401
//   PUT /v1/repositories/<r>/auth     200 for a delete token of <r>; else 403
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatV1Token, normalizeV1Name, v1TokenFromHeader, type V1Access } from '@wharf/shared';

export interface IndexCall {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface FakeIndex {
  url: string;
  calls: IndexCall[];
  /** A fresh token; the Authorization header value a client would send. */
  issue(repository: string, access: V1Access): string;
  /** Makes a token unknown to the index from now on. */
  revoke(authorization: string): void;
  setPublic(repository: string, isPublic?: boolean): void;
  /** Answer every call with this status (e.g. 500) until set back to undefined. */
  failWith: number | undefined;
  close(): Promise<void>;
}

export async function startFakeIndex(): Promise<FakeIndex> {
  const signatures = new Map<string, { repository: string; access: V1Access }>();
  const publicRepositories = new Set<string>();
  const index: FakeIndex = {
    url: '',
    calls: [],
    failWith: undefined,
    issue(repository, access) {
      const signature = randomBytes(16).toString('hex');
      signatures.set(signature, { repository, access });
      return `Token ${formatV1Token({ signature, repository, access })}`;
    },
    revoke(authorization) {
      const token = v1TokenFromHeader(authorization);
      if (token) signatures.delete(token.signature);
    },
    setPublic(repository, isPublic = true) {
      if (isPublic) publicRepositories.add(repository);
      else publicRepositories.delete(repository);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const valid = (authorization: string | undefined, repository: string, accesses: V1Access[]): boolean => {
    const token = v1TokenFromHeader(authorization);
    const known = token ? signatures.get(token.signature) : undefined;
    return !!token && !!known && known.repository === repository && normalizeV1Name(token.repository) === repository && accesses.includes(known.access);
  };

  const server = createServer((req, res) => {
    const authorization = req.headers.authorization;
    const path = req.url ?? '';
    index.calls.push({ method: req.method ?? '', path, authorization });
    req.resume();
    if (index.failWith !== undefined) return void res.writeHead(index.failWith).end();
    const images = /^\/v1\/repositories\/([^/]+\/[^/]+)\/images$/.exec(path);
    if (images && req.method === 'GET') {
      const repository = images[1]!;
      const ok = authorization ? valid(authorization, repository, ['read', 'write']) : publicRepositories.has(repository);
      return void res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' }).end(ok ? '[]' : '"Requires authorization"');
    }
    const auth = /^\/v1\/repositories\/([^/]+\/[^/]+)\/auth$/.exec(path);
    if (auth && req.method === 'PUT') {
      const ok = valid(authorization, auth[1]!, ['delete']);
      return void res.writeHead(ok ? 200 : 403, { 'Content-Type': 'application/json' }).end(ok ? '"OK"' : '"Forbidden"');
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  index.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return index;
}
