// A client for the upstream index this one is chained to: its search (GET /v1/search, Docker
// Hub's v1 shape, which any index answers) and its repository API (GET /api/repositories/<name>,
// a Wharf index's JSON API). It sends only the configured upstream account's credentials, never
// the local caller's.
import { isRepositoryName } from '@wharf/shared';
import type { SearchPage, SearchQuery } from '../search/search.js';

export interface UpstreamIndexOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  timeoutMs: number;
}

export class UpstreamIndexError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'UpstreamIndexError';
  }
}

/** An upstream answer larger than this is not a search page or a repository: refused unread. */
const maxAnswerBytes = 4 * 1024 * 1024;

/** The JSON body, read up to maxAnswerBytes (the request's deadline covers the read too). */
async function readJson(res: Response): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxAnswerBytes) throw new UpstreamIndexError(`upstream index answer exceeds ${maxAnswerBytes} bytes`);
      chunks.push(Buffer.from(chunk));
    }
    return JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
  } catch (err) {
    await res.body?.cancel().catch(() => undefined);
    if (err instanceof UpstreamIndexError) throw err;
    throw new UpstreamIndexError(`upstream index answer unreadable (${(err as Error).message})`);
  }
}

export class UpstreamIndex {
  readonly url: string;

  constructor(private readonly options: UpstreamIndexOptions) {
    this.url = options.url.replace(/\/+$/, '');
  }

  async search(query: SearchQuery): Promise<SearchPage> {
    const params = new URLSearchParams({ q: query.q, n: String(query.n), page: String(query.page) });
    const res = await this.get(`/v1/search?${params}`);
    if (!res.ok) {
      await res.body?.cancel();
      throw new UpstreamIndexError(`upstream index answered ${res.status} to a search`, res.status);
    }
    return (await readJson(res)) as SearchPage;
  }

  /** The upstream's view of the repository, or undefined when the upstream does not show it. */
  async repository(name: string): Promise<Record<string, unknown> | undefined> {
    if (!isRepositoryName(name)) throw new UpstreamIndexError(`not a repository name: ${JSON.stringify(name)}`);
    const res = await this.get(`/api/repositories/${name}`);
    if (res.status === 404 || res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new UpstreamIndexError(`upstream index answered ${res.status} to a repository lookup`, res.status);
    }
    const body: unknown = await readJson(res);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new UpstreamIndexError('upstream index sent no repository object');
    return body as Record<string, unknown>;
  }

  private async get(path: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.options.username && this.options.password) {
      headers.Authorization = `Basic ${Buffer.from(`${this.options.username}:${this.options.password}`).toString('base64')}`;
    }
    try {
      return await fetch(`${this.url}${path}`, { headers, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      throw new UpstreamIndexError(`upstream index unreachable (${(err as Error).message}${cause})`);
    }
  }
}
