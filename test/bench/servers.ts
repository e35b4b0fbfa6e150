// Starting, watching and stopping the servers under test: Wharf (node), CNCF Distribution
// (`docker-registry`) and a trivial node HTTP server used to measure the load generator's own
// ceiling. Each runs on a free 127.0.0.1 port with a fresh temporary directory; stdout (the access
// log) goes to /dev/null and stderr to a file, so a failure can show its tail.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { MiB, randomBytes } from './data.js';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { S3Storage } from '../helpers/ceph.js';
import { processMemory } from '../helpers/proc-status.js';
import { distributionStorageYaml } from '../helpers/distribution.js';
import { s3StorageEnv } from '../helpers/stack.js';

export type ServerKind = 'wharf' | 'distribution' | 'baseline' | 'index';

export interface RunningServer {
  kind: ServerKind;
  host: string;
  port: number;
  pid: number;
  dir: string;
  child: ChildProcess;
  monitor: ProcessMonitor;
  /** Last bytes of the server's stderr. */
  stderrTail(): string;
  stop(): Promise<void>;
}

/** Repository root (test/dist/bench/ → ../../..). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const live = new Set<ChildProcess>();

/** Kills every server still running (used on error and at exit). */
export function killAll(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function distributionVersion(): string {
  try {
    return execFileSync('docker-registry', ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch (err) {
    return `unavailable (${(err as Error).message.split('\n')[0]})`;
  }
}

export function cleanEnv(): NodeJS.ProcessEnv {
  // WHARF_* and REGISTRY_* variables would override the configuration under test.
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('WHARF_') && !k.startsWith('REGISTRY_')));
}

/** Samples a process's memory and CPU from /proc (Linux). */
export class ProcessMonitor {
  private timer: NodeJS.Timeout | undefined;
  private phaseMaxRss = 0;
  private overallMaxRss = 0;
  private phaseCpu0 = 0;
  private canResetHwm = true;
  readonly ticksPerSecond = 100;

  constructor(readonly pid: number) {}

  start(intervalMs = 100): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** VmRSS and VmHWM in bytes, or undefined once the process is gone. */
  memory(): { rss: number; hwm: number } | undefined {
    return processMemory(this.pid);
  }

  /** User + system CPU seconds of all the process's threads. */
  cpuSeconds(): number {
    try {
      const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
      return (Number(fields[11]) + Number(fields[12])) / this.ticksPerSecond;
    } catch {
      return NaN;
    }
  }

  private sample(): void {
    const memory = this.memory();
    if (!memory) return;
    this.phaseMaxRss = Math.max(this.phaseMaxRss, memory.rss, memory.hwm);
    this.overallMaxRss = Math.max(this.overallMaxRss, memory.rss, memory.hwm);
  }

  /** Starts a measured phase: resets the kernel's high-water mark (clear_refs 5) and the CPU base. */
  beginPhase(): void {
    this.sample();
    if (this.canResetHwm) {
      try {
        writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
      } catch {
        this.canResetHwm = false;
      }
    }
    this.phaseMaxRss = this.memory()?.rss ?? 0;
    this.phaseCpu0 = this.cpuSeconds();
  }

  /** Peak RSS (bytes) and CPU seconds of the server since beginPhase(). */
  endPhase(): { peakRss: number; cpuSeconds: number } {
    this.sample();
    const memory = this.memory();
    // Without a resettable high-water mark the kernel's VmHWM is the peak since start: use samples.
    const peak = Math.max(this.phaseMaxRss, this.canResetHwm ? (memory?.hwm ?? 0) : 0);
    this.overallMaxRss = Math.max(this.overallMaxRss, peak);
    return { peakRss: peak, cpuSeconds: this.cpuSeconds() - this.phaseCpu0 };
  }

  /** Highest RSS seen over the process's life (kernel high-water marks and samples). */
  peakRss(): number {
    this.sample();
    return this.overallMaxRss;
  }
}

function getStatus(host: string, port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

export interface SpawnSpec {
  kind: ServerKind;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  dir: string;
  port: number;
  readyPath: string;
}

export async function launch(spec: SpawnSpec): Promise<RunningServer> {
  const host = '127.0.0.1';
  const stderrPath = join(spec.dir, 'stderr.log');
  const stderrFd = openSync(stderrPath, 'w');
  const child = spawn(spec.command, spec.args, { cwd: spec.dir, env: spec.env, stdio: ['ignore', 'ignore', stderrFd] });
  closeSync(stderrFd);
  live.add(child);
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
    live.delete(child);
  });
  const tail = () => {
    try {
      return readFileSync(stderrPath, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  };
  const stop = async () => {
    monitor.stop();
    if (exited === undefined) {
      child.kill('SIGTERM');
      for (let i = 0; i < 50 && exited === undefined; i++) await sleep(100);
      if (exited === undefined) child.kill('SIGKILL');
      for (let i = 0; i < 20 && exited === undefined; i++) await sleep(100);
    }
    live.delete(child);
    rmSync(spec.dir, { recursive: true, force: true });
  };
  if (child.pid === undefined) {
    await sleep(100);
    await stop();
    throw new Error(`${spec.kind}: could not start ${spec.command}: ${exited ?? ''}`);
  }
  const monitor = new ProcessMonitor(child.pid);
  const server: RunningServer = { kind: spec.kind, host, port: spec.port, pid: child.pid, dir: spec.dir, child, monitor, stderrTail: tail, stop };
  // Ready when the base endpoint answers 200; at most 30 s.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== undefined) {
      await stop();
      throw new Error(`${spec.kind} ${exited} before it was ready:\n${tail()}`);
    }
    if ((await getStatus(host, spec.port, spec.readyPath)) === 200) break;
    if (Date.now() > deadline) {
      const text = tail();
      await stop();
      throw new Error(`${spec.kind} did not answer on ${host}:${spec.port} within 30 s:\n${text}`);
    }
    await sleep(100);
  }
  monitor.start();
  return server;
}

export function tempDir(kind: ServerKind): string {
  return mkdtempSync(join(tmpdir(), `wharf-bench-${kind}-`));
}

/** `wharf registry`, default configuration apart from address, storage root and log level (or an S3 bucket). */
export async function startWharf(s3?: S3Storage): Promise<RunningServer> {
  const dir = tempDir('wharf');
  const port = await freePort();
  const env = {
    ...cleanEnv(),
    WHARF_REGISTRY_HTTP_ADDR: `127.0.0.1:${port}`,
    ...(s3 ? s3StorageEnv(s3) : { WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: join(dir, 'storage') }),
    WHARF_REGISTRY_LOG_LEVEL: 'info',
    NODE_ENV: 'production',
  };
  const main = join(repoRoot, 'services/cli/dist/src/main.js');
  const extra = process.env.WHARF_BENCH_NODE_ARGS ? process.env.WHARF_BENCH_NODE_ARGS.split(' ').filter(Boolean) : [];
  return launch({ kind: 'wharf', command: process.execPath, args: [...extra, main, 'registry'], env, dir, port, readyPath: '/v2/' });
}

/** Distribution with a minimal config: filesystem storage (or its s3 driver on a bucket), info-level log with the access log on. */
export async function startDistribution(s3?: S3Storage): Promise<RunningServer> {
  const dir = tempDir('distribution');
  const port = await freePort();
  const config = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    ...distributionStorageYaml(join(dir, 'storage'), { s3 }),
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '',
  ].join('\n');
  const configPath = join(dir, 'config.yml');
  writeFileSync(configPath, config);
  // Distribution 2.8 crashes at start when AWS_CA_BUNDLE is set.
  const env = Object.fromEntries(Object.entries(cleanEnv()).filter(([k]) => k !== 'AWS_CA_BUNDLE'));
  return launch({ kind: 'distribution', command: 'docker-registry', args: ['serve', configPath], env, dir, port, readyPath: '/v2/' });
}

/** A node HTTP server that answers every request with 200 and a small fixed body. */
export async function startBaseline(): Promise<RunningServer> {
  const dir = tempDir('baseline');
  const port = await freePort();
  const script = fileURLToPath(new URL('./baseline-server.js', import.meta.url));
  return launch({ kind: 'baseline', command: process.execPath, args: [script, String(port)], env: cleanEnv(), dir, port, readyPath: '/' });
}

/**
 * Writes `size` bytes to a scratch file in the temp dir and deletes it; returns MiB/s. Used both to
 * measure the machine and to leave that much just-freed memory for the page cache to reuse.
 */
export function fileWriteSpeed(size: number, sync: boolean): number {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-bench-scratch-'));
  try {
    const block = randomBytes(99, MiB);
    const fd = openSync(join(dir, 'data'), 'w');
    const t0 = performance.now();
    try {
      for (let written = 0; written < size; written += MiB) writeSync(fd, block);
    } finally {
      closeSync(fd);
    }
    return size / MiB / ((performance.now() - t0) / 1000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (sync) syncDisks();
  }
}

export function syncDisks(): void {
  try {
    execFileSync('sync', [], { timeout: 120_000 });
  } catch {
    // best effort: only evens out writeback between workloads
  }
}
