// `wharf serve` with its v1 halves connected: the registry validates v1 tokens against this
// index (registry.v1.index) and the index hands out this registry (index.v1.endpoints). The
// ports are picked before the start, because each service's setting names the other's port;
// wharf-stack.ts picks its ports inside, so this file starts serve itself, with the same
// environment otherwise, plus the few index API calls the v1 tests need.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answers, captureOutput, freePort, stopChild, track, waitFor } from './process.js';
import { basicAuth } from './v1-push-client.js';
import { cliMain, withoutWharfVars, type ApiResult, type Credentials } from './wharf-stack.js';

/** "user:password" of the site admin the stack starts with. */
export const v1StackAdmin = 'siteadmin:admin-password-v1-e2e';

export interface V1StackOptions {
  /** Further WHARF_* settings (they win over the helper's own). */
  env?: Record<string, string>;
  logLevel?: string;
}

export interface V1Stack {
  indexUrl: string;
  /** 127.0.0.1:PORT of the index. */
  indexHost: string;
  registryUrl: string;
  registryHost: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  logs(): string;
  stop(): Promise<void>;
  api<T = unknown>(method: string, path: string, opts?: { auth?: Credentials; body?: unknown }): Promise<ApiResult<T>>;
  apiOk<T = unknown>(method: string, path: string, opts?: { auth?: Credentials; body?: unknown; expect?: number[] }): Promise<T>;
  signUp(username: string, password: string): Promise<void>;
  createRepository(auth: Credentials, name: string, visibility: 'public' | 'private'): Promise<void>;
  addCollaborator(auth: Credentials, name: string, username: string, permission: 'read' | 'write' | 'admin'): Promise<void>;
  /** DELETE /api/user as the user: the account and its repositories go. */
  deleteOwnAccount(auth: string): Promise<void>;
  /** A v2 bearer token for the registry (GET /token). */
  registryToken(auth: Credentials, ...scopes: string[]): Promise<string>;
}

export async function startV1Stack(opts: V1StackOptions = {}): Promise<V1Stack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wharf-v1-stack-'));
  await mkdir(join(dataDir, 'index'), { recursive: true });
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const [indexPort, registryPort] = [await freePort(), await freePort()];
    if (indexPort === registryPort) continue;
    const indexHost = `127.0.0.1:${indexPort}`;
    const registryHost = `127.0.0.1:${registryPort}`;
    const indexUrl = `http://${indexHost}`;
    const registryUrl = `http://${registryHost}`;
    const level = opts.logLevel ?? 'info';
    const env: NodeJS.ProcessEnv = {
      ...withoutWharfVars(process.env),
      WHARF_INDEX_HTTP_ADDR: indexHost,
      WHARF_INDEX_DATABASE_PATH: join(dataDir, 'index', 'index.db'),
      WHARF_INDEX_LOG_LEVEL: level,
      WHARF_INDEX_V1_ENDPOINTS: registryHost,
      // A site admin: only admins push one-segment names (library/<name>).
      WHARF_INDEX_ACCOUNTS_INITIALADMIN_USERNAME: v1StackAdmin.split(':')[0]!,
      WHARF_INDEX_ACCOUNTS_INITIALADMIN_PASSWORD: v1StackAdmin.split(':')[1]!,
      WHARF_REGISTRY_HTTP_ADDR: registryHost,
      WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: join(dataDir, 'registry'),
      WHARF_REGISTRY_STORAGE_DELETE_ENABLED: 'true',
      WHARF_REGISTRY_LOG_LEVEL: level,
      WHARF_REGISTRY_V1_INDEX: indexUrl,
      // Short, so a deleted user's or a revoked repository's cached "yes" runs out within a test.
      WHARF_REGISTRY_V1_TOKENCACHETTL: '2s',
      ...opts.env,
    };
    const child = spawn(process.execPath, [cliMain, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    const logs = captureOutput(child, 1024 * 1024);
    try {
      await waitFor(`wharf serve with v1 (index ${indexHost}, registry ${registryHost})`, async () => {
        if (child.exitCode !== null) throw new Error(`wharf serve exited ${child.exitCode} before it answered:\n${logs()}`);
        return (await answers(`${indexUrl}/keys`, [200])) && (await answers(`${registryUrl}/v2/`, [401]));
      }, 30_000);
    } catch (err) {
      lastError = err;
      await stopChild(child);
      if (/EADDRINUSE/.test(logs())) continue;
      break;
    }
    const api = async <T>(method: string, path: string, o: { auth?: Credentials; body?: unknown } = {}): Promise<ApiResult<T>> => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (o.auth) headers.authorization = basicAuth(o.auth);
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${indexUrl}${path}`, { method, headers, body: o.body === undefined ? null : JSON.stringify(o.body), signal: AbortSignal.timeout(30_000) });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      return { status: res.status, body: body as T, text };
    };
    const apiOk = async <T>(method: string, path: string, o: { auth?: Credentials; body?: unknown; expect?: number[] } = {}): Promise<T> => {
      const res = await api<T>(method, path, o);
      const expect = o.expect ?? [200, 201, 204];
      if (!expect.includes(res.status)) {
        throw new Error(`${method} ${path} as ${o.auth?.split(':')[0] ?? 'anonymous'}: expected ${expect.join('|')}, got ${res.status} ${res.text}\n--- wharf serve (tail) ---\n${logs().slice(-3000)}`);
      }
      return res.body;
    };
    return {
      indexUrl,
      indexHost,
      registryUrl,
      registryHost,
      dataDir,
      env,
      logs,
      async stop() {
        await stopChild(child);
        await rm(dataDir, { recursive: true, force: true });
      },
      api,
      apiOk,
      async signUp(username, password) {
        await apiOk('POST', '/api/users', { body: { username, password, email: `${username}@example.test` }, expect: [201] });
      },
      async createRepository(auth, name, visibility) {
        await apiOk('POST', '/api/repositories', { auth, body: { name, visibility, description: `${name}: v1 e2e` }, expect: [200, 201] });
      },
      async addCollaborator(auth, name, username, permission) {
        await apiOk('PUT', `/api/repositories/${name}/collaborators/${username}`, { auth, body: { permission }, expect: [200, 201, 204] });
      },
      async deleteOwnAccount(auth) {
        await apiOk('DELETE', '/api/user', { auth, expect: [204] });
      },
      async registryToken(auth, ...scopes) {
        const query = new URLSearchParams({ service: 'wharf-registry' });
        for (const scope of scopes) query.append('scope', scope);
        return (await apiOk<{ token: string }>('GET', `/token?${query}`, { auth, expect: [200] })).token;
      },
    };
  }
  await rm(dataDir, { recursive: true, force: true });
  throw lastError;
}
