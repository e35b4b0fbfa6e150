// The whole Wharf system as an operator runs it: `wharf serve` (index + registry in token mode
// against the index's keys) on two free loopback ports with a temp data directory, plus the
// index's JSON API calls the e2e tests need (sign-up, repositories, collaborators, access
// tokens) and `wharf registry` alone against any token server. Also the docker CLI with a
// DOCKER_CONFIG of the caller's choosing, so each identity in a test keeps its own login.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerHost } from './docker.js';
import { answers, captureOutput, freePort, run, runOk, stopChild, track, waitFor, type RunResult } from './process.js';
import { repoRoot } from './stack.js';

export const cliMain = join(repoRoot, 'services/cli/dist/src/main.js');

/** The caller's WHARF_* settings must not leak into a child (a stray WHARF_CONFIG, say). */
export function withoutWharfVars(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('WHARF_')));
}

export interface WharfStackOptions {
  /** Further WHARF_* settings for `wharf serve` (they win over the helper's own). */
  env?: Record<string, string>;
  /** Log level of both services (default info: the access log is what a failure needs). */
  logLevel?: string;
}

export interface ApiResult<T = unknown> {
  status: number;
  body: T;
  text: string;
}

/** "user:secret" (a password or a personal access token) or nothing for an anonymous call. */
export type Credentials = string | undefined;

export interface WharfStack {
  /** http://127.0.0.1:PORT of the index (token realm, JSON API, keys). */
  indexUrl: string;
  /** 127.0.0.1:PORT of the registry, as image references want it. */
  registryHost: string;
  /** http://127.0.0.1:PORT of the registry. */
  registryUrl: string;
  dataDir: string;
  /** The environment serve runs with (and `wharf user add` uses: same database). */
  env: NodeJS.ProcessEnv;
  /** The last lines serve printed. */
  logs(): string;
  stop(): Promise<void>;
  /** `wharf user add NAME [--admin]` with the password on standard input. */
  addUser(username: string, password: string, opts?: { admin?: boolean }): Promise<void>;
  /** POST /api/users (self sign-up). */
  signUp(username: string, password: string, email?: string): Promise<void>;
  /** Any JSON API call; never throws on a status. */
  api<T = unknown>(method: string, path: string, opts?: { auth?: Credentials; body?: unknown }): Promise<ApiResult<T>>;
  /** Same, but throws (with the body and the log tail) unless the status is one of `expect`. */
  apiOk<T = unknown>(method: string, path: string, opts?: { auth?: Credentials; body?: unknown; expect?: number[] }): Promise<T>;
  createRepository(auth: Credentials, name: string, visibility: 'public' | 'private', description?: string): Promise<void>;
  setVisibility(auth: Credentials, name: string, visibility: 'public' | 'private'): Promise<void>;
  addCollaborator(auth: Credentials, name: string, username: string, permission: 'read' | 'write' | 'admin'): Promise<void>;
  /** POST /api/user/tokens: the token's id and its secret (shown once). */
  createAccessToken(auth: Credentials, name: string, permission: 'read' | 'read-write' | 'read-write-delete'): Promise<{ id: number; token: string }>;
  revokeAccessToken(auth: Credentials, id: number): Promise<void>;
  /** GET /keys/certificates.pem: the signing keys as certificates (a registry's rootcertbundle). */
  certificatesPem(): Promise<string>;
  /**
   * Polls GET /api/repositories/<name> (as `auth`) until `until` holds for the view, which the
   * registry's push and delete events bring about asynchronously; throws with the last answer.
   */
  waitForRepository(name: string, auth: Credentials, what: string, until: (repo: RepositoryView) => boolean, timeoutMs?: number): Promise<RepositoryView>;
  /** GET /token for the registry with these scopes: the bearer token and the granted scope. */
  registryToken(auth: Credentials, ...scopes: string[]): Promise<{ token: string; scope: string }>;
}

/** What GET /api/repositories/<name> answers (the fields the tests read). */
export interface RepositoryView {
  name: string;
  visibility: 'public' | 'private';
  description: string;
  tags: { tag: string; digest: string }[];
}

function basic(auth: string): string {
  return `Basic ${Buffer.from(auth).toString('base64')}`;
}

/** Starts `wharf serve`; resolves once the index serves its keys and the registry challenges. */
export async function startWharfStack(opts: WharfStackOptions = {}): Promise<WharfStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wharf-stack-'));
  await mkdir(join(dataDir, 'index'), { recursive: true });
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const [indexPort, registryPort] = [await freePort(), await freePort()];
    if (indexPort === registryPort) continue;
    const indexAddr = `127.0.0.1:${indexPort}`;
    const registryHost = `127.0.0.1:${registryPort}`;
    const level = opts.logLevel ?? 'info';
    const env: NodeJS.ProcessEnv = {
      ...withoutWharfVars(process.env),
      WHARF_INDEX_HTTP_ADDR: indexAddr,
      WHARF_INDEX_DATABASE_PATH: join(dataDir, 'index', 'index.db'),
      WHARF_INDEX_LOG_LEVEL: level,
      WHARF_REGISTRY_HTTP_ADDR: registryHost,
      WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: join(dataDir, 'registry'),
      WHARF_REGISTRY_LOG_LEVEL: level,
      ...opts.env,
    };
    const child = spawn(process.execPath, [cliMain, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    const logs = captureOutput(child, 512 * 1024);
    const indexUrl = `http://${indexAddr}`;
    const registryUrl = `http://${registryHost}`;
    try {
      await waitFor(`wharf serve (index ${indexAddr}, registry ${registryHost})`, async () => {
        if (child.exitCode !== null) throw new Error(`wharf serve exited ${child.exitCode} before it answered:\n${logs()}`);
        return (await answers(`${indexUrl}/keys`, [200])) && (await answers(`${registryUrl}/v2/`, [401]));
      }, 30_000);
    } catch (err) {
      lastError = err;
      await stopChild(child);
      if (/EADDRINUSE/.test(logs())) continue; // another process took a port: pick again
      break;
    }
    return stackOf(child, { indexUrl, registryHost, registryUrl, dataDir, env, logs });
  }
  await rm(dataDir, { recursive: true, force: true });
  throw lastError;
}

function stackOf(
  child: ChildProcess,
  base: Pick<WharfStack, 'indexUrl' | 'registryHost' | 'registryUrl' | 'dataDir' | 'env' | 'logs'>,
): WharfStack {
  const api = async <T>(method: string, path: string, opts: { auth?: Credentials; body?: unknown } = {}): Promise<ApiResult<T>> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.auth) headers.authorization = basic(opts.auth);
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base.indexUrl}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: body as T, text };
  };
  const apiOk = async <T>(method: string, path: string, opts: { auth?: Credentials; body?: unknown; expect?: number[] } = {}): Promise<T> => {
    const res = await api<T>(method, path, opts);
    const expect = opts.expect ?? [200, 201, 204];
    if (!expect.includes(res.status)) {
      const who = opts.auth ? ` as ${opts.auth.split(':')[0]}` : ' anonymously';
      throw new Error(`${method} ${path}${who}: expected ${expect.join('|')}, got ${res.status} ${res.text}\n--- wharf serve (tail) ---\n${base.logs().slice(-3000)}`);
    }
    return res.body;
  };
  const repoPath = (name: string) => `/api/repositories/${name}`;
  return {
    ...base,
    async stop() {
      await stopChild(child);
      await rm(base.dataDir, { recursive: true, force: true });
    },
    async addUser(username, password, opts = {}) {
      const args = [cliMain, 'user', 'add', username, ...(opts.admin ? ['--admin'] : [])];
      await runOk(process.execPath, args, { env: base.env, input: `${password}\n`, timeoutMs: 30_000 });
    },
    async signUp(username, password, email = `${username}@example.test`) {
      await apiOk('POST', '/api/users', { body: { username, email, password }, expect: [201] });
    },
    api,
    apiOk,
    async createRepository(auth, name, visibility, description = `${name}, made by the e2e tests`) {
      await apiOk('POST', '/api/repositories', { auth, body: { name, visibility, description }, expect: [200, 201] });
    },
    async setVisibility(auth, name, visibility) {
      await apiOk('PATCH', repoPath(name), { auth, body: { visibility }, expect: [200] });
    },
    async addCollaborator(auth, name, username, permission) {
      await apiOk('PUT', `${repoPath(name)}/collaborators/${username}`, { auth, body: { permission }, expect: [200, 201, 204] });
    },
    async createAccessToken(auth, name, permission) {
      const body = await apiOk<{ id: number; token: string }>('POST', '/api/user/tokens', { auth, body: { name, permission }, expect: [201] });
      if (typeof body.id !== 'number' || typeof body.token !== 'string') throw new Error(`POST /api/user/tokens answered ${JSON.stringify(body)}`);
      return { id: body.id, token: body.token };
    },
    async revokeAccessToken(auth, id) {
      await apiOk('DELETE', `/api/user/tokens/${id}`, { auth, expect: [204] });
    },
    async certificatesPem() {
      const res = await fetch(`${base.indexUrl}/keys/certificates.pem`, { signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      if (res.status !== 200 || !text.includes('BEGIN CERTIFICATE')) throw new Error(`GET /keys/certificates.pem: ${res.status} ${text}`);
      return text;
    },
    async waitForRepository(name, auth, what, until, timeoutMs = 15_000) {
      let last = '';
      let view: RepositoryView | undefined;
      try {
        await waitFor(`the index: ${name} ${what}`, async () => {
          const res = await api<RepositoryView>('GET', repoPath(name), { auth });
          last = `${res.status} ${res.text}`;
          if (res.status === 200 && until(res.body)) view = res.body;
          return view !== undefined;
        }, timeoutMs, 200);
      } catch (err) {
        (err as Error).message += `; last answer: ${last}\n--- wharf serve (tail) ---\n${base.logs().slice(-3000)}`;
        throw err;
      }
      return view!;
    },
    async registryToken(auth, ...scopes) {
      const query = new URLSearchParams({ service: 'wharf-registry' });
      for (const scope of scopes) query.append('scope', scope);
      const body = await apiOk<{ token: string; scope: string }>('GET', `/token?${query}`, { auth, expect: [200] });
      return { token: body.token, scope: body.scope };
    },
  };
}

export interface TokenRegistryOptions {
  realm: string;
  service: string;
  issuer: string;
  /** PEM certificates whose keys sign tokens (and/or jwks). */
  rootCertBundle?: string;
  jwks?: string;
  logLevel?: string;
}

export interface RunningTokenRegistry {
  url: string;
  host: string;
  dataDir: string;
  logs(): string;
  stop(): Promise<void>;
}

/** `wharf registry` alone, in token mode against any token server. */
export async function startTokenRegistry(opts: TokenRegistryOptions): Promise<RunningTokenRegistry> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wharf-token-registry-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const host = `127.0.0.1:${await freePort()}`;
    const env: NodeJS.ProcessEnv = {
      ...withoutWharfVars(process.env),
      WHARF_REGISTRY_HTTP_ADDR: host,
      WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: dataDir,
      WHARF_REGISTRY_LOG_LEVEL: opts.logLevel ?? 'info',
      WHARF_REGISTRY_AUTH_TOKEN_REALM: opts.realm,
      WHARF_REGISTRY_AUTH_TOKEN_SERVICE: opts.service,
      WHARF_REGISTRY_AUTH_TOKEN_ISSUER: opts.issuer,
    };
    if (opts.rootCertBundle) env.WHARF_REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE = opts.rootCertBundle;
    if (opts.jwks) env.WHARF_REGISTRY_AUTH_TOKEN_JWKS = opts.jwks;
    const child = spawn(process.execPath, [cliMain, 'registry'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    track(child);
    const logs = captureOutput(child, 256 * 1024);
    const url = `http://${host}`;
    try {
      await waitFor(`wharf registry on ${host}`, async () => {
        if (child.exitCode !== null) throw new Error(`wharf registry exited ${child.exitCode} before it answered:\n${logs()}`);
        return answers(`${url}/v2/`, [401]);
      });
    } catch (err) {
      lastError = err;
      await stopChild(child);
      if (/EADDRINUSE/.test(logs())) continue;
      break;
    }
    return {
      url,
      host,
      dataDir,
      logs,
      async stop() {
        await stopChild(child);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }
  await rm(dataDir, { recursive: true, force: true });
  throw lastError;
}

export interface DockerClient {
  /** The DOCKER_CONFIG this client logs in to. */
  configDir: string;
  /** `docker ...args`, throwing with stderr unless it exits 0. */
  ok(...args: string[]): Promise<RunResult>;
  /** `docker ...args` that may fail; `input` goes to standard input (--password-stdin). */
  try(args: string[], input?: string): Promise<RunResult>;
  /** `docker login HOST -u USER --password-stdin`, never throwing. */
  login(host: string, user: string, secret: string): Promise<RunResult>;
}

/**
 * The docker CLI against the private engine with its own DOCKER_CONFIG (created if missing), so
 * a test can hold several identities at once and no login reaches ~/.docker or another file.
 */
export function dockerAs(configDir: string): DockerClient {
  const env = async (): Promise<NodeJS.ProcessEnv> => {
    await mkdir(configDir, { recursive: true });
    return { ...process.env, DOCKER_HOST: await dockerHost(), DOCKER_CONFIG: configDir };
  };
  const tryRun = async (args: string[], input?: string) => run('docker', args, { env: await env(), timeoutMs: 180_000, ...(input === undefined ? {} : { input }) });
  return {
    configDir,
    ok: async (...args) => runOk('docker', args, { env: await env(), timeoutMs: 180_000 }),
    try: tryRun,
    login: (host, user, secret) => tryRun(['login', host, '-u', user, '--password-stdin'], secret),
  };
}
