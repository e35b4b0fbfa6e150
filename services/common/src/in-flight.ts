// The requests a server is working on: what the idle timeout spares and what a drain waits for.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
}

export interface DrainResult {
  /** Requests that were still running when the drain began. */
  waitedFor: number;
  /** Requests cut off because they outlasted the drain timeout. */
  cut: number;
}

export class InFlight {
  private readonly exchanges = new Map<Socket, Exchange>();
  private draining = false;

  /** @param idleMs no bytes either way for this long ends a connection (0 = never). */
  constructor(private readonly idleMs: number) {}

  get count(): number {
    return this.exchanges.size;
  }

  /** The app, with each request recorded until its response is done. */
  track(app: RequestListener): RequestListener {
    return (req, res) => {
      const socket = req.socket;
      this.exchanges.set(socket, { req, res });
      const done = () => {
        if (this.exchanges.get(socket)?.res === res) this.exchanges.delete(socket);
      };
      res.once('finish', done).once('close', done);
      // A request that arrives while draining is served, on a connection that then closes.
      if (this.draining) res.setHeader('Connection', 'close');
      // Node leaves the keep-alive timeout on a reused connection until it sees a new request.
      if (this.idleMs) socket.setTimeout(this.idleMs);
      app(req, res);
    };
  }

  /**
   * The server's 'timeout' handler (no bytes either way for idleMs, or the keep-alive timeout).
   * A connection is cut unless its request has fully arrived and the server is still working on
   * the answer (digesting a big blob, asking an upstream): silence there is ours, not the client's.
   */
  onIdle = (socket: Socket): void => {
    const exchange = this.exchanges.get(socket);
    if (exchange && exchange.req.complete && !exchange.res.headersSent) {
      socket.setTimeout(this.idleMs);
      return;
    }
    socket.destroy();
  };

  /**
   * Stops accepting, lets running requests finish (their connections close after the answer),
   * closes idle connections, and after timeoutMs cuts whatever is left. Resolves once every
   * connection is closed.
   */
  async drain(server: Server, timeoutMs: number): Promise<DrainResult> {
    this.draining = true;
    const waitedFor = this.exchanges.size;
    for (const { res } of this.exchanges.values()) if (!res.headersSent) res.setHeader('Connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // A connection whose answer went out before it could be told to close turns idle: close it.
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    let cut = 0;
    const deadline = setTimeout(() => {
      cut = this.exchanges.size;
      server.closeAllConnections();
    }, timeoutMs);
    try {
      await closed;
    } finally {
      clearInterval(sweep);
      clearTimeout(deadline);
    }
    return { waitedFor, cut };
  }
}
