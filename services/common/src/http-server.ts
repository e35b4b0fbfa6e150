// Starting and stopping a service's HTTP server, the same way for the registry and the index:
// plain http, or https (optionally with client certificates) when `http.tls` is configured.
import { unwatchFile, watchFile, type StatsListener } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer, type ServerOptions as TlsServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { durationMs } from '@wharf/shared';
import type { TlsSettings } from './config-schemas.js';

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
  /** Stops accepting, ends idle and active connections, resolves when closed. */
  close(): Promise<void>;
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
 * Node enforces `requestTimeout` only when it sweeps its connections, every
 * `connectionsCheckingInterval` (30 s by default): a 2 s timeout let a stalled body run on for
 * up to 30 s. Sweep often enough that the timeout holds to within a tenth of itself.
 */
function withTimeoutChecks(options: ServerOptions): ServerOptions {
  const timeout = options.requestTimeout;
  if (!timeout || options.connectionsCheckingInterval !== undefined) return options;
  return { ...options, connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(timeout / 10))) };
}

/**
 * Listens on host:port (a port of 0 picks a free one), with TLS when `tls` is given; rejects on
 * EADDRINUSE, unreadable PEM files, a key that does not match its certificate and the like.
 * `logger` hears about certificate reloads.
 */
export async function startHttpServer(
  app: RequestListener,
  host: string,
  port: number,
  options: ServerOptions = {},
  tls?: TlsSettings,
  logger?: Logger,
): Promise<RunningServer> {
  const checked = withTimeoutChecks(options);
  const tlsServer = tls ? await createTls(app, checked, tls) : undefined;
  const server: Server = tlsServer ?? createServer(checked, app);
  const stopWatching = tlsServer && tls ? reloadOnChange(tlsServer, tls, logger) : () => undefined;
  // Longer than the usual load balancer idle timeout, so the balancer closes first.
  server.keepAliveTimeout = 65_000;
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
        close: () => {
          stopWatching();
          const closing = new Promise<void>((done) => server.close(() => done()));
          server.closeAllConnections();
          return closing;
        },
      });
    });
  });
}
