// TLS for the e2e tests: a throwaway CA, a server certificate for 127.0.0.1 (IP SAN) and a client
// certificate, made with openssl at test time; an https client that trusts that CA (and presents
// the client certificate when asked); and `wharf registry` / `wharf serve` launched with http.tls.
import { request } from 'node:https';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SecureVersion, TLSSocket } from 'node:tls';
import { cliMain, launch, withoutWharfVars, type Launched } from './launch.js';
import { runOk } from './process.js';

export interface TestPki {
  dir: string;
  /** PEM of the CA that signed both certificates. */
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** Removes every file. */
  remove(): Promise<void>;
}

async function openssl(cwd: string, ...args: string[]): Promise<void> {
  await runOk('openssl', args, { cwd, timeoutMs: 60_000 });
}

/** A CA, a server certificate valid for 127.0.0.1 and a client certificate (EC P-256, one day). */
export async function makeTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'wharf-tls-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(dir, 'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=Wharf test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const issue = async (name: string, subject: string, extensions: string) => {
    await openssl(dir, 'req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    await writeFile(join(dir, `${name}.ext`), extensions);
    await openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
  };
  await issue('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n');
  await issue('client', '/CN=wharf-test-client', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n');
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/**
 * A certificate directory as skopeo (--cert-dir) and docker (certs.d/HOST:PORT) read it: ca.crt,
 * plus client.cert/client.key when `client` is set.
 */
export async function certDir(pki: TestPki, path: string, client = false): Promise<string> {
  await mkdir(path, { recursive: true });
  await copyFile(pki.caCert, join(path, 'ca.crt'));
  if (client) {
    await copyFile(pki.clientCert, join(path, 'client.cert'));
    await copyFile(pki.clientKey, join(path, 'client.key'));
  }
  return path;
}

export interface HttpsOptions {
  method?: string;
  headers?: Record<string, string>;
  /** PEM files: the CA to trust (default: the system's), and a client certificate to present. */
  ca?: string;
  cert?: string;
  key?: string;
  maxVersion?: SecureVersion;
  minVersion?: SecureVersion;
  /** OpenSSL cipher list (a client able to speak old TLS needs SECLEVEL=0). */
  ciphers?: string;
}

export interface HttpsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The TLS version negotiated. */
  protocol: string | null;
}

/** One https request with node:https (fetch cannot be given a CA); rejects on TLS errors. */
export async function httpsRequest(url: string, opts: HttpsOptions = {}): Promise<HttpsAnswer> {
  const pem = async (path: string | undefined) => (path ? await readFile(path) : undefined);
  const [ca, cert, key] = await Promise.all([pem(opts.ca), pem(opts.cert), pem(opts.key)]);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: opts.method ?? 'GET',
        headers: opts.headers,
        ...(ca ? { ca } : {}),
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
        ...(opts.maxVersion ? { maxVersion: opts.maxVersion } : {}),
        ...(opts.minVersion ? { minVersion: opts.minVersion } : {}),
        ...(opts.ciphers ? { ciphers: opts.ciphers } : {}),
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        const protocol = (res.socket as TLSSocket).getProtocol?.() ?? null;
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), protocol }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer in 10 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** Whether an https GET with these options answers one of the statuses (TLS and connection errors: no). */
async function httpsAnswers(url: string, statuses: number[], opts: HttpsOptions): Promise<boolean> {
  try {
    return statuses.includes((await httpsRequest(url, opts)).status);
  } catch {
    return false;
  }
}

/** The WHARF_* settings that serve a service (REGISTRY or INDEX) with the test certificate. */
export function tlsEnv(service: 'REGISTRY' | 'INDEX', pki: TestPki, opts: { clientCA?: boolean; minVersion?: '1.2' | '1.3' } = {}): Record<string, string> {
  const prefix = `WHARF_${service}_HTTP_TLS_`;
  return {
    [`${prefix}CERTIFICATE`]: pki.serverCert,
    [`${prefix}KEY`]: pki.serverKey,
    ...(opts.clientCA ? { [`${prefix}CLIENTCA`]: pki.caCert } : {}),
    ...(opts.minVersion ? { [`${prefix}MINVERSION`]: opts.minVersion } : {}),
  };
}

export interface TlsRegistry extends Launched {
  /** 127.0.0.1:PORT */
  host: string;
  url: string;
  dataDir: string;
}

/** `wharf registry` over https (open auth, delete enabled) with the test PKI; `clientCA` requires client certificates. */
export async function startTlsRegistry(pki: TestPki, opts: { clientCA?: boolean; minVersion?: '1.2' | '1.3'; env?: Record<string, string> } = {}): Promise<TlsRegistry> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wharf-tls-registry-'));
  const client = opts.clientCA ? { cert: pki.clientCert, key: pki.clientKey } : {};
  const server = await launch({
    name: 'wharf registry (tls)',
    command: ([host]) => ({
      file: process.execPath,
      args: [cliMain, 'registry'],
      env: {
        ...withoutWharfVars(process.env),
        WHARF_REGISTRY_HTTP_ADDR: host!,
        WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: dataDir,
        WHARF_REGISTRY_STORAGE_DELETE_ENABLED: 'true',
        WHARF_REGISTRY_LOG_LEVEL: 'info',
        ...tlsEnv('REGISTRY', pki, opts),
        ...opts.env,
      },
    }),
    ready: ([host]) => httpsAnswers(`https://${host}/v2/`, [200], { ca: pki.caCert, ...client }),
    portTaken: /EADDRINUSE/,
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  });
  const host = server.hosts[0]!;
  return { ...server, host, url: `https://${host}`, dataDir };
}

export interface TlsStack extends Launched {
  indexHost: string;
  registryHost: string;
  indexUrl: string;
  registryUrl: string;
  /** The environment serve runs with (`wharf user add` uses the same database). */
  env: NodeJS.ProcessEnv;
}

/**
 * `wharf serve` with both services on https. The registry calls the index (JWKS, events, v1
 * tokens) over https too, so the process trusts the test CA through NODE_EXTRA_CA_CERTS, as an
 * operator with a private CA does.
 */
export async function startTlsServe(pki: TestPki, extraEnv: Record<string, string> = {}): Promise<TlsStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wharf-tls-serve-'));
  await mkdir(join(dataDir, 'index'), { recursive: true });
  let env: NodeJS.ProcessEnv = {};
  const server = await launch({
    name: 'wharf serve (tls)',
    ports: 2,
    command: ([indexHost, registryHost]) => {
      env = {
        ...withoutWharfVars(process.env),
        NODE_EXTRA_CA_CERTS: pki.caCert,
        WHARF_INDEX_HTTP_ADDR: indexHost!,
        WHARF_INDEX_DATABASE_PATH: join(dataDir, 'index', 'index.db'),
        WHARF_REGISTRY_HTTP_ADDR: registryHost!,
        WHARF_REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: join(dataDir, 'registry'),
        ...tlsEnv('INDEX', pki),
        ...tlsEnv('REGISTRY', pki),
        ...extraEnv,
      };
      return { file: process.execPath, args: [cliMain, 'serve'], env };
    },
    ready: async ([indexHost, registryHost]) =>
      (await httpsAnswers(`https://${indexHost}/keys`, [200], { ca: pki.caCert })) &&
      (await httpsAnswers(`https://${registryHost}/readyz`, [200], { ca: pki.caCert })),
    portTaken: /EADDRINUSE/,
    logBytes: 1024 * 1024,
    readyTimeoutMs: 30_000,
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  });
  const [indexHost, registryHost] = server.hosts as [string, string];
  return { ...server, indexHost, registryHost, indexUrl: `https://${indexHost}`, registryUrl: `https://${registryHost}`, env };
}
