// A v1 push (and delete) client that makes Docker 1.5's calls, in its order, with its headers
// (docs/protocol-v1.md, "Sequences (Docker 1.5)"):
//
//   push:   [index GET /v2/ (must not claim registry/2.0), index GET /v1/_ping]
//           index PUT /v1/repositories/<r>/  Basic, X-Docker-Token: true, [{id,Tag}]  → token + endpoints
//           per image, parent first: registry GET /v1/images/<id>/json (200 = there, skip)
//             else PUT …/json, PUT …/layer (chunked, the bytes as built: gzip),
//                  PUT …/checksum with X-Docker-Checksum-Payload
//           registry PUT /v1/repositories/<r>/tags/<tag>  body "\"<id>\""
//           index PUT /v1/repositories/<r>/images  body []  → 204
//   delete: index DELETE /v1/repositories/<r>/ (202, delete token) → registry DELETE
//           /v1/repositories/<r>/ with it → index DELETE again (200)
//
// Every call is recorded (service, method, path, status) so a failure shows the whole exchange.
// The low-level calls are exported too, for tests that stop half-way or misuse a token.
import { basicAuth } from './json-api.js';
import type { V1Image } from './v1-images.js';

export interface V1Call {
  service: 'index' | 'registry';
  method: string;
  path: string;
  status: number;
}

export interface V1Response {
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
}

/** What the index handed out: the token (X-Docker-Token) and the registries to use. */
export interface V1Session {
  token: string;
  /** X-Docker-Endpoints as sent. */
  endpoints: string[];
  /** http://host:port of the first endpoint (bare host:port or a full URL alike). */
  registryUrl: string;
}

export class V1ProtocolError extends Error {
  constructor(
    message: string,
    readonly response: V1Response | undefined,
    readonly calls: V1Call[],
  ) {
    super(`${message}\n--- v1 calls so far ---\n${calls.map((c) => `${c.service} ${c.method} ${c.path} → ${c.status}`).join('\n')}`);
  }
}

export interface V1ClientOptions {
  /** http://127.0.0.1:PORT of the index. */
  indexUrl: string;
  /** "user:password" for the index's Basic auth; none for an anonymous client. */
  auth?: string | undefined;
  /** Per request (default 60 s). */
  timeoutMs?: number;
  /** The layer upload's chunk size (default 16 KiB). */
  chunkBytes?: number;
}

export type PushStep = 'json' | 'layer' | 'checksum';

export interface PushOptions {
  /** Stop (without error) once this step of this image has been answered: an interrupted push. */
  interruptAfter?: { imageId: string; step: PushStep };
}

export interface PushResult {
  session: V1Session;
  /** The image ids pushed, and those skipped because GET …/json answered 200 or PUT …/json 409. */
  pushed: string[];
  skipped: string[];
  interrupted: boolean;
  calls: V1Call[];
}

export interface DeleteResult {
  session: V1Session;
  registryStatus: number;
  finalIndexStatus: number;
  calls: V1Call[];
}

/**
 * The repository a v1 name means: one segment is library/<name>. The client itself sends names as
 * given, as Docker 1.5 does for a registry other than the Hub ("official" stays "official").
 */
export const v1Name = (name: string) => (name.includes('/') ? name : `library/${name}`);

/** http://host:port from an X-Docker-Endpoints entry ("host:port" or "http://host:port/v1/"). */
export function endpointUrl(entry: string): string {
  const trimmed = entry.trim();
  if (/^https?:\/\//.test(trimmed)) {
    const url = new URL(trimmed);
    return `${url.protocol}//${url.host}`;
  }
  return `http://${trimmed.replace(/\/.*$/, '')}`;
}

/** The token value of an X-Docker-Token header, or of a `WWW-Authenticate: Token …` challenge. */
export function tokenFrom(headers: Headers): string | undefined {
  const direct = headers.get('x-docker-token');
  if (direct) return direct;
  const challenge = headers.get('www-authenticate');
  const match = challenge ? /^Token\s+(.+)$/i.exec(challenge) : null;
  return match?.[1] && /signature/i.test(match[1]) ? match[1] : undefined;
}

/** The fields of a token value (signature, repository, access), parsed loosely like registries do. */
export function parseToken(token: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of token.split(',')) {
    const match = /^\s*([A-Za-z]+)\s*[=:]\s*"?([^"]*)"?\s*$/.exec(part);
    if (match?.[1]) fields[match[1].toLowerCase()] = match[2] ?? '';
  }
  return fields;
}

export class V1Client {
  readonly calls: V1Call[] = [];
  readonly indexUrl: string;
  readonly auth: string | undefined;
  private readonly timeoutMs: number;
  private readonly chunkBytes: number;

  constructor(opts: V1ClientOptions) {
    this.indexUrl = opts.indexUrl.replace(/\/+$/, '');
    this.auth = opts.auth;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.chunkBytes = opts.chunkBytes ?? 16 * 1024;
  }

  /** One HTTP call, recorded. `body` may be an async iterable (sent chunked). */
  async call(
    service: 'index' | 'registry',
    base: string,
    method: string,
    path: string,
    init: { headers?: Record<string, string>; body?: string | Buffer | AsyncIterable<Uint8Array> } = {},
  ): Promise<V1Response> {
    const streaming = init.body !== undefined && typeof init.body !== 'string' && !Buffer.isBuffer(init.body);
    const request: RequestInit & { duplex?: 'half' } = {
      method,
      headers: { 'user-agent': 'docker/1.5.0 go/go1.4.1 git-commit/a8a31ef kernel/3.13.0 os/linux arch/amd64', ...init.headers },
      body: (init.body ?? null) as RequestInit['body'],
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: 'manual',
    };
    if (streaming) request.duplex = 'half';
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, request);
    } catch (err) {
      this.calls.push({ service, method, path, status: -1 });
      throw new V1ProtocolError(`${service} ${method} ${path}: ${(err as Error).message}`, undefined, this.calls);
    }
    const body = Buffer.from(await res.arrayBuffer());
    this.calls.push({ service, method, path, status: res.status });
    return { status: res.status, headers: res.headers, body, text: body.toString('utf8') };
  }

  private expect(res: V1Response, statuses: number[], what: string): V1Response {
    if (!statuses.includes(res.status)) {
      throw new V1ProtocolError(`${what}: expected ${statuses.join('|')}, got ${res.status} ${res.text.slice(0, 500)}`, res, this.calls);
    }
    return res;
  }

  private indexHeaders(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.auth ? { authorization: basicAuth(this.auth) } : {}), ...extra };
  }

  index(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}): Promise<V1Response> {
    return this.call('index', this.indexUrl, method, path, { ...init, headers: this.indexHeaders(init.headers) });
  }

  /** A registry call with `Authorization: Token <token>` (none when token is undefined). */
  registry(session: Pick<V1Session, 'registryUrl'> & { token: string | undefined }, method: string, path: string, init: { headers?: Record<string, string>; body?: string | Buffer | AsyncIterable<Uint8Array> } = {}): Promise<V1Response> {
    const headers = { ...(session.token === undefined ? {} : { authorization: `Token ${session.token}` }), ...init.headers };
    return this.call('registry', session.registryUrl, method, path, { ...init, headers });
  }

  /** Docker 1.5's first calls: GET /v2/ on the index host must not make it switch to v2; then the v1 ping. */
  async probe(): Promise<void> {
    const v2 = await this.call('index', this.indexUrl, 'GET', '/v2/');
    if (/registry\/2\.0/.test(v2.headers.get('docker-distribution-api-version') ?? '')) {
      throw new V1ProtocolError('the index answers GET /v2/ as a v2 registry: Docker 1.5 would push and pull over v2 instead of v1', v2, this.calls);
    }
    this.expect(await this.call('index', this.indexUrl, 'GET', '/v1/_ping'), [200], 'index GET /v1/_ping');
  }

  private session(res: V1Response, what: string): V1Session {
    const token = tokenFrom(res.headers);
    const endpoints = (res.headers.get('x-docker-endpoints') ?? '').split(',').map((e) => e.trim()).filter(Boolean);
    if (!token) throw new V1ProtocolError(`${what}: no X-Docker-Token in the answer`, res, this.calls);
    if (endpoints.length === 0) throw new V1ProtocolError(`${what}: no X-Docker-Endpoints in the answer`, res, this.calls);
    return { token, endpoints, registryUrl: endpointUrl(endpoints[0]!) };
  }

  /** index PUT /v1/repositories/<r>/ (Basic, X-Docker-Token: true): the write token and endpoints. */
  async startPush(repository: string, images: { id: string; Tag?: string }[]): Promise<V1Session> {
    const path = `/v1/repositories/${repository}/`;
    const res = await this.index('PUT', path, { headers: { 'x-docker-token': 'true', 'content-type': 'application/json' }, body: JSON.stringify(images) });
    return this.session(this.expect(res, [200, 201], `index PUT ${path}`), `index PUT ${path}`);
  }

  /** index GET /v1/repositories/<r>/images (X-Docker-Token: true): a pull's token and endpoints. */
  async startPull(repository: string): Promise<{ session: V1Session; images: { id: string; checksum?: string }[] }> {
    const path = `/v1/repositories/${repository}/images`;
    const res = this.expect(await this.index('GET', path, { headers: { 'x-docker-token': 'true' } }), [200], `index GET ${path}`);
    return { session: this.session(res, `index GET ${path}`), images: JSON.parse(res.text) as { id: string; checksum?: string }[] };
  }

  getJson(session: V1Session, id: string): Promise<V1Response> {
    return this.registry(session, 'GET', `/v1/images/${id}/json`);
  }

  putJson(session: V1Session, image: V1Image): Promise<V1Response> {
    return this.registry(session, 'PUT', `/v1/images/${image.id}/json`, { headers: { 'content-type': 'application/json' }, body: image.json });
  }

  /** PUT …/layer, streamed in chunks (Transfer-Encoding: chunked), as Docker sends it. */
  putLayer(session: V1Session, image: V1Image): Promise<V1Response> {
    const { layer } = image;
    const size = this.chunkBytes;
    async function* chunks(): AsyncIterable<Uint8Array> {
      for (let at = 0; at < layer.length; at += size) yield layer.subarray(at, at + size);
    }
    return this.registry(session, 'PUT', `/v1/images/${image.id}/layer`, { headers: { 'content-type': 'application/octet-stream' }, body: chunks() });
  }

  /**
   * A PUT …/layer cut off after `bytes` bytes: the connection drops mid-upload (the client dies or
   * the network fails). Resolves with the call's error message once the request has failed.
   */
  async putLayerCutOff(session: V1Session, image: V1Image, bytes: number): Promise<string> {
    const { layer } = image;
    const size = this.chunkBytes;
    async function* chunks(): AsyncIterable<Uint8Array> {
      for (let at = 0; at < Math.min(bytes, layer.length); at += size) yield layer.subarray(at, Math.min(at + size, bytes));
      // Give the registry the bytes so far before the connection goes.
      await new Promise((resolve) => setTimeout(resolve, 200));
      throw new Error('upload cut off');
    }
    try {
      const res = await this.registry(session, 'PUT', `/v1/images/${image.id}/layer`, { headers: { 'content-type': 'application/octet-stream' }, body: chunks() });
      throw new V1ProtocolError(`a layer upload cut off after ${bytes} bytes was answered ${res.status} ${res.text}`, res, this.calls);
    } catch (err) {
      if (err instanceof V1ProtocolError && err.response) throw err;
      return (err as Error).message;
    }
  }

  putChecksum(session: V1Session, image: V1Image, payload = image.checksum): Promise<V1Response> {
    return this.registry(session, 'PUT', `/v1/images/${image.id}/checksum`, { headers: { 'x-docker-checksum-payload': payload } });
  }

  putTag(session: V1Session, repository: string, tag: string, id: string): Promise<V1Response> {
    return this.registry(session, 'PUT', `/v1/repositories/${repository}/tags/${tag}`, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(id) });
  }

  /** index PUT /v1/repositories/<r>/images with [] (what Docker 1.5 sends): must be 204. */
  async finishPush(repository: string, body: unknown[] = []): Promise<V1Response> {
    const path = `/v1/repositories/${repository}/images`;
    return this.expect(await this.index('PUT', path, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }), [204], `index PUT ${path}`);
  }

  /**
   * Pushes `images` (base first) and tags the last one `tag`, call for call as Docker 1.5 does.
   * With `interruptAfter`, stops right after that step (no tag, no final index call).
   */
  async push(repository: string, tag: string, images: V1Image[], opts: PushOptions = {}): Promise<PushResult> {
    await this.probe();
    const top = images[images.length - 1];
    if (!top) throw new Error('push: no images');
    const session = await this.startPush(repository, images.map((i) => (i === top ? { id: i.id, Tag: tag } : { id: i.id })));
    const pushed: string[] = [];
    const skipped: string[] = [];
    const stopAt = (image: V1Image, step: PushStep) => opts.interruptAfter?.imageId === image.id && opts.interruptAfter.step === step;
    for (const image of images) {
      const lookup = await this.getJson(session, image.id);
      if (lookup.status === 200) {
        skipped.push(image.id);
        continue;
      }
      const json = this.expect(await this.putJson(session, image), [200, 409], `registry PUT /v1/images/${image.id}/json`);
      if (json.status === 409) {
        skipped.push(image.id); // "Image already exists": Docker skips it
        continue;
      }
      if (stopAt(image, 'json')) return { session, pushed, skipped, interrupted: true, calls: this.calls };
      this.expect(await this.putLayer(session, image), [200], `registry PUT /v1/images/${image.id}/layer`);
      if (stopAt(image, 'layer')) return { session, pushed, skipped, interrupted: true, calls: this.calls };
      this.expect(await this.putChecksum(session, image), [200], `registry PUT /v1/images/${image.id}/checksum`);
      pushed.push(image.id);
      if (stopAt(image, 'checksum')) return { session, pushed, skipped, interrupted: true, calls: this.calls };
    }
    this.expect(await this.putTag(session, repository, tag, top.id), [200], `registry PUT /v1/repositories/${repository}/tags/${tag}`);
    await this.finishPush(repository);
    return { session, pushed, skipped, interrupted: false, calls: this.calls };
  }

  /** index DELETE (202 + delete token) → registry DELETE with it (200) → index DELETE (200). */
  async deleteRepository(repository: string): Promise<DeleteResult> {
    const path = `/v1/repositories/${repository}/`;
    const first = this.expect(await this.index('DELETE', path, { headers: { 'x-docker-token': 'true' } }), [202], `index DELETE ${path}`);
    const session = this.session(first, `index DELETE ${path}`);
    const registry = this.expect(await this.registry(session, 'DELETE', path), [200], `registry DELETE ${path}`);
    const last = this.expect(await this.index('DELETE', path, { headers: { 'x-docker-endpoints': session.endpoints.join(', ') } }), [200], `index DELETE ${path} (after the registry)`);
    return { session, registryStatus: registry.status, finalIndexStatus: last.status, calls: this.calls };
  }
}
