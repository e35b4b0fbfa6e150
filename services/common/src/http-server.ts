// Starting and stopping a service's HTTP server, the same way for the registry and the index.
import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';

export function splitAddr(addr: string): { host: string; port: number } {
  const colon = addr.lastIndexOf(':');
  return { host: addr.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(addr.slice(colon + 1)) };
}

export interface RunningServer {
  address: AddressInfo;
  /** Stops accepting, ends idle and active connections, resolves when closed. */
  close(): Promise<void>;
}

/** Listens on host:port (a port of 0 picks a free one); rejects on EADDRINUSE and the like. */
export function startHttpServer(app: RequestListener, host: string, port: number, options: ServerOptions = {}): Promise<RunningServer> {
  const server: Server = createServer(options, app);
  // Longer than the usual load balancer idle timeout, so the balancer closes first.
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        address: server.address() as AddressInfo,
        close: () => {
          const closing = new Promise<void>((done) => server.close(() => done()));
          server.closeAllConnections();
          return closing;
        },
      });
    });
  });
}
