// The npm docker-registry-client's v1 half (createClientV1, loginV1, pingIndexV1) as promises,
// with its bunyan logging silenced. Remember its quirk (docs/protocol-v1.md): credentials and the
// token go only to the index's host:port, never to a registry on another port.
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import drc from 'docker-registry-client';

const require = createRequire(import.meta.url);
/** bunyan as the client itself resolves it (a dependency of the client, not of Wharf). */
const bunyan = createRequire(require.resolve('docker-registry-client'))('bunyan') as {
  createLogger(opts: { name: string; level: string }): unknown;
};
const quiet = () => bunyan.createLogger({ name: 'drc-v1', level: 'fatal' });

export type ClientError = Error & { statusCode?: number; body?: unknown };

function settle<T>(fn: (cb: (err: ClientError | null, result: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('docker-registry-client: no answer within 60 s')), 60_000);
    fn((err, result) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(result);
    });
  });
}

export interface DrcV1 {
  raw: drc.RegistryClientV1;
  ping(): Promise<unknown>;
  search(term: string): Promise<drc.SearchResults>;
  listRepoImgs(): Promise<{ id: string; checksum?: string }[]>;
  listRepoTags(): Promise<Record<string, string>>;
  getImgId(tag: string): Promise<string>;
  getImgAncestry(imgId: string): Promise<string[]>;
  getImgJson(imgId: string): Promise<Record<string, unknown>>;
  /** The whole layer and the response headers. */
  getImgLayer(imgId: string): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>;
  close(): void;
}

/** A v1 client for "<indexHost>/<name>" (http for 127.0.0.1, as the client decides itself). */
export function drcV1(indexHost: string, name: string, credentials?: { username: string; password: string }): DrcV1 {
  const raw = drc.createClientV1({ name: `${indexHost}/${name}`, log: quiet(), ...(credentials ?? {}) });
  return {
    raw,
    ping: () => settle((cb) => raw.ping((err, body) => cb(err, body))),
    search: (term) => settle((cb) => raw.search({ term }, (err, r) => cb(err, r))),
    listRepoImgs: () => settle((cb) => raw.listRepoImgs((err, r) => cb(err, r))),
    listRepoTags: () => settle((cb) => raw.listRepoTags((err, r) => cb(err, r))),
    getImgId: (tag) => settle((cb) => raw.getImgId({ tag }, (err, r) => cb(err, r))),
    getImgAncestry: (imgId) => settle((cb) => raw.getImgAncestry({ imgId }, (err, r) => cb(err, r))),
    getImgJson: (imgId) => settle((cb) => raw.getImgJson({ imgId }, (err, r) => cb(err, r))),
    getImgLayer: (imgId) =>
      settle((cb) =>
        raw.getImgLayerStream({ imgId }, (err, stream) => {
          if (err) return cb(err, undefined as never);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.once('error', (e) => cb(e, undefined as never));
          stream.once('end', () => cb(null, { status: stream.statusCode ?? 0, headers: stream.headers, body: Buffer.concat(chunks) }));
          stream.resume();
        }),
      ),
    close: () => raw.close(),
  };
}

/** loginV1: POST /v1/users/ then, for an existing account, GET /v1/users/ with Basic. */
export function loginV1(indexUrl: string, username: string, password: string): Promise<{ status: string }> {
  return settle((cb) => drc.loginV1({ index: indexUrl, username, password, email: `${username}@example.test`, log: quiet() }, (err, r) => cb(err, r)));
}

/** pingIndexV1: GET /v1/_ping on the index. */
export function pingIndexV1(indexUrl: string): Promise<unknown> {
  return settle((cb) => drc.pingIndexV1({ indexName: indexUrl, log: quiet() }, (err, body) => cb(err, body)));
}
