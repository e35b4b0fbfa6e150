// The one way the e2e/interop helpers start a long-running server (a Wharf service, Distribution):
// pick free loopback ports, spawn the process, poll until it answers, and start over on fresh
// ports if another process took one in between (freePort closes its socket before we bind).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureOutput, freePort, stopChild, track, waitFor } from './process.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The built CLI: the tests run Wharf as an operator would. */
export const cliMain = join(repoRoot, 'services/cli/dist/src/main.js');

/** The caller's WHARF_* settings must not leak into a child (a stray WHARF_CONFIG, say). */
export function withoutWharfVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('WHARF_')));
}

export interface Command {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface LaunchOptions {
  /** What starts, for messages ("wharf serve", "docker-registry"). */
  name: string;
  /** How many distinct free ports to pick on each attempt (default 1). */
  ports?: number;
  /**
   * The command for these addresses ("127.0.0.1:PORT", one per port), called on every attempt:
   * settings name the ports, and a config file may have to be rewritten for them.
   */
  command(hosts: string[]): Command | Promise<Command>;
  /** True once the server serves (poll with `answers`, where connection errors count as not yet). */
  ready(hosts: string[]): Promise<boolean>;
  /** The server's log line for a port another process took: only that failure is retried. */
  portTaken: RegExp;
  /** How much of the output logs() keeps (default 256 KiB). */
  logBytes?: number;
  /** How long one attempt may take to answer (default 15 s). */
  readyTimeoutMs?: number;
  /** Runs once the server is stopped, or after the last failed attempt (removes temp dirs). */
  cleanup?: () => Promise<void>;
}

export interface Launched {
  /** The addresses the server listens on, in the order `command` got them. */
  hosts: string[];
  /** The last lines the process printed. */
  logs(): string;
  /** The process id (the cluster primary, for a registry with workers). */
  pid: number;
  /** Stops the process (SIGTERM, then SIGKILL), then runs `cleanup`. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash: no shutdown code runs, and `cleanup` waits for stop(). */
  kill(): Promise<void>;
}

const attempts = 3;

/** Starts the server; throws (after `cleanup`) with the last attempt's error and output. */
export async function launch(opts: LaunchOptions): Promise<Launched> {
  const cleanup = opts.cleanup ?? (async () => {});
  let lastError: unknown = new Error(`${opts.name}: no free ports`);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const ports = await distinctFreePorts(opts.ports ?? 1);
    if (!ports) continue;
    const hosts = ports.map((port) => `127.0.0.1:${port}`);
    const { file, args, env } = await opts.command(hosts);
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    const logs = captureOutput(child, opts.logBytes ?? 256 * 1024);
    // A missing binary is reported as an 'error' event, not as an exit.
    let spawnError: Error | undefined;
    child.once('error', (err) => (spawnError = err));
    try {
      await waitFor(`${opts.name} on ${hosts.join(', ')}`, async () => {
        if (spawnError) throw spawnError;
        if (child.exitCode !== null) throw new Error(`${opts.name} exited ${child.exitCode} before it answered:\n${logs()}`);
        return opts.ready(hosts);
      }, opts.readyTimeoutMs);
    } catch (err) {
      lastError = err;
      await stopChild(child);
      if (opts.portTaken.test(logs())) continue;
      break;
    }
    return {
      hosts,
      logs,
      pid: child.pid!,
      async stop() {
        await stopChild(child);
        await cleanup();
      },
      async kill() {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await exited;
      },
    };
  }
  await cleanup();
  throw lastError;
}

/** `count` free ports, or undefined when the kernel handed out one twice (the caller picks again). */
async function distinctFreePorts(count: number): Promise<number[] | undefined> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return new Set(ports).size === count ? ports : undefined;
}
