// The soak test's HTTP client (node:http on a keep-alive Agent): every request must be answered
// within a deadline, and every answer is tallied (status class, latency, 5xx and unanswered
// samples) for the assertions and the summary. Answers to valid requests can be checked too,
// so a registry that refuses everything does not pass.
import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface SoakRequest {
  method: string;
  /** Sent as is (no normalisation: `..` and `%2F` reach the server). */
  path: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer;
}

export interface SoakAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const sampleLimit = 20;
const bodyLimit = 8 * 1024 * 1024;

export class SoakStats {
  readonly byStatus = new Map<number, number>();
  latencies: number[] = [];
  sent = 0;
  unanswered = 0;
  unexpected = 0;
  readonly serverErrors: string[] = [];
  readonly unansweredSamples: string[] = [];
  readonly unexpectedSamples: string[] = [];

  classCount(digit: number): number {
    let n = 0;
    for (const [status, count] of this.byStatus) if (Math.floor(status / 100) === digit) n += count;
    return n;
  }

  percentile(p: number): number {
    const sorted = Float64Array.from(this.latencies).sort();
    return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! : NaN;
  }

  /** Counts per status class, p50/p99 latency. */
  summary(): string {
    const classes = [1, 2, 3, 4, 5].map((d) => `${d}xx ${this.classCount(d)}`).join(', ');
    const statuses = [...this.byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(' ');
    return `${this.sent} requests: ${classes}, unanswered ${this.unanswered}; latency p50 ${this.percentile(50).toFixed(1)} ms, p99 ${this.percentile(99).toFixed(1)} ms, max ${Math.max(0, ...this.latencies).toFixed(0)} ms\n  statuses: ${statuses}`;
  }
}

export interface SoakClientOptions {
  host: string;
  port: number;
  /** Sockets kept alive (the test's concurrency). */
  sockets: number;
  /** A request not fully answered by then counts as unanswered and is abandoned. */
  answerWithinMs: number;
}

const describe = (req: SoakRequest, what: string) => `${req.method} ${req.path.slice(0, 160)}${req.path.length > 160 ? '…' : ''} (${what})`;

export class SoakClient {
  readonly stats = new SoakStats();
  private readonly agent: Agent;

  constructor(private readonly opts: SoakClientOptions) {
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.sockets, maxFreeSockets: opts.sockets });
  }

  /** Sends one request; undefined when it was not answered in time (or the connection failed). */
  send(req: SoakRequest, what: string): Promise<SoakAnswer | undefined> {
    const stats = this.stats;
    stats.sent++;
    const t0 = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      const headers: OutgoingHttpHeaders = { ...req.headers };
      if (req.body) headers['content-length'] = String(req.body.length);
      else if (req.method !== 'GET' && req.method !== 'HEAD') headers['content-length'] ??= '0';
      const r = request({ host: this.opts.host, port: this.opts.port, method: req.method, path: req.path, headers, agent: this.agent });
      const unanswered = (reason: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stats.unanswered++;
        if (stats.unansweredSamples.length < sampleLimit) stats.unansweredSamples.push(`${describe(req, what)}: ${reason} after ${(performance.now() - t0).toFixed(0)} ms`);
        r.destroy();
        resolve(undefined);
      };
      const timer = setTimeout(() => unanswered(`no answer within ${this.opts.answerWithinMs} ms`), this.opts.answerWithinMs);
      r.on('error', (err) => unanswered(err.message));
      r.on('response', (res) => {
        const chunks: Buffer[] = [];
        let length = 0;
        res.on('data', (chunk: Buffer) => {
          length += chunk.length;
          if (length <= bodyLimit) chunks.push(chunk);
        });
        res.on('error', (err) => unanswered(`response cut off: ${err.message}`));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          stats.latencies.push(performance.now() - t0);
          stats.byStatus.set(status, (stats.byStatus.get(status) ?? 0) + 1);
          const body = Buffer.concat(chunks);
          if (status >= 500 && stats.serverErrors.length < sampleLimit) stats.serverErrors.push(`${describe(req, what)} → ${status} ${body.toString('utf8').slice(0, 300)}`);
          resolve({ status, headers: res.headers, body });
        });
      });
      r.end(req.body);
    });
  }

  /** Notes an answer to a valid request that is not one of `statuses`; false also when unanswered. */
  expect(answer: SoakAnswer | undefined, statuses: number[], what: string): answer is SoakAnswer {
    if (!answer) return false; // already counted as unanswered
    if (statuses.includes(answer.status)) return true;
    this.unexpected(`${what}: ${answer.status}, expected ${statuses.join('|')}: ${answer.body.toString('utf8').slice(0, 200)}`);
    return false;
  }

  /** Notes a wrong answer to a valid request. */
  unexpected(problem: string): void {
    this.stats.unexpected++;
    if (this.stats.unexpectedSamples.length < sampleLimit) this.stats.unexpectedSamples.push(problem);
  }

  close(): void {
    this.agent.destroy();
  }
}
