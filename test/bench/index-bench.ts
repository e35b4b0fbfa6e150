// The "Index (token server and search)" section: Wharf's index alone (Distribution has no token
// server or search of its own to compare with). run.ts calls runIndexBench() after the registry
// workloads and printIndexReport() after the registry tables. The load generator (loadgen.ts)
// drives the index; this process starts it and samples its CPU and RSS from /proc per workload.
import { statSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import bcrypt from 'bcrypt';
import { GiB } from './data.js';
import type { LoadResult, Target } from './http-load.js';
import { benchUser, rateLimitOverride, startIndex } from './index-server.js';
import { basic, type IndexCheck, type IndexLoadOptions, type IndexRequest, type IndexSetup } from './index-workloads.js';
import type { LoadgenRequest } from './loadgen.js';
import { fixed, mib, table } from './report.js';
import type { RunningServer } from './servers.js';

export type LoadgenCall = <T>(request: LoadgenRequest, timeoutMs: number) => Promise<T>;

export interface IndexBenchSettings {
  quick: boolean;
  /** Keep-alive connections of the request-rate phases. */
  concurrency: number;
  durationMs: number;
  warmupMs: number;
  maxRequests: number;
  /** First logins measured (one fresh account each) and how many run at once. */
  freshLogins: number;
  freshConcurrency: number;
  /** Accounts used only to warm the first-login path up. */
  freshWarmup: number;
  /** Repositories in the index for search. */
  repoCount: number;
}

export function indexSettings(base: { quick: boolean; concurrency: number; durationMs: number; warmupMs: number; maxRequests: number }): IndexBenchSettings {
  return { ...base, freshLogins: base.quick ? 50 : 200, freshConcurrency: 2, freshWarmup: 4, repoCount: 1000 };
}

interface Measured {
  load: LoadResult;
  serverCpuSeconds: number;
  peakRss: number;
}

interface IndexRow {
  key: string;
  label: string;
  unit: string;
  outcome?: Measured | { error: string };
}

export interface IndexReport {
  rows: IndexRow[];
  bcryptCost?: number;
  rateLimitWindow?: string;
  idleRss?: number;
  peakRss?: number;
  setupNote?: string;
  /** bcrypt alone in this process, just before the first-login phase: ms per compare, compares/s. */
  bcryptAlone?: { msEach: number; perSecond: number; concurrency: number };
  /** `burst` simultaneous Basic token requests right after the password-cache entry was invalidated. */
  coldBurst?: { burst: number; wallMs: number; maxMs: number; serverCpuSeconds: number };
  /** index.db + WAL at the end of the section. */
  databaseBytes?: number;
  error?: string;
}

/** bcrypt.compare at `cost` with nothing else running: one at a time, then `concurrency` at once. */
async function bcryptAlone(cost: number, concurrency: number): Promise<{ msEach: number; perSecond: number; concurrency: number }> {
  const hash = await bcrypt.hash(benchUser.password, cost);
  let t0 = performance.now();
  for (let i = 0; i < 8; i++) await bcrypt.compare(benchUser.password, hash);
  const msEach = (performance.now() - t0) / 8;
  const n = 10;
  t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = 0; i < n; i++) await bcrypt.compare(benchUser.password, hash);
  }));
  return { msEach, perSecond: (n * concurrency) / ((performance.now() - t0) / 1000), concurrency };
}

const service = 'wharf-registry';
const pullPush = (repo: string) => `repository:${repo}:pull,push`;
const tokenPath = (scope: string) => `/token?service=${service}&scope=${encodeURIComponent(scope)}`;

export async function runIndexBench(call: LoadgenCall, settings: IndexBenchSettings, servers: RunningServer[]): Promise<IndexReport> {
  const c = settings.concurrency;
  const publicCount = Math.ceil(settings.repoCount / 2);
  const userScope = pullPush(`${benchUser.username}/app`);
  const rows: IndexRow[] = [
    { key: 'basic', label: `token, Basic (same credentials: cached bcrypt), ${c} conns`, unit: 'tokens/s' },
    { key: 'first', label: `first login (bcrypt), ${settings.freshLogins} fresh accounts, ${settings.freshConcurrency} in flight`, unit: 'logins/s' },
    { key: 'refresh', label: `token, POST grant_type=refresh_token, ${c} conns`, unit: 'tokens/s' },
    { key: 'anonymous', label: `token, anonymous pull of a public repo, ${c} conns`, unit: 'tokens/s' },
    { key: 'search-anon', label: `search q=app, anonymous (${publicCount} hits), ${c} conns`, unit: 'req/s' },
    { key: 'search-auth', label: `search q=app, Basic (${settings.repoCount} hits), ${c} conns`, unit: 'req/s' },
  ];
  const report: IndexReport = { rows };

  process.stderr.write('index: starting ...');
  let index;
  try {
    index = await startIndex();
  } catch (err) {
    process.stderr.write(' FAILED\n');
    report.error = (err as Error).message;
    return report;
  }
  const server = index.server;
  servers.push(server);
  report.bcryptCost = index.bcryptCost;
  report.rateLimitWindow = index.rateLimitWindow;
  report.idleRss = server.monitor.memory()?.rss;
  const target: Target = { host: server.host, port: server.port };
  process.stderr.write(` pid ${server.pid} on 127.0.0.1:${server.port}\n`);

  try {
    const setupTimeout = 10 * 60_000;
    let setup: IndexSetup;
    let freshUsers: string[];
    try {
      process.stderr.write(`index: creating ${settings.repoCount + 1} repositories ...`);
      setup = await call<IndexSetup>({ op: 'index-setup', args: { target, username: benchUser.username, password: benchUser.password, repoCount: settings.repoCount } }, setupTimeout);
      process.stderr.write(` ${setup.seconds.toFixed(1)} s\n`);
      const count = settings.freshLogins + settings.freshWarmup;
      process.stderr.write(`index: signing up ${count} accounts (POST /api/users) ...`);
      const created = await call<{ usernames: string[]; seconds: number }>({ op: 'index-users', args: { target, prefix: 'login', count, password: benchUser.password, concurrency: 4 } }, setupTimeout);
      process.stderr.write(` ${created.seconds.toFixed(1)} s (${(count / created.seconds).toFixed(0)} sign-ups/s)\n`);
      freshUsers = created.usernames;
      report.setupNote =
        `${benchUser.username} (\`wharf user add\`) owns ${benchUser.username}/public (public) and ${benchUser.username}/app0…app${settings.repoCount - 1} ` +
        `(even-numbered public), created through POST /api/repositories in ${setup.seconds.toFixed(1)} s; ${count} accounts signed up through POST /api/users ` +
        `in ${created.seconds.toFixed(1)} s (4 in flight, ${(count / created.seconds).toFixed(1)}/s: a bcrypt hash each)`;
    } catch (err) {
      process.stderr.write(` FAILED\n${(err as Error).message}\n${server.stderrTail().slice(-1500)}\n`);
      report.error = `setup: ${(err as Error).message}`;
      return report;
    }

    const auth = { authorization: basic(benchUser.username, benchUser.password) };
    const phase = async (options: Omit<IndexLoadOptions, 'durationMs' | 'warmupMs' | 'maxRequests' | 'concurrency'> & { concurrency?: number; durationMs?: number; warmup?: IndexRequest[] }): Promise<Measured> => {
      const concurrency = options.concurrency ?? c;
      const durationMs = options.durationMs ?? settings.durationMs;
      const timeout = durationMs + settings.warmupMs + 120_000;
      const common = { check: options.check, concurrency, maxRequests: settings.maxRequests, maxErrors: 1000 };
      // Warm-up (connections, JIT, caches) outside the measured phase.
      if (options.request) {
        await call<LoadResult>({ op: 'index-load', args: { target, options: { ...common, request: options.request, durationMs: settings.warmupMs, warmupMs: 0 } } }, timeout);
      } else if (options.warmup) {
        await call<LoadResult>({ op: 'index-load', args: { target, options: { ...common, requests: options.warmup, durationMs: 60_000, warmupMs: 0 } } }, timeout);
      }
      server.monitor.beginPhase();
      const load = await call<LoadResult>(
        { op: 'index-load', args: { target, options: { ...common, ...(options.request ? { request: options.request } : { requests: options.requests! }), durationMs, warmupMs: 0 } } },
        timeout,
      );
      const { peakRss, cpuSeconds } = server.monitor.endPhase();
      if (load.requests === 0) throw new Error(`no successful requests (${load.errors} errors: ${load.firstError ?? ''})`);
      return { load, serverCpuSeconds: cpuSeconds, peakRss };
    };

    const firstLogin = (username: string): IndexRequest => {
      const scope = pullPush(`${username}/app`);
      return { method: 'GET', path: tokenPath(scope), headers: { authorization: basic(username, benchUser.password) }, check: { kind: 'token', scope } };
    };
    const tokenArgs = { target, username: benchUser.username, password: benchUser.password, service, scope: userScope };
    // The index keeps a verified password for 60 s from the bcrypt check (hits do not extend it),
    // so an entry made minutes ago could expire inside a phase: then every request in flight runs
    // bcrypt. Before each Basic phase, a fresh entry (see indexPrime) — for the first one, made by
    // a burst of simultaneous requests, which measures exactly that expiry case.
    const prime = async (burst: number) => {
      if (burst === 1) {
        await call({ op: 'index-prime', args: { ...tokenArgs, burst } }, 120_000);
        return;
      }
      server.monitor.beginPhase();
      const r = await call<{ wallMs: number; maxMs: number }>({ op: 'index-prime', args: { ...tokenArgs, burst } }, 120_000);
      report.coldBurst = { burst, ...r, serverCpuSeconds: server.monitor.endPhase().cpuSeconds };
    };
    const searchCheck = (numResults: number): IndexCheck => ({ kind: 'search', numResults, pageSize: 25 });
    const runs: Record<string, () => Promise<Measured>> = {
      basic: async () => {
        await prime(c);
        return phase({ request: { method: 'GET', path: tokenPath(userScope), headers: auth }, check: { kind: 'token', scope: userScope } });
      },
      first: async () => {
        report.bcryptAlone = await bcryptAlone(index.bcryptCost, settings.freshConcurrency);
        const warm = freshUsers.slice(0, settings.freshWarmup);
        const fresh = freshUsers.slice(settings.freshWarmup);
        // Every request carries a distinct account's credentials: each one is a bcrypt compare,
        // and each is checked for a push+pull grant on that account's own "<user>/app".
        return phase({
          requests: fresh.map(firstLogin),
          warmup: warm.map(firstLogin),
          check: { kind: 'token', scope: pullPush(`${fresh[0] ?? ''}/app`) },
          concurrency: settings.freshConcurrency,
          durationMs: 10 * 60_000,
        });
      },
      refresh: async () => {
        const refreshToken = await call<string>({ op: 'index-refresh-token', args: tokenArgs }, 60_000);
        const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'bench', service, scope: userScope }).toString();
        return phase({ request: { method: 'POST', path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, check: { kind: 'token', scope: userScope } });
      },
      anonymous: () => {
        const scope = `repository:${setup.publicRepository}:pull`;
        return phase({ request: { method: 'GET', path: tokenPath(scope), headers: {} }, check: { kind: 'token', scope } });
      },
      'search-anon': () => phase({ request: { method: 'GET', path: '/v1/search?q=app' }, check: searchCheck(publicCount) }),
      'search-auth': async () => {
        await prime(1);
        return phase({ request: { method: 'GET', path: '/v1/search?q=app', headers: auth }, check: searchCheck(settings.repoCount) });
      },
    };
    for (const row of rows) {
      process.stderr.write(`  Wharf index: ${row.key} ...`);
      try {
        row.outcome = await runs[row.key]!();
        process.stderr.write(` ${fixed(row.outcome.load.perSecond, 0)}\n`);
      } catch (err) {
        const message = (err as Error).message;
        row.outcome = { error: message };
        process.stderr.write(` FAILED\n${message}\n${server.stderrTail().slice(-1500)}\n`);
      }
    }
  } finally {
    report.databaseBytes = ['index.db', 'index.db-wal'].reduce((sum, f) => {
      try {
        return sum + statSync(join(server.dir, f)).size;
      } catch {
        return sum;
      }
    }, 0);
    report.peakRss = server.monitor.peakRss();
    await server.stop();
    servers.splice(servers.indexOf(server), 1);
  }
  return report;
}

function measured(row: IndexRow): Measured | undefined {
  return row.outcome && 'load' in row.outcome ? row.outcome : undefined;
}

/** Prints the section; returns whether anything failed outright. */
export function printIndexReport(report: IndexReport, settings: IndexBenchSettings, baselineNote: string | undefined): boolean {
  const cpu = cpus();
  console.log('\nIndex (token server and search) — Wharf only: Distribution has no token server or search to compare with\n');
  console.log(`  machine:       ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / GiB).toFixed(1)} GiB RAM, Linux ${release()}, node ${process.version}`);
  console.log('  index:         `wharf index`, defaults + SQLite database in a fresh temp dir, 127.0.0.1, NODE_ENV=production,');
  console.log('                 log level info with the access log on (stdout → /dev/null)');
  console.log(`  bcrypt cost:   ${report.bcryptCost ?? '?'} (index.accounts.bcryptCost of the effective configuration; the default is 10)`);
  console.log(
    `  rate limits:   OVERRIDDEN — index.rateLimit.perAddress and .failedPerAccount = ${rateLimitOverride.toLocaleString('en-US')} per ${report.rateLimitWindow ?? '?'} window\n` +
      '                 (WHARF_INDEX_RATELIMIT_*; defaults 600 requests and 10 failed logins per client address per minute), so the\n' +
      '                 limiter never answers 429 here; with the defaults one address gets at most 600 token requests a minute',
  );
  console.log(`  load:          the registry section's load generator; request-rate phases ${settings.durationMs / 1000} s after ${settings.warmupMs / 1000} s warm-up; every response is`);
  console.log('                 read and checked (200, a JWT with exactly the expected granted scope, or a search page with the expected');
  console.log('                 num_results); anything else counts as failed');
  if (report.setupNote) console.log(`  data:          ${report.setupNote}`);
  if (report.error) {
    console.log(`\n  FAILED: ${report.error.split('\n').slice(0, 5).join(' | ')}`);
    return true;
  }

  const cell = (row: IndexRow, format: (m: Measured) => string | number | undefined) => {
    if (!row.outcome) return 'n/a';
    const m = measured(row);
    return m ? format(m) : 'FAILED';
  };
  console.log('');
  console.log(
    table(
      ['workload', 'unit', 'Wharf', 'CPU-µs/req', 'p50 ms', 'p99 ms', 'max ms', 'requests', 'failed', 'peak RSS MiB', 'client CPU %'],
      report.rows.map((row) => [
        row.label,
        row.unit,
        cell(row, (m) => fixed(m.load.perSecond, row.key === 'first' ? 1 : 0)),
        cell(row, (m) => fixed((m.serverCpuSeconds / m.load.requests) * 1e6, 0)),
        cell(row, (m) => fixed(m.load.p50Ms, 2)),
        cell(row, (m) => fixed(m.load.p99Ms, 2)),
        cell(row, (m) => fixed(m.load.maxMs, 1)),
        cell(row, (m) => m.load.requests),
        cell(row, (m) => m.load.errors),
        cell(row, (m) => mib(m.peakRss)),
        cell(row, (m) => fixed(m.load.clientCpuPercent, 0)),
      ]),
    ),
  );
  console.log(`\n  RSS of the index: ${mib(report.idleRss) ?? '?'} MiB after start (idle), ${mib(report.peakRss) ?? '?'} MiB peak over the section`);
  if (report.databaseBytes) console.log(`  database (index.db + WAL) at the end: ${fixed(report.databaseBytes / 1024 / 1024, 1)} MiB`);

  const notes: string[] = [
    'CPU-µs/req = the index\'s user+sys CPU (all threads, incl. libuv\'s bcrypt threads; from /proc) over the phase ÷ successful requests.',
    '"first login": each request carries a different, never-seen account\'s Basic credentials, so each costs one bcrypt compare ' +
      `at cost ${report.bcryptCost ?? '?'}; bcrypt runs on libuv's thread pool (4 threads by default) — here ${settings.freshConcurrency} in flight, as a few docker clients logging in at once.` +
      (report.bcryptAlone
        ? ` bcrypt alone (this machine, same cost, measured in the bench process just before): ${fixed(report.bcryptAlone.msEach, 1)} ms per compare, ` +
          `${fixed(report.bcryptAlone.perSecond, 1)} compares/s at ${report.bcryptAlone.concurrency} in flight (this host's CPU speed varies from moment to moment; compare with that row's CPU-µs).`
        : ''),
    '"token, Basic": the same credentials on every request, as docker sends them; the index remembers a bcrypt-verified password for 60 s, so this is the cached path.',
    'that entry lives 60 s from its bcrypt check, however often it is used; so before each Basic phase the bench sets benchuser\'s password again ' +
      '(PATCH /api/user, same password: new salt, entry invalidated) and logs in once, and no entry expires inside a phase.',
    'token requests with a scope also write the audit log (and a login updates the account\'s last_login_at), so each is 1–3 SQLite writes.',
  ];
  if (report.coldBurst) {
    const burst = report.coldBurst;
    const first = report.rows.find((r) => r.key === 'first');
    const perLogin = first && measured(first) ? measured(first)!.serverCpuSeconds / measured(first)!.load.requests : undefined;
    const equivalent = perLogin ? `≈ ${fixed(burst.serverCpuSeconds / perLogin, 1)} first logins' worth` : 'about one bcrypt compare per request';
    notes.push(
      `cache expiry under load: ${burst.burst} simultaneous token requests with benchuser's (valid) Basic credentials right after the entry was invalidated ` +
        `took ${fixed(burst.wallMs, 0)} ms until the last was answered and ${fixed(burst.serverCpuSeconds * 1000, 0)} ms of index CPU (${equivalent}): ` +
        'concurrent misses for the same credentials are not coalesced, so every request in flight when an entry expires (every 60 s per account) runs bcrypt.',
    );
  }
  if (baselineNote) notes.push(`load generator ceiling (same machine, trivial node:http server): ${baselineNote}.`);
  for (const row of report.rows) {
    const o = row.outcome;
    if (o && 'error' in o) notes.push(`${row.label}: FAILED: ${o.error.split('\n').slice(0, 3).join(' | ')}`);
    else if (o && o.load.errors) notes.push(`${row.label}: ${o.load.errors} failed requests (first: ${o.load.firstError ?? ''})`);
  }
  console.log(`\nNotes\n${notes.map((n) => `  - ${n}`).join('\n')}`);
  return report.rows.some((row) => !row.outcome || 'error' in row.outcome);
}
