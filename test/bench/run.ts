// Wharf vs CNCF Distribution: the same workloads against each, on 127.0.0.1, in one run.
//
//   npm run bench                         full run (1 GiB blobs, 5 s load phases)
//   node test/dist/bench/run.js --quick   smoke run (64 MiB blobs, 2 s load phases)
//   ... --only wharf|distribution         one registry only
//   ... --duration S                      seconds per request-rate phase
//   ... --no-baseline                     skip the load generator's ceiling measurement
//   ... --only-index                      only the index section (token server, search)
//   ... --only-catalog                    only the catalog section (10,000 repositories per storage)
//   ... --workload KEY[,KEY]              only these registry workloads (no index, catalog or Ceph
//                                         sections): single monolithic chunked pull many manifest
//                                         head attack (pull reads what single pushed)
//
// The load generator is a separate node process (loadgen.ts); this process only starts the
// servers, samples their RSS and CPU from /proc, and prints the report. Each workload's server
// CPU is measured over exactly that workload, so "CPU per unit of work" compares the registries
// even where the client, not the server, limits throughput.
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { GiB, MiB } from './data.js';
import type { LoadResult, Target } from './http-load.js';
import type { BigBlobName, LoadgenRequest, PrepareArgs } from './loadgen.js';
import { fixed, mib, ratio, table, type Cell } from './report.js';
import { indexSettings, printIndexReport, runIndexBench } from './index-bench.js';
import { catalogSettings, printCatalogReport, runCatalogBench } from './catalog-bench.js';
import {
  distributionVersion,
  fileWriteSpeed,
  killAll,
  startBaseline,
  startDistribution,
  startWharf,
  syncDisks,
  type RunningServer,
} from './servers.js';
import { schema2, type CountResult, type SingleUploadMode, type SmallImage, type TransferResult } from './workloads.js';
import type { AttackArgs, AttackReport } from './attack.js';
import { freshS3Storage, removeS3Storage, requireCeph, type S3Storage } from '../helpers/ceph.js';

type Registry = 'wharf' | 'distribution';
const registries: Registry[] = ['wharf', 'distribution'];
const names: Record<Registry, string> = { wharf: 'Wharf', distribution: 'Distribution' };

const usage = `usage: node test/dist/bench/run.js [--quick] [--only wharf|distribution | --only-index | --only-catalog] [--workload KEY[,KEY]] [--duration S] [--no-baseline] [--no-ceph]`;

const workloadKeys = ['single', 'monolithic', 'chunked', 'pull', 'many', 'manifest', 'head', 'attack'] as const;
/** Workloads that read the big blobs (or the small ones) the load generator prepares. */
const preparedKeys = ['single', 'monolithic', 'chunked', 'pull', 'many'];

// ---------------------------------------------------------------------------------------------
// Settings

interface Settings {
  blobSize: number;
  chunks: number;
  pullRepeat: number;
  smallCount: number;
  smallSize: number;
  smallConcurrency: number;
  loadConcurrency: number;
  durationMs: number;
  warmupMs: number;
  maxRequests: number;
  /** "Under attack": stalled connections kept open, and layers per fan-out manifest. */
  attackStalled: number;
  attackFanOut: number;
}

function settingsFor(quick: boolean, durationSeconds: number | undefined): Settings {
  const durationMs = (durationSeconds ?? (quick ? 2 : 5)) * 1000;
  return {
    blobSize: quick ? 64 * MiB : GiB,
    chunks: 16,
    pullRepeat: quick ? 1 : 2,
    smallCount: 256,
    smallSize: 256 * 1024,
    smallConcurrency: 16,
    loadConcurrency: 32,
    durationMs,
    warmupMs: quick ? 500 : 1000,
    // A bound on top of the duration: no phase issues more than this many requests.
    maxRequests: 2_000_000,
    attackStalled: 2_000,
    attackFanOut: 25_000,
  };
}

function sizeLabel(bytes: number): string {
  return bytes >= GiB ? `${bytes / GiB} GiB` : bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`;
}

// ---------------------------------------------------------------------------------------------
// The load-generator process

class Loadgen {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();

  constructor() {
    this.child = fork(new URL('./loadgen.js', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (message: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      const entry = this.pending.get(message.id);
      if (!entry) return;
      this.pending.delete(message.id);
      clearTimeout(entry.timer);
      if (message.ok) entry.resolve(message.result);
      else entry.reject(new Error(message.error));
    });
    this.child.on('exit', (code, signal) => {
      for (const entry of this.pending.values()) {
        clearTimeout(entry.timer);
        entry.reject(new Error(`load generator exited (${signal ?? code})`));
      }
      this.pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  call<T>(request: LoadgenRequest, timeoutMs: number): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`load generator: ${request.op} did not finish within ${timeoutMs / 1000} s`));
        this.kill(); // its state is unknown now
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.send({ id, ...request });
    });
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------
// Measurements

interface Measurement {
  /** The headline figure, in the row's unit. */
  value: number;
  serverCpuSeconds: number;
  peakRss: number;
  clientCpuPercent: number;
  /** Units of work done (GiB, blobs or requests), for server CPU per unit. */
  work: number;
  load?: LoadResult;
  note?: string;
  attack?: AttackReport;
}

interface Row {
  key: string;
  label: string;
  unit: string;
  /** Unit of work for the "server CPU per ..." column. */
  perUnit: { label: string; scale: number };
  lowerIsBetter?: boolean;
}

type Results = Record<Registry, Map<string, Measurement | { error: string }>>;

const transferTimeout = 15 * 60_000;

async function measure(
  server: RunningServer,
  run: () => Promise<{ value: number; clientCpuPercent: number; work: number; load?: LoadResult; note?: string; attack?: AttackReport }>,
): Promise<Measurement> {
  server.monitor.beginPhase();
  const outcome = await run();
  const { peakRss, cpuSeconds } = server.monitor.endPhase();
  return { ...outcome, serverCpuSeconds: cpuSeconds, peakRss };
}

function transfer(result: TransferResult) {
  const note = result.runs && result.runs.length > 1 ? `runs: ${result.runs.map((s) => `${(result.bytes / MiB / s).toFixed(0)}`).join(', ')} MiB/s` : undefined;
  return {
    value: result.bytes / MiB / result.seconds,
    clientCpuPercent: result.clientCpuPercent,
    // Server CPU covers every repetition.
    work: (result.bytes * (result.runs?.length ?? 1)) / GiB,
    ...(note ? { note } : {}),
  };
}

function loadMeasurement(result: LoadResult) {
  if (result.requests === 0) throw new Error(`no successful requests (${result.errors} errors: ${result.firstError ?? ''})`);
  const note = result.errors ? `${result.errors} failed requests (first: ${result.firstError ?? ''})` : undefined;
  return { value: result.perSecond, clientCpuPercent: result.clientCpuPercent, work: result.requests, load: result, ...(note ? { note } : {}) };
}

/** A closed-loop request phase: `warm()` (connections, JIT, caches; not recorded), then `measured()`. */
function loadPhases(loadgen: Loadgen, target: Target, settings: Settings, method: 'GET' | 'HEAD', path: string, headers: Record<string, string>, expectedStatus: number) {
  const options = { method, path, headers, concurrency: settings.loadConcurrency, maxRequests: settings.maxRequests, expectedStatus, maxErrors: 1000 };
  const timeout = settings.durationMs + settings.warmupMs + 120_000;
  const phase = (durationMs: number) => loadgen.call<LoadResult>({ op: 'load', args: { target, options: { ...options, durationMs, warmupMs: 0 } } }, timeout);
  return { warm: () => phase(settings.warmupMs), measured: () => phase(settings.durationMs) };
}

async function runLoad(loadgen: Loadgen, server: RunningServer, target: Target, settings: Settings, method: 'GET' | 'HEAD', path: string, headers: Record<string, string>, expectedStatus: number): Promise<Measurement> {
  const phases = loadPhases(loadgen, target, settings, method, path, headers, expectedStatus);
  // Warm-up outside the measured phase.
  await phases.warm();
  return measure(server, async () => loadMeasurement(await phases.measured()));
}

function attackNote(report: AttackReport): string {
  const statuses = Object.entries(report.attackerStatuses).map(([status, n]) => `${status}×${n}`).join(' ');
  return (
    `stalled connections: ${report.stalledOpenAtEnd} open at the end, ${report.stalledClosedByServer} closed by the server (${report.stalledOpened} opened in all); ` +
    `fan-out attacker: ${report.attackerRequests} requests (${statuses})`
  );
}

/**
 * Manifest GETs of a normal client while the attacker process keeps stalled connections open and
 * pushes fan-out manifests; the server's peak RSS and CPU cover the whole attack.
 */
async function runUnderAttack(loadgen: Loadgen, attacker: Loadgen, server: RunningServer, target: Target, settings: Settings, mode: SingleUploadMode, manifestPath: string): Promise<Measurement> {
  const phases = loadPhases(loadgen, target, settings, 'GET', manifestPath, { accept: schema2 }, 200);
  return measure(server, async () => {
    const attackArgs: AttackArgs = { target, repo: 'bench/attack', stalled: settings.attackStalled, mode, fanOut: settings.attackFanOut };
    let load: LoadResult;
    let report: AttackReport;
    await attacker.call({ op: 'attack-start', args: attackArgs }, 120_000);
    try {
      await phases.warm();
      load = await phases.measured();
    } finally {
      // Stop the attack even when the load failed: the next workload must not run under it.
      report = await attacker.call<AttackReport>({ op: 'attack-stop' }, 120_000);
    }
    // A registry that answers nothing under attack is a result, not a failure of the bench.
    const measured = load.requests > 0 ? loadMeasurement(load) : { value: 0, clientCpuPercent: load.clientCpuPercent, work: 0, load, note: `no request answered (${load.errors} failed: ${load.firstError ?? ''})` };
    return { ...measured, attack: report, note: [measured.note, attackNote(report)].filter(Boolean).join('; ') };
  });
}

/** One workload against one registry; the registries take turns, workload by workload. */
type Step = { key: string; run: (server: RunningServer, target: Target) => Promise<Measurement> };

function workloadSteps(loadgen: Loadgen, attacker: () => Loadgen, settings: Settings, singleMode: SingleUploadMode): Step[] {
  const big = (blob: BigBlobName, op: 'push-single' | 'push-chunked', extra: object) => async (server: RunningServer, target: Target) => {
    syncDisks();
    fileWriteSpeed(settings.blobSize * 1.25, false);
    return measure(server, async () =>
      transfer(await loadgen.call<TransferResult>({ op, args: { target, repo: 'bench/big', blob, ...extra } } as LoadgenRequest, transferTimeout)),
    );
  };
  const images = new Map<RunningServer, SmallImage>();
  const image = async (server: RunningServer, target: Target): Promise<SmallImage> => {
    let found = images.get(server);
    if (!found) {
      try {
        found = await loadgen.call<SmallImage>({ op: 'small-image', args: { target, repo: 'bench/image', mode: singleMode } }, 60_000);
      } catch (err) {
        throw new Error(`pushing the small image: ${(err as Error).message}`);
      }
      images.set(server, found);
    }
    return found;
  };
  return [
    { key: 'single', run: big('single', 'push-single', { mode: singleMode }) },
    { key: 'monolithic', run: big('monolithic', 'push-single', { mode: 'post-digest' }) },
    { key: 'chunked', run: big('chunked', 'push-chunked', { chunks: settings.chunks }) },
    {
      key: 'pull',
      run: (server, target) =>
        measure(server, async () =>
          transfer(await loadgen.call<TransferResult>({ op: 'pull', args: { target, repo: 'bench/big', blob: 'single', repeat: settings.pullRepeat } }, transferTimeout)),
        ),
    },
    {
      key: 'many',
      run: async (server, target) => {
        syncDisks();
        fileWriteSpeed(settings.smallCount * settings.smallSize * 1.25, false);
        return measure(server, async () => {
          const r = await loadgen.call<CountResult>({ op: 'push-many', args: { target, repo: 'bench/small', concurrency: settings.smallConcurrency, mode: singleMode } }, transferTimeout);
          return { value: r.count / r.seconds, clientCpuPercent: r.clientCpuPercent, work: r.count, note: `${(r.bytes / MiB / r.seconds).toFixed(0)} MiB/s` };
        });
      },
    },
    {
      key: 'manifest',
      run: async (server, target) => {
        const { manifestPath } = await image(server, target);
        return runLoad(loadgen, server, target, settings, 'GET', manifestPath, { accept: schema2 }, 200);
      },
    },
    {
      key: 'head',
      run: async (server, target) => {
        const { layerPath } = await image(server, target);
        return runLoad(loadgen, server, target, settings, 'HEAD', layerPath, {}, 200);
      },
    },
    {
      key: 'attack',
      run: async (server, target) => {
        const { manifestPath } = await image(server, target);
        return runUnderAttack(loadgen, attacker(), server, target, settings, singleMode, manifestPath);
      },
    },
  ];
}

async function runStep(step: Step, registry: Registry, server: RunningServer, results: Map<string, Measurement | { error: string }>): Promise<void> {
  process.stderr.write(`  ${names[registry]}: ${step.key} ...`);
  try {
    const m = await step.run(server, { host: server.host, port: server.port });
    results.set(step.key, m);
    process.stderr.write(` ${fixed(m.value)}\n`);
  } catch (err) {
    const message = (err as Error).message;
    results.set(step.key, { error: message });
    process.stderr.write(` FAILED\n${message}\n${server.stderrTail().slice(-1500)}\n`);
  }
}

// ---------------------------------------------------------------------------------------------
// Report

function valueOf(m: Measurement | { error: string } | undefined): Measurement | undefined {
  return m && 'value' in m ? m : undefined;
}

function printReport(rows: Row[], results: Results, run: Registry[], extra: { idle: Record<Registry, number | undefined>; peak: Record<Registry, number | undefined> }): void {
  const cell = (r: Registry, key: string, format: (m: Measurement) => Cell): Cell => {
    if (!run.includes(r)) return 'not run';
    const m = results[r].get(key);
    if (!m) return 'n/a';
    return 'error' in m ? 'FAILED' : format(m);
  };
  const headline = rows.map((row) => {
    const w = valueOf(results.wharf.get(row.key));
    const d = valueOf(results.distribution.get(row.key));
    const digits = row.unit.endsWith('/s') && !row.unit.startsWith('MiB') ? 0 : 1;
    return [row.label, row.unit, cell('wharf', row.key, (m) => fixed(m.value, digits)), cell('distribution', row.key, (m) => fixed(m.value, digits)), ratio(w?.value, d?.value)];
  });
  headline.push(
    ['RSS after start (idle)', 'MiB', run.includes('wharf') ? mib(extra.idle.wharf) : 'not run', run.includes('distribution') ? mib(extra.idle.distribution) : 'not run', ratio(extra.idle.wharf, extra.idle.distribution)],
    ['peak RSS over the whole run', 'MiB', run.includes('wharf') ? mib(extra.peak.wharf) : 'not run', run.includes('distribution') ? mib(extra.peak.distribution) : 'not run', ratio(extra.peak.wharf, extra.peak.distribution)],
  );
  console.log('\nThroughput (higher is better; RSS rows: lower is better)\n');
  console.log(table(['workload', 'unit', 'Wharf', 'Distribution', 'Wharf/Dist'], headline));

  const perUnit = (row: Row) => (m: Measurement) => fixed((m.serverCpuSeconds / m.work) * row.perUnit.scale, 1);
  console.log('\nServer cost per workload (server CPU = user+sys of all its threads, from /proc; lower is better)\n');
  console.log(
    table(
      ['workload', 'server CPU per', 'Wharf', 'Dist', 'W/D', 'peak RSS MiB W', 'D', 'client CPU % W', 'D'],
      rows.map((row) => {
        const w = valueOf(results.wharf.get(row.key));
        const d = valueOf(results.distribution.get(row.key));
        const wc = w ? w.serverCpuSeconds / w.work : undefined;
        const dc = d ? d.serverCpuSeconds / d.work : undefined;
        return [
          row.label,
          row.perUnit.label,
          cell('wharf', row.key, perUnit(row)),
          cell('distribution', row.key, perUnit(row)),
          ratio(wc, dc),
          cell('wharf', row.key, (m) => mib(m.peakRss)),
          cell('distribution', row.key, (m) => mib(m.peakRss)),
          cell('wharf', row.key, (m) => fixed(m.clientCpuPercent, 0)),
          cell('distribution', row.key, (m) => fixed(m.clientCpuPercent, 0)),
        ];
      }),
    ),
  );

  const loadRows = rows.filter((r) => results.wharf.get(r.key) || results.distribution.get(r.key)).filter((r) => ['manifest', 'head', 'attack'].includes(r.key));
  if (loadRows.length) {
    console.log('\nLatency of the request-rate phases (ms, closed loop)\n');
    console.log(
      table(
        ['workload', 'registry', 'requests', 'failed', 'p50', 'p99', 'max'],
        loadRows.flatMap((row) =>
          run.map((r) => {
            const m = valueOf(results[r].get(row.key));
            const l = m?.load;
            return [row.label, names[r], l?.requests, l?.errors, fixed(l?.p50Ms, 2), fixed(l?.p99Ms, 2), fixed(l?.maxMs, 1)];
          }),
        ),
      ),
    );
  }

  const notes: string[] = [];
  for (const r of run) {
    for (const row of rows) {
      const m = results[r].get(row.key);
      if (!m) continue;
      if ('error' in m) notes.push(`${names[r]} / ${row.label}: FAILED: ${m.error.split('\n').slice(0, 3).join(' | ')}`);
      else if (m.note) notes.push(`${names[r]} / ${row.label}: ${m.note}`);
    }
  }
  if (notes.length) console.log(`\nNotes\n${notes.map((n) => `  - ${n}`).join('\n')}`);
}

/** The "under attack" workload's headline: the normal client's p99 and rate, the server's peak RSS. */
function printAttackReport(rows: Row[], results: Results, run: Registry[]): void {
  const row = rows.find((r) => r.key === 'attack');
  if (!row || !run.length) return;
  const w = valueOf(results.wharf.get('attack'));
  const d = valueOf(results.distribution.get('attack'));
  const figure = (r: Registry, format: (m: Measurement) => Cell): Cell => {
    if (!run.includes(r)) return 'not run';
    const m = results[r].get('attack');
    return !m ? 'n/a' : 'error' in m ? 'FAILED' : format(m);
  };
  console.log(`\nUnder attack: ${row.label}\n`);
  console.log(
    table(
      ['figure', 'unit', 'Wharf', 'Distribution', 'Wharf/Dist'],
      [
        ['normal client p99 latency', 'ms', figure('wharf', (m) => fixed(m.load?.p99Ms, 2)), figure('distribution', (m) => fixed(m.load?.p99Ms, 2)), ratio(w?.load?.p99Ms, d?.load?.p99Ms)],
        ['normal client rate', 'req/s', figure('wharf', (m) => fixed(m.value, 0)), figure('distribution', (m) => fixed(m.value, 0)), ratio(w?.value, d?.value)],
        ['normal client failed requests', 'count', figure('wharf', (m) => m.load?.errors), figure('distribution', (m) => m.load?.errors), undefined],
        ['server peak RSS', 'MiB', figure('wharf', (m) => mib(m.peakRss)), figure('distribution', (m) => mib(m.peakRss)), ratio(w?.peakRss, d?.peakRss)],
        ['stalled connections open at the end', 'count', figure('wharf', (m) => m.attack?.stalledOpenAtEnd), figure('distribution', (m) => m.attack?.stalledOpenAtEnd), undefined],
        ['stalled connections closed by the server', 'count', figure('wharf', (m) => m.attack?.stalledClosedByServer), figure('distribution', (m) => m.attack?.stalledClosedByServer), undefined],
        ['fan-out attacker requests', 'count', figure('wharf', (m) => m.attack?.attackerRequests), figure('distribution', (m) => m.attack?.attackerRequests), undefined],
      ],
    ),
  );
  console.log('  the stalled connections (half headers or half a manifest body, from 127.0.0.2-9) are reopened 0.5 s after the server closes one;');
  console.log('  the attacker PUTs a manifest listing one layer 25,000 times, then GETs tags/list and _catalog with n=100000 and a referrers list, in a loop.');
}

/** Push and pull MiB/s on the filesystem and on Ceph RGW, Wharf and Distribution side by side. */
function printCephComparison(rows: Row[], fs: Results, ceph: Results, run: Registry[], note: string | undefined): void {
  console.log('\nFilesystem vs Ceph RGW (S3 driver; MiB/s, higher is better)\n');
  if (note) {
    console.log(`  Ceph ${note}`);
    return;
  }
  const figure = (results: Results, r: Registry, key: string): Cell => {
    if (!run.includes(r)) return 'not run';
    const m = results[r].get(key);
    if (!m) return 'n/a';
    return 'error' in m ? 'FAILED' : fixed(m.value, 1);
  };
  const transferRows = rows.filter((row) => ['single', 'chunked', 'pull'].includes(row.key));
  console.log(
    table(
      ['workload', 'Wharf fs', 'Wharf Ceph', 'Dist fs', 'Dist Ceph', 'Wharf/Dist on Ceph'],
      transferRows.map((row) => [
        row.label,
        figure(fs, 'wharf', row.key),
        figure(ceph, 'wharf', row.key),
        figure(fs, 'distribution', row.key),
        figure(ceph, 'distribution', row.key),
        ratio(valueOf(ceph.wharf.get(row.key))?.value, valueOf(ceph.distribution.get(row.key))?.value),
      ]),
    ),
  );
  console.log('  Ceph: one node (mon + BlueStore OSD + radosgw) on this machine, pool size 1; both registries in one fresh bucket under their own prefix.');
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      duration: { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
      'only-index': { type: 'boolean', default: false },
      'no-ceph': { type: 'boolean', default: false },
      'only-catalog': { type: 'boolean', default: false },
      workload: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (values.only !== undefined && !registries.includes(values.only as Registry)) {
    console.error(`--only takes wharf or distribution\n${usage}`);
    return 2;
  }
  const workloads = values.workload?.split(',').map((w) => w.trim());
  const unknown = workloads?.filter((w) => !(workloadKeys as readonly string[]).includes(w)) ?? [];
  if (unknown.length || workloads?.length === 0) {
    console.error(`--workload takes a comma-separated list of ${workloadKeys.join(' ')} (not: ${unknown.join(', ')})\n${usage}`);
    return 2;
  }
  if (workloads && (values['only-index'] || values['only-catalog'])) {
    console.error(`--workload excludes --only-index and --only-catalog\n${usage}`);
    return 2;
  }
  const picked = (key: string) => !workloads || workloads.includes(key);
  const needsPreparedData = preparedKeys.some(picked);
  const duration = values.duration === undefined ? undefined : Number(values.duration);
  if (duration !== undefined && !(duration > 0 && duration <= 600)) {
    console.error('--duration takes seconds, 0 < S <= 600');
    return 2;
  }
  if (values['only-catalog']) {
    const catalog = catalogSettings(values.quick);
    printCatalogReport(await runCatalogBench(catalog, { ceph: !values['no-ceph'] }), catalog);
    return 0;
  }
  const onlyIndex = values['only-index'];
  if (onlyIndex && values.only !== undefined) {
    console.error(`--only and --only-index exclude each other\n${usage}`);
    return 2;
  }
  // --only-index: no registry runs, so every registry step below is skipped.
  const run: Registry[] = onlyIndex ? [] : values.only ? [values.only as Registry] : registries;
  const settings = settingsFor(values.quick, duration);
  const cpu = cpus();

  console.log('Wharf vs CNCF Distribution — registry benchmark');
  console.log(`  machine:       ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / GiB).toFixed(1)} GiB RAM, Linux ${release()}`);
  console.log(`  node:          ${process.version} (Wharf and the load generator)`);
  console.log(`  distribution:  ${distributionVersion()}`);
  console.log(`  mode:          ${values.quick ? 'quick (smoke run)' : 'full'}; blobs ${sizeLabel(settings.blobSize)}; request-rate phases ${settings.durationMs / 1000} s after ${settings.warmupMs / 1000} s warm-up`);
  console.log('  configs:       defaults + filesystem storage in a fresh temp dir, 127.0.0.1, log level info with the access log on');
  console.log('                 (stdout → /dev/null); Wharf single process (NODE_ENV=production, as the Dockerfile), auth none');
  console.log(`  load:          one node process (node:http, keep-alive Agent, maxSockets = concurrency), separate from this one;`);
  console.log(`                 on a ${cpu.length}-core box it competes with the server for CPU, so request rates are a lower bound`);
  console.log('  units:         MiB/s = 2^20 bytes per second; RSS in MiB');
  if (onlyIndex) console.log('  --only-index:  registry workloads skipped; only the index section runs');
  if (workloads) console.log(`  --workload:    only ${workloads.join(', ')}; no index, catalog or Ceph sections`);
  console.log('');

  const loadgen = new Loadgen();
  // The attackers of the "under attack" workload get a process of their own, started on first use.
  let attackerProcess: Loadgen | undefined;
  const attacker = () => (attackerProcess ??= new Loadgen());
  const servers: RunningServer[] = [];
  const stopAll = async () => {
    for (const s of servers.splice(0)) await s.stop().catch(() => undefined);
  };
  const onSignal = () => {
    loadgen.kill();
    attackerProcess?.kill();
    killAll();
    for (const s of servers) rmSync(s.dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => {
    loadgen.kill();
    attackerProcess?.kill();
    killAll();
  });

  const results: Results = { wharf: new Map(), distribution: new Map() };
  const idle: Record<Registry, number | undefined> = { wharf: undefined, distribution: undefined };
  const peak: Record<Registry, number | undefined> = { wharf: undefined, distribution: undefined };
  let baselineNote: string | undefined;
  let diskNote: { fresh: number; recycled: number } | undefined;
  let singleMode: SingleUploadMode = 'post-put';
  let monolithicNote = '';
  const monolithicSupport: Partial<Record<Registry, boolean>> = {};

  try {
    if (!onlyIndex && needsPreparedData) {
      process.stderr.write('preparing data (generating and hashing the blobs) ...');
      const prepare: PrepareArgs = { blobSize: settings.blobSize, smallCount: settings.smallCount, smallSize: settings.smallSize };
      const prepared = await loadgen.call<{ seconds: number }>({ op: 'prepare', args: prepare }, transferTimeout);
      process.stderr.write(` ${prepared.seconds.toFixed(1)} s\n`);
    }

    if (!values['no-baseline']) {
      if (!onlyIndex && needsPreparedData) {
        process.stderr.write('file write ceiling (page cache) ...');
        await new Promise((resolve) => setTimeout(resolve, 4000)); // let freed memory go back to the host
        const fresh = fileWriteSpeed(settings.blobSize, false);
        const recycled = fileWriteSpeed(settings.blobSize, false);
        diskNote = { fresh, recycled };
        process.stderr.write(` ${fresh.toFixed(0)} MiB/s into fresh memory, ${recycled.toFixed(0)} MiB/s into just-freed memory\n`);
      }
      process.stderr.write('load generator ceiling against a trivial node:http server ...');
      const baseline = await startBaseline();
      servers.push(baseline);
      const target = { host: baseline.host, port: baseline.port };
      const options = { method: 'GET' as const, path: '/', concurrency: settings.loadConcurrency, maxRequests: settings.maxRequests, expectedStatus: 200, warmupMs: settings.warmupMs, durationMs: settings.durationMs };
      const m = await measure(baseline, async () => loadMeasurement(await loadgen.call<LoadResult>({ op: 'load', args: { target, options } }, settings.durationMs + 120_000)));
      const r = m.load!;
      baselineNote =
        `${fixed(r.perSecond, 0)} req/s at ${settings.loadConcurrency} connections (client CPU ${fixed(r.clientCpuPercent, 0)}% of a core, ` +
        `p50 ${fixed(r.p50Ms, 2)} ms; that server spends ${fixed((m.serverCpuSeconds / m.work) * 1e6, 0)} CPU-µs per request)`;
      process.stderr.write(` ${fixed(r.perSecond, 0)} req/s\n`);
      await baseline.stop();
      servers.splice(servers.indexOf(baseline), 1);
    }

    // Start every registry first: the single-request upload method must be one both support.
    const started: Partial<Record<Registry, RunningServer>> = {};
    for (const r of run) {
      const server = r === 'wharf' ? await startWharf() : await startDistribution();
      servers.push(server);
      started[r] = server;
      idle[r] = server.monitor.memory()?.rss;
      const probe = await loadgen.call<{ supported: boolean; status: number }>({ op: 'probe', args: { target: { host: server.host, port: server.port }, repo: 'bench/probe' } }, 60_000);
      monolithicSupport[r] = probe.supported;
      process.stderr.write(`${names[r]} pid ${server.pid} on 127.0.0.1:${server.port}; monolithic POST ?digest= with body: ${probe.supported ? 'supported (201)' : `not supported (HTTP ${probe.status})`}\n`);
    }
    const allMonolithic = run.every((r) => monolithicSupport[r]);
    singleMode = allMonolithic ? 'post-digest' : 'post-put';
    const unsupported = run.filter((r) => !monolithicSupport[r]).map((r) => names[r]);
    monolithicNote = allMonolithic
      ? 'single-request pushes use OCI monolithic POST ?digest= with the body'
      : `${unsupported.join(', ')} answer(s) POST ?digest= with 202 and ignore the body (no monolithic upload), so single-request pushes ` +
        'use POST then PUT ?digest= with the whole body for every registry; the true monolithic POST is measured separately where supported';

    const rows: Row[] = [
      { key: 'single', label: `${sizeLabel(settings.blobSize)} push, one request (${singleMode === 'post-digest' ? 'POST ?digest=' : 'POST + PUT ?digest= w/ body'})`, unit: 'MiB/s', perUnit: { label: 'CPU-s/GiB', scale: 1 } },
    ];
    const runMonolithic = !allMonolithic && run.some((r) => monolithicSupport[r]);
    if (runMonolithic) rows.push({ key: 'monolithic', label: `${sizeLabel(settings.blobSize)} push, monolithic POST ?digest=`, unit: 'MiB/s', perUnit: { label: 'CPU-s/GiB', scale: 1 } });
    rows.push(
      { key: 'chunked', label: `${sizeLabel(settings.blobSize)} push, POST + ${settings.chunks}×${sizeLabel(settings.blobSize / settings.chunks)} PATCH + PUT`, unit: 'MiB/s', perUnit: { label: 'CPU-s/GiB', scale: 1 } },
      { key: 'pull', label: `${sizeLabel(settings.blobSize)} pull, GET + sha256 check${settings.pullRepeat > 1 ? ` (best of ${settings.pullRepeat})` : ''}`, unit: 'MiB/s', perUnit: { label: 'CPU-s/GiB', scale: 1 } },
      { key: 'many', label: `${settings.smallCount}×${sizeLabel(settings.smallSize)} blob pushes, ${settings.smallConcurrency} in flight`, unit: 'blobs/s', perUnit: { label: 'CPU-ms/blob', scale: 1000 } },
      { key: 'manifest', label: `manifest GET by tag, ${settings.loadConcurrency} conns`, unit: 'req/s', perUnit: { label: 'CPU-µs/req', scale: 1e6 } },
      { key: 'head', label: `blob HEAD, ${settings.loadConcurrency} conns`, unit: 'req/s', perUnit: { label: 'CPU-µs/req', scale: 1e6 } },
      {
        key: 'attack',
        label: `manifest GET under attack (${settings.attackStalled.toLocaleString('en-US')} stalled conns + 1 fan-out pusher), ${settings.loadConcurrency} conns`,
        unit: 'req/s',
        perUnit: { label: 'CPU-µs/req', scale: 1e6 },
      },
    );
    if (workloads) rows.splice(0, rows.length, ...rows.filter((row) => picked(row.key)));

    // Workload by workload, the registries take turns (alternating who goes first), so drift in
    // this machine's speed over the run does not land on one registry only.
    const steps = workloadSteps(loadgen, attacker, settings, singleMode).filter((step) => rows.some((row) => row.key === step.key));
    for (const [i, step] of steps.entries()) {
      const order = i % 2 === 0 ? run : [...run].reverse();
      for (const r of order) {
        if (step.key === 'monolithic' && !monolithicSupport[r]) continue;
        await runStep(step, r, started[r]!, results[r]);
      }
    }
    for (const r of run) {
      const server = started[r]!;
      peak[r] = server.monitor.peakRss();
      await server.stop();
      servers.splice(servers.indexOf(server), 1);
    }
    syncDisks();

    // The same push and pull workloads with each registry on Ceph RGW (S3 driver, one fresh bucket).
    const cephResults: Results = { wharf: new Map(), distribution: new Map() };
    let cephNote = values['no-ceph'] ? 'skipped (--no-ceph)' : workloads ? 'skipped (--workload)' : undefined;
    if (!cephNote && run.length) {
      let reason: string | undefined;
      try {
        reason = await requireCeph();
      } catch (err) {
        reason = (err as Error).message;
      }
      if (reason) cephNote = `skipped: ${reason}`;
      else {
        const transfers = steps.filter((step) => ['single', 'chunked', 'pull'].includes(step.key));
        let storage: S3Storage | undefined;
        try {
          storage = await freshS3Storage('wharf-bench');
          for (const r of run) {
            const server = r === 'wharf' ? await startWharf(storage) : await startDistribution({ ...storage, rootDirectory: '/distribution' });
            servers.push(server);
            process.stderr.write(`${names[r]} on Ceph RGW (bucket ${storage.bucket}), pid ${server.pid}\n`);
            for (const step of transfers) await runStep(step, r, server, cephResults[r]);
            await server.stop();
            servers.splice(servers.indexOf(server), 1);
          }
        } finally {
          if (storage) await removeS3Storage(storage).catch(() => undefined);
        }
      }
    }

    if (run.length) {
      printReport(rows, results, run, { idle, peak });
      printCephComparison(rows, results, cephResults, run, cephNote);
      console.log('\nMethod');
      console.log(`  - ${monolithicNote}.`);
      if (diskNote) {
        console.log(
          `  - machine: writing ${sizeLabel(settings.blobSize)} to a file (1 MiB writeSync into the page cache, no fsync) runs at ${diskNote.fresh.toFixed(0)} MiB/s ` +
            `when the kernel must take fresh memory and ${diskNote.recycled.toFixed(0)} MiB/s when it reuses memory just freed (on a VM with a balloon /\n` +
            '    free-page reporting, fresh pages fault in from the host). So before every push the bench writes and deletes a scratch file of 1.25× the\n' +
            '    push size (after sync), and each push writes into recycled memory: push figures measure the registry, not the hypervisor.',
        );
      }
      if (baselineNote) console.log(`  - load generator ceiling (same loop against a trivial node:http server): ${baselineNote}.`);
      console.log('  - request rates near that ceiling are limited by the client, not the registry; compare "server CPU per request" there.');
      console.log('  - peak RSS per workload: kernel high-water mark reset before each workload (/proc/PID/clear_refs = 5) plus 100 ms samples.');
      console.log('  - "client CPU %" is the load generator\'s CPU over the workload, as % of one core.');
      console.log('  - every push is verified (201 + HEAD size); every pull byte is hashed and compared with the digest.');
    }

    printAttackReport(rows, results, run);
    if (workloads) return run.some((r) => [...results[r].values()].some((m) => 'error' in m)) ? 1 : 0;
    const indexBench = indexSettings({ quick: values.quick, concurrency: settings.loadConcurrency, durationMs: settings.durationMs, warmupMs: settings.warmupMs, maxRequests: settings.maxRequests });
    const indexReport = await runIndexBench((request, timeoutMs) => loadgen.call(request, timeoutMs), indexBench, servers);
    const indexFailed = printIndexReport(indexReport, indexBench, onlyIndex ? baselineNote : undefined);
    const catalog = catalogSettings(values.quick);
    if (!onlyIndex) printCatalogReport(await runCatalogBench(catalog, { ceph: !values['no-ceph'] }), catalog);
    const failed = indexFailed || run.some((r) => [...results[r].values(), ...cephResults[r].values()].some((m) => 'error' in m));
    return failed ? 1 : 0;
  } finally {
    await stopAll();
    loadgen.kill();
    attackerProcess?.kill();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench: ${(err as Error).stack ?? String(err)}`);
    killAll();
    process.exitCode = 1;
  },
);
