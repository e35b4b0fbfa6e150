// A v2 client for one upstream registry (the pull side of the Docker registry API). It speaks for
// this registry, never for the local caller: requests carry only the upstream's own credentials
// (a configured token, Basic credentials when the upstream asks for Basic, or a bearer token
// from the upstream's token server obtained anonymously or with the configured credentials —
// token.md's challenge → token → retry dance), so a local user's Authorization cannot leak.
import { Readable, Transform } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { checkDescriptor, manifestMediaTypes, mediaTypes, type Descriptor } from '@wharf/shared';
import { parseChallenge } from './challenge.js';
import { TokenCache } from './token-cache.js';

export interface UpstreamOptions {
  name: string;
  /** Base URL, without /v2. */
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  token?: string | undefined;
  /** Time allowed until the response headers arrive. */
  timeoutMs: number;
}

/** Why an upstream request did not give what was asked. */
export type UpstreamFailure = 'unreachable' | 'not-found' | 'denied' | 'failed';

export class UpstreamError extends Error {
  constructor(
    readonly failure: UpstreamFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

export function isUpstreamError(err: unknown, ...failures: UpstreamFailure[]): err is UpstreamError {
  return err instanceof UpstreamError && (failures.length === 0 || failures.includes(err.failure));
}

export interface ManifestHead {
  digest: string | undefined;
  mediaType: string | undefined;
}

export interface FetchedManifest {
  content: Buffer;
  mediaType: string;
  /** Docker-Content-Digest as the upstream stated it. */
  digest: string | undefined;
}

export interface FetchedBlob {
  body: Readable;
  size: number | undefined;
}

const acceptManifests = manifestMediaTypes.join(', ');
/** Tag list pages followed at most (a Link header per page). */
const maxTagPages = 20;
/** JSON answers (a tag list page, a token) larger than this are refused: they are not real. */
const maxJsonBytes = 4 * 1024 * 1024;

/** A descriptor the shared manifest rules accept (the same ones a pushed index must meet). */
function isDescriptor(value: unknown): value is Descriptor {
  try {
    checkDescriptor(value, 'referrer');
    return true;
  } catch {
    return false;
  }
}

/** A response and the means to cut it off (the body's deadline aborts the request). */
interface Answer {
  res: Response;
  controller: AbortController;
}

function pullScope(remote: string): string {
  return `repository:${remote}:pull`;
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

export class UpstreamClient {
  readonly name: string;
  private readonly base: string;
  private readonly tokens = new TokenCache();
  /** The token server the upstream sent us to last; asked before each request once known. */
  private tokenServer: { realm: string; service: string | undefined } | undefined;
  /** The upstream asked for Basic credentials (an htpasswd registry). */
  private wantsBasic = false;

  constructor(private readonly options: UpstreamOptions) {
    this.name = options.name;
    this.base = options.url.replace(/\/+$/, '');
  }

  /** How long the upstream may keep us waiting (for headers, or between two chunks of a body). */
  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /** Where this upstream lives, for messages (no credentials: the URL holds none). */
  get url(): string {
    return this.base;
  }

  async headManifest(remote: string, reference: string): Promise<ManifestHead> {
    const { res } = await this.send('HEAD', `/v2/${remote}/manifests/${reference}`, remote, { Accept: acceptManifests });
    await res.body?.cancel();
    return { digest: res.headers.get('docker-content-digest') ?? undefined, mediaType: res.headers.get('content-type') ?? undefined };
  }

  async getManifest(remote: string, reference: string, maxBytes: number): Promise<FetchedManifest> {
    const answer = await this.send('GET', `/v2/${remote}/manifests/${reference}`, remote, { Accept: acceptManifests });
    const { res } = answer;
    const content = await this.readBody(answer, maxBytes, 'manifest');
    return {
      content,
      mediaType: (res.headers.get('content-type') ?? '').split(';')[0]!.trim(),
      digest: res.headers.get('docker-content-digest') ?? undefined,
    };
  }

  /** The blob's size, as the upstream's HEAD states it. */
  async headBlob(remote: string, digest: string): Promise<number> {
    const { res } = await this.send('HEAD', `/v2/${remote}/blobs/${digest}`, remote, {});
    await res.body?.cancel();
    const size = Number(res.headers.get('content-length'));
    if (!Number.isSafeInteger(size) || size < 0) throw new UpstreamError('failed', `upstream ${this.name}: blob HEAD without a Content-Length`);
    return size;
  }

  /**
   * The blob's bytes as a stream (redirects to object storage are followed; see fetch()). The
   * stream fails when the upstream sends more than `maxBytes` (the size its HEAD stated) or
   * stalls for the timeout between two chunks, so a fill never hangs or grows without bound.
   */
  async getBlob(remote: string, digest: string, maxBytes: number): Promise<FetchedBlob> {
    const answer = await this.send('GET', `/v2/${remote}/blobs/${digest}`, remote, {});
    const { res } = answer;
    const length = res.headers.get('content-length');
    if (length !== null && Number(length) > maxBytes) {
      answer.controller.abort();
      throw new UpstreamError('failed', `upstream ${this.name}: blob ${digest} of ${length} bytes, ${maxBytes} announced`);
    }
    const source = res.body ? Readable.fromWeb(res.body as WebReadableStream<Uint8Array>) : Readable.from([]);
    const body = source.pipe(this.guard(answer.controller, maxBytes, `blob ${digest}`));
    source.on('error', (err) => body.destroy(this.bodyFailure(answer.controller, err)));
    // A reader that stops early (an error, a cancelled fill) closes the upstream connection too.
    body.on('close', () => source.destroy());
    return { body, size: length === null ? undefined : Number(length) };
  }

  /**
   * The referrers of `digest` as the upstream lists them (OCI referrers API), or undefined when
   * the upstream answers 404: it has no referrers API, and clients fall back to the tag schema.
   * Descriptors that are not well formed are dropped rather than passed on.
   */
  async listReferrers(remote: string, digest: string): Promise<Descriptor[] | undefined> {
    let answer: Answer;
    try {
      answer = await this.send('GET', `/v2/${remote}/referrers/${digest}`, remote, { Accept: mediaTypes.ociIndex });
    } catch (err) {
      if (isUpstreamError(err, 'not-found')) return undefined;
      throw err;
    }
    const body = this.parseJson(await this.readBody(answer, maxJsonBytes, 'referrers index')) as { manifests?: unknown };
    if (!Array.isArray(body.manifests)) throw new UpstreamError('failed', `upstream ${this.name} sent a referrers answer without a manifests list`);
    return body.manifests.filter(isDescriptor);
  }

  /** Every tag of the repository, following the upstream's pagination (a bounded number of pages). */
  async listTags(remote: string): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${remote}/tags/list?n=1000`;
    for (let page = 0; path && page < maxTagPages; page++) {
      const answer = await this.send('GET', path, remote, { Accept: 'application/json' });
      const { res } = answer;
      const body = this.parseJson(await this.readBody(answer, maxJsonBytes, 'tag list')) as { tags?: unknown };
      if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === 'string'));
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(res.headers.get('link') ?? '')?.[1];
      path = next ? new URL(next, `${this.base}/`).pathname + new URL(next, `${this.base}/`).search : undefined;
    }
    return [...new Set(tags)].sort();
  }

  /**
   * One request, authenticated as the upstream wants: with a known token server the token comes
   * first; a 401 teaches the challenge and the request is retried once. Failures are typed.
   */
  private async send(method: string, path: string, remote: string, headers: Record<string, string>): Promise<Answer> {
    const scope = pullScope(remote);
    let authorization = await this.authorization(scope);
    let answer = await this.fetch(method, path, { ...headers, ...(authorization ? { Authorization: authorization } : {}) });
    let res = answer.res;
    if (res.status === 401 && !this.options.token) {
      await res.body?.cancel();
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      if (challenge?.scheme === 'bearer' && challenge.params.realm) {
        if (this.tokenServer) this.tokens.forget(this.tokenKey(scope));
        this.tokenServer = { realm: this.checkRealm(challenge.params.realm), service: challenge.params.service };
        authorization = await this.authorization(scope);
      } else if (challenge?.scheme === 'basic' && this.options.username && this.options.password) {
        this.wantsBasic = true;
        authorization = basic(this.options.username, this.options.password);
      } else {
        throw new UpstreamError('denied', `upstream ${this.name} requires authentication it cannot be given (${challenge?.scheme ?? 'no challenge'})`, 401);
      }
      answer = await this.fetch(method, path, { ...headers, ...(authorization ? { Authorization: authorization } : {}) });
      res = answer.res;
    }
    if (res.ok) return answer;
    await res.body?.cancel();
    const what = `upstream ${this.name}: ${method} ${path} answered ${res.status}`;
    if (res.status === 404) throw new UpstreamError('not-found', what, 404);
    if (res.status === 401 || res.status === 403) throw new UpstreamError('denied', what, res.status);
    if (res.status === 429 || res.status >= 500) throw new UpstreamError('unreachable', what, res.status);
    throw new UpstreamError('failed', what, res.status);
  }

  private tokenKey(scope: string): string {
    return `${this.tokenServer?.realm ?? ''} ${this.tokenServer?.service ?? ''} ${scope}`;
  }

  private async authorization(scope: string): Promise<string | undefined> {
    if (this.options.token) return `Bearer ${this.options.token}`;
    if (this.wantsBasic && this.options.username && this.options.password) return basic(this.options.username, this.options.password);
    if (!this.tokenServer) return undefined;
    const server = this.tokenServer;
    const token = await this.tokens.obtain(this.tokenKey(scope), () => this.fetchToken(server.realm, server.service, scope));
    return `Bearer ${token}`;
  }

  /** GET <realm>?service=&scope= (token.md), with Basic credentials when configured. */
  private async fetchToken(realm: string, service: string | undefined, scope: string): Promise<{ token: string; expiresIn?: number }> {
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.options.username && this.options.password) headers.Authorization = basic(this.options.username, this.options.password);
    const answer = await this.fetch('GET', url.href, headers);
    const { res } = answer;
    if (!res.ok) {
      await res.body?.cancel();
      const failure = res.status === 401 || res.status === 403 ? 'denied' : res.status >= 500 ? 'unreachable' : 'failed';
      throw new UpstreamError(failure, `upstream ${this.name}: token server answered ${res.status}`, res.status);
    }
    const body = (this.parseJson(await this.readBody(answer, maxJsonBytes, 'token answer'), {}) ?? {}) as { token?: unknown; access_token?: unknown; expires_in?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) throw new UpstreamError('failed', `upstream ${this.name}: token server sent no token`);
    return { token, ...(typeof body.expires_in === 'number' && body.expires_in > 0 ? { expiresIn: body.expires_in } : {}) };
  }

  /**
   * Where credentials may go: the realm the upstream names (Docker Hub's is on another host than
   * its registry), over http(s) only, and never over plain http when the upstream is https (that
   * would send the configured password in clear on the upstream's say-so).
   */
  private checkRealm(realm: string): string {
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new UpstreamError('failed', `upstream ${this.name} names a token realm that is not a URL`);
    }
    const upstreamTls = new URL(this.base).protocol === 'https:';
    if (url.protocol !== 'https:' && (url.protocol !== 'http:' || upstreamTls)) {
      throw new UpstreamError('failed', `upstream ${this.name} names a token realm over ${url.protocol.replace(':', '')}: refused (credentials go over https only when the upstream is https)`);
    }
    return url.href;
  }

  /**
   * fetch with a deadline on the response headers; a connection failure is 'unreachable'.
   * Redirects are followed (blobs live in object storage on other hosts); fetch drops the
   * Authorization header when a redirect leaves the origin, so credentials stay with the host
   * they are meant for. Bodies get deadlines of their own (readBody, guard).
   */
  private async fetch(method: string, pathOrUrl: string, headers: Record<string, string>): Promise<Answer> {
    const url = pathOrUrl.startsWith('/') ? `${this.base}${pathOrUrl}` : pathOrUrl;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    try {
      return { res: await fetch(url, { method, headers, signal: controller.signal, redirect: 'follow' }), controller };
    } catch (err) {
      throw this.bodyFailure(controller, err);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A request or body read that failed: the deadline, or the connection. */
  private bodyFailure(controller: AbortController, err: unknown): UpstreamError {
    if (err instanceof UpstreamError) return err;
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    const reason = controller.signal.aborted ? `no answer within ${this.options.timeoutMs} ms` : `${(err as Error).message}${cause}`;
    return new UpstreamError('unreachable', `upstream ${this.name} unreachable (${reason})`);
  }

  /** A small body, whole: at most maxBytes, read within the timeout. */
  private async readBody({ res, controller }: Answer, maxBytes: number, what: string): Promise<Buffer> {
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > maxBytes) {
      controller.abort();
      throw new UpstreamError('failed', `upstream ${this.name}: ${what} of ${declared} bytes exceeds the limit of ${maxBytes}`);
    }
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
        size += chunk.length;
        if (size > maxBytes) {
          controller.abort();
          throw new UpstreamError('failed', `upstream ${this.name}: ${what} exceeds the limit of ${maxBytes} bytes`);
        }
        chunks.push(Buffer.from(chunk));
      }
    } catch (err) {
      throw this.bodyFailure(controller, err);
    } finally {
      clearTimeout(timer);
    }
    return Buffer.concat(chunks, size);
  }

  private parseJson(bytes: Buffer, fallback?: unknown): unknown {
    try {
      return JSON.parse(bytes.toString('utf8'));
    } catch {
      if (fallback !== undefined) return fallback;
      throw new UpstreamError('failed', `upstream ${this.name} sent JSON that does not parse`);
    }
  }

  /** Passes a streamed body on, failing it past maxBytes or after the timeout without a chunk. */
  private guard(controller: AbortController, maxBytes: number, what: string): Transform {
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    };
    arm();
    const name = this.name;
    return new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (size > maxBytes) {
          clearTimeout(timer);
          controller.abort();
          callback(new UpstreamError('failed', `upstream ${name}: ${what} is longer than the ${maxBytes} bytes announced`));
          return;
        }
        arm();
        callback(null, chunk);
      },
      flush(callback) {
        clearTimeout(timer);
        callback();
      },
      destroy(err, callback) {
        clearTimeout(timer);
        callback(err);
      },
    });
  }
}
