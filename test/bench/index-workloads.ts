// The index's workloads, as the load-generator process runs them: setting up accounts and
// repositories through the JSON API, and a closed-loop load on the token server and search that,
// unlike http-load.ts's `load` (which only checks the status), reads every response body and
// verifies it: a token with the expected granted scope, or a search page with the expected number
// of results. Both run http-load.ts's `closedLoop`.
import { Agent, request, type OutgoingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { closedLoop, expectStatus, send, type LoadResult, type LoopOptions, type Target } from './http-load.js';

export interface IndexRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: OutgoingHttpHeaders;
  /** A small body (a form or JSON document). */
  body?: string;
  /** This request's own check, instead of the phase's. */
  check?: IndexCheck;
}

/** What a successful response must contain. */
export type IndexCheck =
  | { kind: 'token'; scope: string; refreshToken?: boolean }
  | { kind: 'search'; numResults: number; pageSize: number };

export interface IndexLoadOptions extends LoopOptions {
  /** The same request every time ... */
  request?: IndexRequest;
  /** ... or each of these once, in order: the phase ends when they are used up (or at the deadline). */
  requests?: IndexRequest[];
  check: IndexCheck;
  /** Per-request inactivity timeout. */
  timeoutMs?: number;
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

const json = { 'content-type': 'application/json' };

function reply(target: Target, agent: Agent, r: IndexRequest, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { ...r.headers };
    if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body));
    const req = request({ host: target.host, port: target.port, method: r.method, path: r.path, headers, agent });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.end(r.body);
  });
}

/** Undefined when the response is what `check` asks for, else what is wrong. */
export function verify(check: IndexCheck, status: number, body: string): string | undefined {
  if (status !== 200) return `HTTP ${status}, expected 200: ${body.slice(0, 200)}`;
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return `response is not JSON: ${body.slice(0, 200)}`;
  }
  if (check.kind === 'token') {
    if (typeof doc.token !== 'string' || doc.token.split('.').length !== 3) return 'no token (a JWT) in the response';
    if (doc.scope !== check.scope) return `granted scope ${JSON.stringify(doc.scope)}, expected ${JSON.stringify(check.scope)}`;
    if (check.refreshToken && typeof doc.refresh_token !== 'string') return 'no refresh_token in the response';
    return undefined;
  }
  const results = doc.results;
  if (!Array.isArray(results)) return 'no results array in the response';
  if (doc.num_results !== check.numResults) return `num_results ${String(doc.num_results)}, expected ${check.numResults}`;
  const expected = Math.min(check.pageSize, check.numResults);
  if (results.length !== expected) return `${results.length} results on the page, expected ${expected}`;
  return undefined;
}

/** Closed-loop load on `concurrency` keep-alive connections; bounded by time, count and errors. */
export async function indexLoad(target: Target, options: IndexLoadOptions): Promise<LoadResult> {
  if (!options.request === !options.requests) throw new Error('indexLoad: give request or requests');
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  const timeoutMs = options.timeoutMs ?? 10_000;
  const list = options.requests;
  const nth = (i: number) => (list ? list[i]! : options.request!);
  try {
    return await closedLoop(
      {
        ...options,
        // A list is used up once: there is nothing to warm up with.
        warmupMs: list ? 0 : options.warmupMs,
        maxRequests: Math.min(options.maxRequests, list?.length ?? Infinity),
      },
      (i) => reply(target, agent, nth(i), timeoutMs),
      ({ status, body }, i) => verify(nth(i).check ?? options.check, status, body),
    );
  } finally {
    agent.destroy();
  }
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

export interface IndexSetupArgs {
  target: Target;
  username: string;
  password: string;
  /** Repositories <username>/app0 … app<N-1>, even-numbered ones public. */
  repoCount: number;
}

export interface IndexSetup {
  publicRepository: string;
  seconds: number;
}

/** The bench user's repositories: one public for anonymous pulls, N for search. */
export async function indexSetup(args: IndexSetupArgs): Promise<IndexSetup> {
  const t0 = performance.now();
  const { target } = args;
  const auth = basic(args.username, args.password);
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  try {
    const create = async (name: string, visibility: 'public' | 'private') => {
      const body = Buffer.from(JSON.stringify({ name, visibility }));
      expectStatus(await send(target, { method: 'POST', path: '/api/repositories', headers: { ...json, authorization: auth }, body, agent }), 201, `POST /api/repositories ${name}`);
    };
    const publicRepository = `${args.username}/public`;
    await create(publicRepository, 'public');
    await pool(args.repoCount, 8, (i) => create(`${args.username}/app${i}`, i % 2 === 0 ? 'public' : 'private'));
    return { publicRepository, seconds: (performance.now() - t0) / 1000 };
  } finally {
    agent.destroy();
  }
}

export interface TokenArgs {
  target: Target;
  username: string;
  password: string;
  service: string;
  scope: string;
}

function tokenPath(args: TokenArgs, extra = ''): string {
  return `/token?service=${encodeURIComponent(args.service)}&scope=${encodeURIComponent(args.scope)}${extra}`;
}

/** A refresh token, as `docker login` obtains one: GET /token?offline_token=true&client_id=bench with Basic. */
export async function indexRefreshToken(args: TokenArgs): Promise<string> {
  const got = expectStatus(
    await send(args.target, { method: 'GET', path: tokenPath(args, '&offline_token=true&client_id=bench'), headers: { authorization: basic(args.username, args.password) } }),
    200,
    'GET /token offline_token=true',
  );
  const refreshToken = (JSON.parse(got.body.toString('utf8')) as { refresh_token?: unknown }).refresh_token;
  if (typeof refreshToken !== 'string') throw new Error(`GET /token offline_token=true: no refresh_token in ${got.body.toString('utf8').slice(0, 300)}`);
  return refreshToken;
}

/**
 * Makes the index's 60 s password-cache entry for the account fresh: sets the same password again
 * (PATCH /api/user re-hashes it with a new salt, which invalidates the entry, and revokes the
 * account's refresh tokens), then sends `burst` token requests with Basic credentials at once,
 * each on its own connection. Returns when the last is answered: with burst > 1 that measures a
 * cache miss under concurrency (every request that finds no entry runs bcrypt).
 */
export async function indexPrime(args: TokenArgs & { burst: number }): Promise<{ wallMs: number; maxMs: number }> {
  const auth = basic(args.username, args.password);
  const body = Buffer.from(JSON.stringify({ password: args.password }));
  expectStatus(await send(args.target, { method: 'PATCH', path: '/api/user', headers: { ...json, authorization: auth }, body }), 200, 'PATCH /api/user (same password)');
  const t0 = performance.now();
  const latencies = await Promise.all(
    Array.from({ length: args.burst }, async () => {
      const t = performance.now();
      const reply = await send(args.target, { method: 'GET', path: tokenPath(args), headers: { authorization: auth } });
      const problem = verify({ kind: 'token', scope: args.scope }, reply.status, reply.body.toString('utf8'));
      if (problem) throw new Error(`token request after the password reset: ${problem}`);
      return performance.now() - t;
    }),
  );
  return { wallMs: performance.now() - t0, maxMs: Math.max(...latencies) };
}

/** Signs up `count` accounts <prefix>0 … through POST /api/users, all with `password`. */
export async function indexCreateUsers(args: { target: Target; prefix: string; count: number; password: string; concurrency: number }): Promise<{ usernames: string[]; seconds: number }> {
  const t0 = performance.now();
  const agent = new Agent({ keepAlive: true, maxSockets: args.concurrency });
  const usernames = Array.from({ length: args.count }, (_, i) => `${args.prefix}${i}`);
  try {
    await pool(args.count, args.concurrency, async (i) => {
      const username = usernames[i]!;
      const body = Buffer.from(JSON.stringify({ username, email: `${username}@bench.invalid`, password: args.password }));
      expectStatus(await send(args.target, { method: 'POST', path: '/api/users', headers: json, body, agent }), 201, `POST /api/users ${username}`);
    });
    return { usernames, seconds: (performance.now() - t0) / 1000 };
  } finally {
    agent.destroy();
  }
}
