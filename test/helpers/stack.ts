// Starts a Wharf registry alone (`wharf registry`, the built CLI, as an operator would run it) on
// a free loopback port with its own data directory: open, behind htpasswd, or in token mode
// against any token server.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliMain, launch, withoutWharfVars } from './launch.js';
import { answers } from './process.js';
import type { S3Storage } from './ceph.js';

/** Token authentication (Docker's token.md): where clients get tokens and which tokens count. */
export interface TokenAuthOptions {
  realm: string;
  service: string;
  issuer: string;
  /** PEM file of the certificates whose keys sign tokens (Distribution requires it). */
  rootCertBundle?: string;
  /** JWKS file with further signing keys (Wharf only). */
  jwks?: string;
}

/** Options both startWharf and startDistribution take, so a test can run the same steps on each. */
export interface RegistryOptions {
  /** Serve this directory (kept on stop); by default a fresh temp dir (removed on stop). */
  dataDir?: string;
  /** htpasswd file (bcrypt entries) to require basic auth. */
  htpasswdPath?: string;
  realm?: string;
  /** Require bearer tokens from this token server instead. */
  token?: TokenAuthOptions;
  /** Manifest/blob DELETE (default true). */
  deleteEnabled?: boolean;
  /** The registry's log level (default warn; info adds an access log line per request). */
  logLevel?: string;
  /** Store in this S3 bucket (Ceph RGW) instead of a data directory. */
  s3?: S3Storage;
  /** Answer blob GET/HEAD with 307 to the store's presigned URLs (Wharf: storage.redirect). */
  redirect?: boolean;
  /** Wharf only: storage settings (WHARF_REGISTRY_STORAGE_AZURE_…) instead of the data directory. */
  storageEnv?: Record<string, string>;
  /** Wharf only: `--workers N` (cluster workers sharing the port). */
  workers?: number;
  /** Wharf only: further WHARF_REGISTRY_* settings. */
  env?: Record<string, string>;
}

export interface RunningRegistry {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT, as image references want it */
  host: string;
  dataDir: string;
  /** The last lines the process printed. */
  logs(): string;
  /** The process id (the cluster primary with workers). */
  pid: number;
  stop(): Promise<void>;
}

/** A temp data directory unless the caller brought one, and how to clean it up. */
export async function dataDirFor(opts: RegistryOptions, prefix: string): Promise<{ dataDir: string; removeDataDir: () => Promise<void> }> {
  if (opts.dataDir !== undefined) return { dataDir: opts.dataDir, removeDataDir: async () => {} };
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  return { dataDir, removeDataDir: () => rm(dataDir, { recursive: true, force: true }) };
}

export async function startWharf(opts: RegistryOptions = {}): Promise<RunningRegistry> {
  const { dataDir, removeDataDir } = await dataDirFor(opts, 'wharf-e2e-');
  const server = await launch({
    name: 'wharf registry',
    command: ([host]) => {
      const env: NodeJS.ProcessEnv = {
        ...withoutWharfVars(process.env),
        WHARF_REGISTRY_HTTP_ADDR: host,
        ...(opts.storageEnv ?? storageEnv(opts, dataDir)),
        WHARF_REGISTRY_STORAGE_DELETE_ENABLED: String(opts.deleteEnabled ?? true),
        WHARF_REGISTRY_LOG_LEVEL: opts.logLevel ?? 'warn',
        ...authEnv(opts),
        ...opts.env,
      };
      const workers = opts.workers === undefined ? [] : ['--workers', String(opts.workers)];
      return { file: process.execPath, args: [cliMain, 'registry', ...workers], env };
    },
    // With a token server configured the registry must challenge; otherwise 200 or htpasswd's 401.
    ready: ([host]) => answers(`http://${host}/v2/`, opts.token ? [401] : [200, 401]),
    portTaken: /EADDRINUSE/,
    cleanup: removeDataDir,
  });
  const host = server.hosts[0]!;
  return { url: `http://${host}`, host, dataDir, logs: server.logs, pid: server.pid, stop: server.stop };
}

function storageEnv(opts: RegistryOptions, dataDir: string): Record<string, string> {
  return opts.s3 ? s3StorageEnv(opts.s3, opts.redirect) : { WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: dataDir };
}

/** A registry's settings to store in this S3 bucket (Ceph RGW). */
export function s3StorageEnv(s3: S3Storage, redirect = false): Record<string, string> {
  return {
    WHARF_REGISTRY_STORAGE_S3_ENDPOINT: s3.endpoint,
    WHARF_REGISTRY_STORAGE_S3_REGION: s3.region,
    WHARF_REGISTRY_STORAGE_S3_BUCKET: s3.bucket,
    WHARF_REGISTRY_STORAGE_S3_ACCESSKEY: s3.accessKey,
    WHARF_REGISTRY_STORAGE_S3_SECRETKEY: s3.secretKey,
    WHARF_REGISTRY_STORAGE_S3_FORCEPATHSTYLE: 'true',
    WHARF_REGISTRY_STORAGE_S3_ROOTDIRECTORY: s3.rootDirectory ?? '',
    WHARF_REGISTRY_STORAGE_REDIRECT_ENABLED: String(redirect),
  };
}

function authEnv(opts: RegistryOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (opts.htpasswdPath) {
    env.WHARF_REGISTRY_AUTH_HTPASSWD_PATH = opts.htpasswdPath;
    env.WHARF_REGISTRY_AUTH_HTPASSWD_REALM = opts.realm ?? 'wharf-e2e';
  }
  const token = opts.token;
  if (token) {
    env.WHARF_REGISTRY_AUTH_TOKEN_REALM = token.realm;
    env.WHARF_REGISTRY_AUTH_TOKEN_SERVICE = token.service;
    env.WHARF_REGISTRY_AUTH_TOKEN_ISSUER = token.issuer;
    if (token.rootCertBundle) env.WHARF_REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE = token.rootCertBundle;
    if (token.jwks) env.WHARF_REGISTRY_AUTH_TOKEN_JWKS = token.jwks;
  }
  return env;
}
