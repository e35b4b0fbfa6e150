// Calls to the index's JSON API (and anything else that answers JSON) as a given user, for the
// e2e helpers and tests: `api` never throws on a status, so a test can assert a refusal;
// `apiOk` throws with the answer and the server's log tail, so a failed setup step says why.

export interface ApiResult<T = unknown> {
  status: number;
  /** The parsed JSON, or the text when the answer is not JSON, or undefined when it is empty. */
  body: T;
  text: string;
}

/** "user:secret" (a password or a personal access token) or nothing for an anonymous call. */
export type Credentials = string | undefined;

export interface ApiCallOptions {
  auth?: Credentials;
  /** Sent as JSON. */
  body?: unknown;
}

export interface ApiOkOptions extends ApiCallOptions {
  /** The statuses that count as success (default 200, 201, 204). */
  expect?: number[];
}

export interface JsonApi {
  api<T = unknown>(method: string, path: string, opts?: ApiCallOptions): Promise<ApiResult<T>>;
  apiOk<T = unknown>(method: string, path: string, opts?: ApiOkOptions): Promise<T>;
}

/** Basic credentials for "user:password". */
export const basicAuth = (auth: string) => `Basic ${Buffer.from(auth).toString('base64')}`;

/** JSON calls to paths under baseUrl; apiOk's errors end with the tail of the server's output. */
export function jsonApi(baseUrl: string, server: { name: string; logs(): string }): JsonApi {
  const api = async <T>(method: string, path: string, opts: ApiCallOptions = {}): Promise<ApiResult<T>> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.auth) headers.authorization = basicAuth(opts.auth);
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: body as T, text };
  };
  const apiOk = async <T>(method: string, path: string, opts: ApiOkOptions = {}): Promise<T> => {
    const res = await api<T>(method, path, opts);
    const expect = opts.expect ?? [200, 201, 204];
    if (!expect.includes(res.status)) {
      const who = opts.auth ? ` as ${opts.auth.split(':')[0]}` : ' anonymously';
      throw new Error(`${method} ${path}${who}: expected ${expect.join('|')}, got ${res.status} ${res.text}\n--- ${server.name} (tail) ---\n${server.logs().slice(-3000)}`);
    }
    return res.body;
  };
  return { api, apiOk };
}
