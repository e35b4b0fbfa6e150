// The whole Wharf system as an operator runs it: `wharf serve` (index + registry in token mode
// against the index's keys) on two free loopback ports with a temp data directory, plus the
// index's JSON API calls the e2e tests need (sign-up, repositories, collaborators, access
// tokens). Also the docker CLI with a DOCKER_CONFIG of the caller's choosing, so each identity
// in a test keeps its own login. (`wharf registry` alone is stack.ts's startWharf.)
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerHost } from './docker.js';
import { jsonApi, type Credentials, type JsonApi } from './json-api.js';
import { cliMain, launch, withoutWharfVars } from './launch.js';
import { answers, run, runOk, waitFor, type RunResult } from './process.js';

export type { ApiResult, Credentials } from './json-api.js';

/** Where the two services listen, known before they start. */
export interface StackAddresses {
  /** 127.0.0.1:PORT of the index. */
  indexHost: string;
  indexUrl: string;
  /** 127.0.0.1:PORT of the registry. */
  registryHost: string;
  registryUrl: string;
}

export interface WharfStackOptions {
  /**
   * Further WHARF_* settings for `wharf serve` (they win over the helper's own). A function gets
   * the addresses first, for settings that name the other service (the v1 halves do).
   */
  env?: Record<string, string> | ((addresses: StackAddresses) => Record<string, string>);
  /** Log level of both services (default info: the access log is what a failure needs). */
  logLevel?: string;
  /** Prefix of the temp data directory's name (default wharf-stack-). */
  dataDirPrefix?: string;
}

export interface WharfStack extends StackAddresses, JsonApi {
  dataDir: string;
  /** The environment serve runs with (and `wharf user add` uses: same database). */
  env: NodeJS.ProcessEnv;
  /** The last lines serve printed. */
  logs(): string;
  /** The process id of `wharf serve` (one process: index and registry). */
  pid: number;
  stop(): Promise<void>;
  /** `wharf user add NAME [--admin]` with the password on standard input. */
  addUser(username: string, password: string, opts?: { admin?: boolean }): Promise<void>;
  /** POST /api/users (self sign-up). */
  signUp(username: string, password: string, email?: string): Promise<void>;
  /** DELETE /api/user as the user: the account and its repositories go. */
  deleteOwnAccount(auth: string): Promise<void>;
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

/** Starts `wharf serve`; resolves once the index serves its keys and the registry challenges. */
export async function startWharfStack(opts: WharfStackOptions = {}): Promise<WharfStack> {
  const dataDir = await mkdtemp(join(tmpdir(), opts.dataDirPrefix ?? 'wharf-stack-'));
  await mkdir(join(dataDir, 'index'), { recursive: true });
  let env: NodeJS.ProcessEnv = {};
  const server = await launch({
    name: 'wharf serve',
    ports: 2,
    command: ([indexHost, registryHost]) => {
      const addresses = addressesOf(indexHost!, registryHost!);
      const level = opts.logLevel ?? 'info';
      env = {
        ...withoutWharfVars(process.env),
        WHARF_INDEX_HTTP_ADDR: addresses.indexHost,
        WHARF_INDEX_DATABASE_PATH: join(dataDir, 'index', 'index.db'),
        WHARF_INDEX_LOG_LEVEL: level,
        WHARF_REGISTRY_HTTP_ADDR: addresses.registryHost,
        WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: join(dataDir, 'registry'),
        WHARF_REGISTRY_LOG_LEVEL: level,
        ...(typeof opts.env === 'function' ? opts.env(addresses) : opts.env),
      };
      return { file: process.execPath, args: [cliMain, 'serve'], env };
    },
    ready: async ([indexHost, registryHost]) => (await answers(`http://${indexHost}/keys`, [200])) && (await answers(`http://${registryHost}/v2/`, [401])),
    portTaken: /EADDRINUSE/,
    // Long tests (the v1 suite) look far back for the access log lines of a failure.
    logBytes: 1024 * 1024,
    readyTimeoutMs: 30_000,
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  });
  const addresses = addressesOf(server.hosts[0]!, server.hosts[1]!);
  return stackOf({ ...addresses, dataDir, env, logs: server.logs, pid: server.pid, stop: server.stop });
}

function addressesOf(indexHost: string, registryHost: string): StackAddresses {
  return { indexHost, indexUrl: `http://${indexHost}`, registryHost, registryUrl: `http://${registryHost}` };
}

function stackOf(base: StackAddresses & Pick<WharfStack, 'dataDir' | 'env' | 'logs' | 'pid' | 'stop'>): WharfStack {
  const { api, apiOk } = jsonApi(base.indexUrl, { name: 'wharf serve', logs: base.logs });
  const repoPath = (name: string) => `/api/repositories/${name}`;
  return {
    ...base,
    api,
    apiOk,
    async addUser(username, password, opts = {}) {
      const args = [cliMain, 'user', 'add', username, ...(opts.admin ? ['--admin'] : [])];
      await runOk(process.execPath, args, { env: base.env, input: `${password}\n`, timeoutMs: 30_000 });
    },
    async signUp(username, password, email = `${username}@example.test`) {
      await apiOk('POST', '/api/users', { body: { username, email, password }, expect: [201] });
    },
    async deleteOwnAccount(auth) {
      await apiOk('DELETE', '/api/user', { auth, expect: [204] });
    },
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
