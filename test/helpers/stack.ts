// Starts a Wharf registry as a child process (the built CLI, as an operator would run it) on a
// free loopback port with its own data directory.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answers, captureOutput, freePort, stopChild, track, waitFor } from './process.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cliMain = join(repoRoot, 'services/cli/dist/src/main.js');

export interface RegistryOptions {
  /** Serve this directory (kept on stop); by default a fresh temp dir (removed on stop). */
  dataDir?: string;
  /** htpasswd file (bcrypt entries) to require basic auth. */
  htpasswdPath?: string;
  realm?: string;
  /** Manifest/blob DELETE (default true). */
  deleteEnabled?: boolean;
  /** Wharf's log level (default warn; info adds an access log line per request). */
  logLevel?: string;
}

export interface RunningRegistry {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT, as image references want it */
  host: string;
  dataDir: string;
  /** The last lines the process printed. */
  logs(): string;
  stop(): Promise<void>;
}

export async function startWharf(opts: RegistryOptions = {}): Promise<RunningRegistry> {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'wharf-e2e-')));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = {
      ...withoutWharfVars(process.env),
      WHARF_REGISTRY_HTTP_ADDR: host,
      WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: dataDir,
      WHARF_REGISTRY_STORAGE_DELETE_ENABLED: String(opts.deleteEnabled ?? true),
      WHARF_REGISTRY_LOG_LEVEL: opts.logLevel ?? 'warn',
    };
    if (opts.htpasswdPath) {
      env.WHARF_REGISTRY_AUTH_HTPASSWD_PATH = opts.htpasswdPath;
      env.WHARF_REGISTRY_AUTH_HTPASSWD_REALM = opts.realm ?? 'wharf-e2e';
    }
    const child = spawn(process.execPath, [cliMain, 'registry'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    const logs = captureOutput(child);
    const url = `http://${host}`;
    try {
      await waitFor(`wharf on ${host}`, async () => {
        if (child.exitCode !== null) throw new Error(`wharf exited ${child.exitCode} before it answered:\n${logs()}`);
        return answers(`${url}/v2/`, [200, 401]);
      });
    } catch (err) {
      lastError = err;
      await stopChild(child);
      if (/EADDRINUSE/.test(logs())) continue; // another process took the port: pick again
      break;
    }
    return {
      url,
      host,
      dataDir,
      logs,
      async stop() {
        await stopChild(child);
        if (ownDir) await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  if (ownDir) await rm(dataDir, { recursive: true, force: true });
  throw lastError;
}

/** The caller's WHARF_* settings must not leak into the child (a stray WHARF_CONFIG, say). */
function withoutWharfVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('WHARF_')));
}
