// Starts `wharf registry` or `wharf serve` with a configuration file (written as JSON, which is
// YAML too) on free loopback ports: for settings the environment cannot express, such as the
// proxy's list of upstreams.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliMain, launch, withoutWharfVars } from './launch.js';
import { answers } from './process.js';

export interface ConfiguredWharf {
  /** 127.0.0.1:PORT per started service: [registry] for registry, [index, registry] for serve. */
  hosts: string[];
  dataDir: string;
  logs(): string;
  stop(): Promise<void>;
}

export interface ConfiguredWharfOptions {
  command: 'registry' | 'serve';
  /** The config document for these addresses and this data directory. */
  config(hosts: string[], dataDir: string): object;
  /** Status GET /v2/ of the registry must answer once ready (default 200 or 401). */
  ready?: number[];
  /** Keep this data directory (a restart over the same storage) instead of a fresh one. */
  dataDir?: string;
}

export async function startConfiguredWharf(opts: ConfiguredWharfOptions): Promise<ConfiguredWharf> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), `wharf-${opts.command}-`)));
  const configPath = join(dataDir, `config-${process.pid}-${Date.now()}.yaml`);
  const ports = opts.command === 'serve' ? 2 : 1;
  const server = await launch({
    name: `wharf ${opts.command}`,
    ports,
    command: async (hosts) => {
      await writeFile(configPath, JSON.stringify(opts.config(hosts, dataDir), null, 2));
      return { file: process.execPath, args: [cliMain, opts.command, '--config', configPath], env: withoutWharfVars(process.env) };
    },
    ready: async (hosts) => {
      if (ports === 2 && !(await answers(`http://${hosts[0]}/keys`, [200]))) return false;
      return answers(`http://${hosts[ports - 1]}/v2/`, opts.ready ?? [200, 401]);
    },
    portTaken: /EADDRINUSE/,
    logBytes: 1024 * 1024,
    readyTimeoutMs: 30_000,
    cleanup: async () => {
      if (opts.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
      else await rm(configPath, { force: true });
    },
  });
  return { hosts: server.hosts, dataDir, logs: server.logs, stop: server.stop };
}
