// Spawns `wharf registry | index | serve` as an operator runs it, for tests that watch the process
// itself: its exit code, its reaction to signals, its behaviour under a file-descriptor limit.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliMain, withoutWharfVars } from './launch.js';
import { answers, captureOutput, freePort, stopChild, track, waitFor } from './process.js';

export type WharfCommand = 'registry' | 'index' | 'serve';

export interface WharfProcessOptions {
  /** Registry worker processes (`--workers N`). */
  workers?: number;
  /** Further WHARF_* settings. */
  env?: Record<string, string>;
  /** Run under `ulimit -n` of this many file descriptors (as a default Linux shell gives 1024). */
  fdLimit?: number;
  /** Addresses to use instead of free ports ("127.0.0.1:PORT"): index first for serve. */
  hosts?: string[];
  /** Wait until every service answers (default true). */
  waitReady?: boolean;
}

export interface WharfProcess {
  child: ChildProcess;
  /** [registry], [index] or [index, registry] for serve. */
  hosts: string[];
  /** The registry's (or the index's) base URL. */
  url: string;
  logs(): string;
  /** Resolves once the process has exited, with its exit code or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

export async function spawnWharf(command: WharfCommand, opts: WharfProcessOptions = {}): Promise<WharfProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), `wharf-${command}-proc-`));
  const hosts = opts.hosts ?? (await Promise.all((command === 'serve' ? [0, 1] : [0]).map(async () => `127.0.0.1:${await freePort()}`)));
  const [indexHost, registryHost] = command === 'serve' ? hosts : command === 'index' ? [hosts[0], undefined] : [undefined, hosts[0]];
  const env: NodeJS.ProcessEnv = {
    ...withoutWharfVars(process.env),
    ...(registryHost ? { WHARF_REGISTRY_HTTP_ADDR: registryHost, WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: join(dataDir, 'registry') } : {}),
    ...(indexHost ? { WHARF_INDEX_HTTP_ADDR: indexHost, WHARF_INDEX_DATABASE_PATH: join(dataDir, 'index.db') } : {}),
    ...opts.env,
  };
  const args = [cliMain, command, ...(opts.workers ? ['--workers', String(opts.workers)] : [])];
  // `exec` keeps the pid: signals reach node, not a shell.
  const child = opts.fdLimit
    ? spawn('/bin/sh', ['-c', `ulimit -n ${opts.fdLimit} && exec "$0" "$@"`, process.execPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  const logs = captureOutput(child, 1024 * 1024);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const stop = async () => {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  const url = `http://${registryHost ?? indexHost}`;
  if (opts.waitReady ?? true) {
    try {
      await waitFor(`wharf ${command} on ${hosts.join(', ')}`, async () => {
        if (child.exitCode !== null) throw new Error(`wharf ${command} exited ${child.exitCode}:\n${logs()}`);
        if (indexHost && !(await answers(`http://${indexHost}/keys`, [200]))) return false;
        return !registryHost || answers(`http://${registryHost}/v2/`, [200, 401]);
      }, 30_000);
    } catch (err) {
      await stop();
      throw err;
    }
  }
  return { child, hosts, url, logs, exited, stop };
}
