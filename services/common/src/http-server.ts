// Starting and stopping a service's HTTP server, the same way for the registry and the index:
// plain http, or https (optionally with client certificates) when `http.tls` is configured.
import { unwatchFile, watchFile, type StatsListener } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer, type ServerOptions as TlsServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { durationMs } from '@wharf/shared';
import { defaultHttpLimits, type TlsSettings } from './config-schemas.js';
import { capConnections } from './connection-cap.js';
import { InFlight, type DrainResult } from './in-flight.js';

export function splitAddr(addr: string): { host: string; port: number } {
  const colon = addr.lastIndexOf(':');
  return { host: addr.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(addr.slice(colon + 1)) };
}

/** The URL a service is reached at: its public URL when configured, else scheme://addr. */
export function serviceUrl(http: { addr: string; tls?: TlsSettings | undefined; publicUrl?: string | undefined }): string {
  return (http.publicUrl ?? `${http.tls ? 'https' : 'http'}://${http.addr}`).replace(/\/+$/, '');
}

export interface RunningServer {
  address: AddressInfo;
  scheme: 'http' | 'https';
  /** Requests being served now. */
  inFlight(): number;
  /** Stops accepting, ends idle and active connections, resolves when closed. */
  close(): Promise<void>;
  /** Stops accepting, lets running requests finish for up to timeoutMs, then cuts the rest. */
  drain(timeoutMs: number): Promise<DrainResult>;
}

async function readPem(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(`http.tls.${what}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Node's https options for the settings: TLS 1.2 at least; client certificates verified against clientCA. */
export async function tlsServerOptions(tls: TlsSettings): Promise<TlsServerOptions> {
  const [cert, key, ca] = await Promise.all([
    readPem(tls.certificate, 'certificate'),
    readPem(tls.key, 'key'),
    tls.clientCA === undefined ? undefined : readPem(tls.clientCA, 'clientCA'),
  ]);
  return {
    cert,
    key,
    minVersion: tls.minVersion === '1.3' ? 'TLSv1.3' : 'TLSv1.2',
    // With a client CA, the handshake fails unless the client presents a certificate it signed.
    ...(ca ? { ca, requestCert: true, rejectUnauthorized: true } : {}),
  };
}

/** The https server; a key that does not match its certificate (or a bad PEM) is named as such. */
async function createTls(app: RequestListener, options: ServerOptions, tls: TlsSettings): Promise<TlsServer> {
  const tlsOptions = await tlsServerOptions(tls);
  try {
    return createTlsServer({ ...options, ...tlsOptions }, app);
  } catch (err) {
    throw new Error(`http.tls: cannot use ${tls.certificate} with ${tls.key}: ${(err as Error).message}`);
  }
}

/**
 * Reloads the certificate, key and client CA when one of the files changes (polled, so a file
 * replaced by a rename or a symlink swap is seen too). New connections get the new pair; a pair
 * that does not fit yet (a certificate renewed before its key) keeps the old one until it does.
 * Returns the function that stops watching.
 */
function reloadOnChange(server: TlsServer, tls: TlsSettings, logger: Logger | undefined): () => void {
  const files = [tls.certificate, tls.key, ...(tls.clientCA === undefined ? [] : [tls.clientCA])];
  const reload: StatsListener = (current, previous) => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size) return;
    tlsServerOptions(tls)
      .then((options) => {
        server.setSecureContext(options);
        logger?.info({ certificate: tls.certificate }, 'TLS certificate reloaded');
      })
      .catch((err: unknown) => logger?.warn({ certificate: tls.certificate, err: (err as Error).message }, 'TLS files changed but cannot be used; keeping the previous ones'));
  };
  const interval = durationMs(tls.reloadInterval);
  for (const file of files) watchFile(file, { interval, persistent: false }, reload);
  return () => files.forEach((file) => unwatchFile(file, reload));
}

/**
 * How long a client may take and how many connections it may hold; every field in ms or a count.
 * Unset fields take the defaults of the shared `http` settings (config-schemas.ts).
 */
export interface HttpLimits {
  /** The whole request head must arrive within this. */
  headerTimeoutMs?: number;
  /** No bytes either way for this long, while the client is sending or being answered, ends the connection. */
  idleTimeoutMs?: number;
  /** The whole request (head and body) must arrive within this; 0 = no limit. */
  requestTimeoutMs?: number;
  /** An idle kept-alive connection is closed after this. */
  keepAliveTimeoutMs?: number;
  /** A connection is closed after this many requests; 0 = no limit. */
  maxRequestsPerConnection?: number;
  /** Most connections open at once; further ones are refused. */
  maxConnections?: number;
  /** Most connections one client address may hold, as a share of maxConnections. */
  perAddressShare?: number;
}


/**
 * Node's options for the limits. Node enforces the header and request timeouts only when it
 * sweeps its connections, every `connectionsCheckingInterval` (30 s by default): a 2 s timeout
 * let a stalled body run on for up to 30 s. Sweep often enough that each holds to within a tenth.
 */
function serverOptions(limits: Required<HttpLimits>): ServerOptions {
  // Node refuses a header timeout longer than the request timeout: the head is part of the request.
  const headersTimeout = limits.requestTimeoutMs ? Math.min(limits.headerTimeoutMs, limits.requestTimeoutMs) : limits.headerTimeoutMs;
  const shortest = Math.min(headersTimeout, limits.requestTimeoutMs || Infinity);
  return {
    headersTimeout,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(shortest / 10))),
  };
}

/** Logs refused connections at most every 10 s, with how many there were and the last peer. */
function refusalLog(logger: Logger | undefined): (key: string, reason: 'total' | 'address') => void {
  let refused = 0;
  let last = 0;
  return (peer, reason) => {
    refused++;
    if (!logger || Date.now() - last < 10_000) return;
    last = Date.now();
    logger.warn({ refused, peer, reason }, reason === 'total' ? 'connection limit reached: refusing connections' : 'a client address is over its share of connections: refusing its connections');
    refused = 0;
  };
}

/**
 * Listens on host:port (a port of 0 picks a free one), with TLS when `tls` is given; rejects on
 * EADDRINUSE, unreadable PEM files, a key that does not match its certificate and the like.
 * `logger` hears about certificate reloads and refused connections.
 */
export async function startHttpServer(
  app: RequestListener,
  host: string,
  port: number,
  limits: HttpLimits = {},
  tls?: TlsSettings,
  logger?: Logger,
): Promise<RunningServer> {
  const settings = { ...defaultHttpLimits, ...limits };
  const options = serverOptions(settings);
  const inFlight = new InFlight(settings.idleTimeoutMs);
  const tracked = inFlight.track(app);
  const tlsServer = tls ? await createTls(tracked, options, tls) : undefined;
  const server: Server = tlsServer ?? createServer(options, tracked);
  const stopWatching = tlsServer && tls ? reloadOnChange(tlsServer, tls, logger) : () => undefined;
  server.keepAliveTimeout = settings.keepAliveTimeoutMs;
  server.maxRequestsPerSocket = settings.maxRequestsPerConnection;
  // Sets each new connection's idle timer; onIdle decides what an expired one means.
  server.timeout = settings.idleTimeoutMs;
  server.on('timeout', inFlight.onIdle);
  capConnections(server, { max: settings.maxConnections, perAddressShare: settings.perAddressShare }, refusalLog(logger));
  return new Promise((resolve, reject) => {
    const failed = (err: Error) => {
      stopWatching();
      reject(err);
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve({
        address: server.address() as AddressInfo,
        scheme: tls ? 'https' : 'http',
        inFlight: () => inFlight.count,
        close: () => {
          stopWatching();
          const closing = new Promise<void>((done) => server.close(() => done()));
          server.closeAllConnections();
          return closing;
        },
        drain: (timeoutMs) => {
          stopWatching();
          return inFlight.drain(server, timeoutMs);
        },
      });
    });
  });
}
