// HTTP client helpers for the benchmark, on node:http only: one request with a streamed body, a
// streamed download, and a bounded closed-loop load generator (N keep-alive connections, each
// issuing its next request when the previous one completes; stops at a deadline AND at a maximum
// request count, and gives up after too many errors).
import { createHash } from 'node:crypto';
import { Agent, request, type ClientRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface Target {
  host: string;
  port: number;
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RequestOptions {
  method: string;
  /** Path with query, or an absolute URL on the same host (as Distribution's Location is). */
  path: string;
  headers?: OutgoingHttpHeaders;
  /** A whole body, or blocks streamed with backpressure (Content-Length must then be set). */
  body?: Buffer | Iterable<Buffer>;
  agent?: Agent | false;
  /** Inactivity timeout of the socket, ms. */
  timeoutMs?: number;
  /** Response bodies longer than this are cut off (they are only error documents here). */
  maxBody?: number;
}

/** Location headers may be absolute (Distribution) or relative (Wharf): returns path + query. */
export function pathOf(location: string | undefined, what: string): string {
  if (!location) throw new Error(`${what}: response has no Location`);
  const url = new URL(location, 'http://placeholder');
  return url.pathname + url.search;
}

export function withQuery(path: string, key: string, value: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(value)}`;
}

/** Resolves on 'drain', or on 'close' (a server that answers early and hangs up must not leave us waiting). */
function drained(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}

/** One request; resolves when the whole response has arrived. */
export function send(target: Target, options: RequestOptions): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const path = options.path.startsWith('http') ? pathOf(options.path, 'request') : options.path;
    const headers: OutgoingHttpHeaders = { ...options.headers };
    if (Buffer.isBuffer(options.body)) headers['content-length'] = String(options.body.length);
    else if (options.body === undefined && options.method !== 'GET' && options.method !== 'HEAD') headers['content-length'] ??= '0';
    const req = request({
      host: target.host,
      port: target.port,
      method: options.method,
      path,
      headers,
      agent: options.agent ?? false,
    });
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(err);
    };
    req.setTimeout(options.timeoutMs ?? 60_000, () => fail(new Error(`${options.method} ${path}: timed out`)));
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let length = 0;
      const max = options.maxBody ?? 1024 * 1024;
      res.on('data', (chunk: Buffer) => {
        if (length < max) chunks.push(chunk);
        length += chunk.length;
      });
      res.on('error', fail);
      res.on('end', () => {
        if (settled) return;
        settled = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    const body = options.body;
    if (body === undefined || Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    void (async () => {
      try {
        for (const block of body) {
          if (settled || req.destroyed) return;
          if (!req.write(block) && !req.destroyed) await drained(req);
        }
        if (settled || req.destroyed) return;
        req.end();
      } catch (err) {
        fail(err as Error);
      }
    })();
  });
}

export function expectStatus(reply: Reply, expected: number, what: string): Reply {
  if (reply.status !== expected) {
    const detail = reply.body.toString('utf8').slice(0, 300);
    throw new Error(`${what}: HTTP ${reply.status}, expected ${expected}: ${detail}`);
  }
  return reply;
}

export interface Download {
  status: number;
  bytes: number;
  digest: string;
  header: string | undefined;
}

/** GET a blob, hashing and discarding it as it arrives. */
export function download(target: Target, path: string, timeoutMs = 60_000): Promise<Download> {
  return new Promise<Download>((resolve, reject) => {
    const req = request({ host: target.host, port: target.port, method: 'GET', path, agent: false });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`GET ${path}: timed out`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          bytes,
          digest: `sha256:${hash.digest('hex')}`,
          header: res.headers['docker-content-digest'] as string | undefined,
        }),
      );
    });
    req.end();
  });
}

export interface LoadOptions extends LoopOptions {
  method: 'GET' | 'HEAD';
  path: string;
  headers?: OutgoingHttpHeaders;
  expectedStatus: number;
  /** Per-request inactivity timeout. */
  timeoutMs?: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  firstError?: string;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The load generator's own CPU time over the measured period, as % of one core. */
  clientCpuPercent: number;
}

function oneRequest(target: Target, agent: Agent, options: LoadOptions): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = request({ host: target.host, port: target.port, method: options.method, path: options.path, headers: options.headers, agent });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.on('response', (res) => {
      res.on('error', reject);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.resume();
    });
    req.end();
  });
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

export interface LoopOptions {
  concurrency: number;
  durationMs: number;
  /** Not measured; run first (on the same connections, if `send` uses a keep-alive agent). */
  warmupMs: number;
  /** At most this many requests are measured, and at most this many are sent to warm up. */
  maxRequests: number;
  /** Stop early after this many failed requests (default 100). */
  maxErrors?: number;
}

/**
 * The closed loop every load phase runs: `concurrency` workers, each sending its next request when
 * the previous one is answered, until the deadline, `maxRequests` or `maxErrors`. `send(i)` makes
 * request i of the phase (rejecting on a transport error); only its time is measured, then
 * `check(answer, i)` says what is wrong with the answer, if anything (that counts as an error).
 */
export async function closedLoop<A>(options: LoopOptions, send: (i: number) => Promise<A>, check: (answer: A, i: number) => string | undefined): Promise<LoadResult> {
  const maxErrors = options.maxErrors ?? 100;
  // Warm-up: open the connections and let both sides settle; nothing is recorded.
  if (options.warmupMs > 0) {
    const until = performance.now() + options.warmupMs;
    let warmErrors = 0;
    let n = 0;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < until && n < options.maxRequests && warmErrors < maxErrors) {
          await send(n++).catch(() => warmErrors++);
        }
      }),
    );
  }
  const latencies = new Float64Array(options.maxRequests);
  let issued = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const deadline = start + options.durationMs;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline && issued < options.maxRequests && errors < maxErrors) {
        const i = issued++;
        const t0 = performance.now();
        try {
          const answer = await send(i);
          const elapsed = performance.now() - t0;
          const problem = check(answer, i);
          if (problem !== undefined) {
            errors++;
            firstError ??= problem;
            continue;
          }
          latencies[done++] = elapsed;
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const sorted = latencies.subarray(0, done).sort();
  const result: LoadResult = {
    requests: done,
    errors,
    seconds,
    perSecond: done / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: done ? sorted[done - 1]! : NaN,
    clientCpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
  };
  if (firstError !== undefined) result.firstError = firstError;
  return result;
}

/** Closed-loop load of one request on `concurrency` keep-alive connections; checks only the status. */
export async function load(target: Target, options: LoadOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency, maxFreeSockets: options.concurrency });
  try {
    return await closedLoop(
      options,
      () => oneRequest(target, agent, options),
      (status) => (status === options.expectedStatus ? undefined : `HTTP ${status}, expected ${options.expectedStatus}`),
    );
  } finally {
    agent.destroy();
  }
}
