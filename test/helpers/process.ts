// Shared plumbing for the e2e/interop helpers: free loopback ports, bounded waits, and running
// external commands with a timeout and their output kept for assertion messages.
import { execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A port the kernel just handed out on 127.0.0.1 (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
  cwd?: string;
}

/** Runs a command to completion (killed after timeoutMs); never throws on a non-zero exit. */
export function run(file: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 120_000,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        const note = error?.killed ? `\n[${file} killed after ${opts.timeoutMs ?? 120_000}ms]` : '';
        resolve({ code, stdout, stderr: stderr + note });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Like run, but throws (with the command and its stderr) unless it exits 0. */
export async function runOk(file: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const result = await run(file, args, opts);
  if (result.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} exited ${result.code}\n${result.stderr}\n${result.stdout}`.trim());
  }
  return result;
}

/** Polls check() every intervalMs until it returns true; throws after timeoutMs. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
}

/** Keeps the last maxBytes of a child's stdout+stderr, for error messages. */
export function captureOutput(child: ChildProcess, maxBytes = 32 * 1024): () => string {
  let text = '';
  const add = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-maxBytes);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => text;
}

const live = new Set<ChildProcess>();

/**
 * Registers a long-running child (a registry) so it is killed if the test process exits without
 * stopping it (a failed before hook, a thrown assertion): no registry outlives its test file.
 */
export function track(child: ChildProcess): void {
  if (live.size === 0) process.once('exit', () => live.forEach((c) => c.kill('SIGKILL')));
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** A temp directory removed when the test process exits (for per-process client config). */
export function processTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Rethrows a failure of fn with the last log lines of the registry under test appended. */
export async function withLogs<T>(registry: { logs(): string }, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof Error) err.message += `
--- registry output (tail) ---
${registry.logs().slice(-4000)}`;
    throw err;
  }
}

/** SIGTERM, then SIGKILL if the child has not exited within graceMs. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = sleep(graceMs).then(() => 'timeout' as const);
  if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(2_000)]);
  }
}

/** Answers true once url responds with one of the statuses (connection errors count as not yet). */
export async function answers(url: string, statuses: number[]): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await res.arrayBuffer();
    return statuses.includes(res.status);
  } catch {
    return false;
  }
}
