// Tags each request with an id (kept from X-Request-Id when the caller sent a sane one) and a
// child logger; the access log line is written when the response finishes. Never logs headers,
// so credentials and tokens stay out of the log.
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

const sane = /^[A-Za-z0-9._-]{1,128}$/;

export function requestContext(logger: Logger, accessLog: boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && sane.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    // The child logger is made only when something logs: most requests log one access line,
    // written below without a child, and a child per request costs measurable CPU.
    let child: Logger | undefined;
    Object.defineProperty(res.locals, 'log', { get: () => (child ??= logger.child({ reqId: id })), enumerable: true });
    res.set('X-Request-Id', id);
    if (accessLog) {
      const started = process.hrtime.bigint();
      const socket = req.socket;
      const readBefore = socket.bytesRead;
      const writtenBefore = socket.bytesWritten;
      res.on('finish', () => {
        logger.info(
          {
            reqId: id,
            method: req.method,
            path: req.originalUrl.split('?')[0],
            status: res.statusCode,
            bytesIn: socket.bytesRead - readBefore,
            bytesOut: socket.bytesWritten - writtenBefore,
            durationMs: Number(process.hrtime.bigint() - started) / 1e6,
            // The socket captured at the start: req.socket is null by 'finish' when the request was
            // destroyed mid-body (e.g. a manifest cut off at the size limit), and a throw here
            // would be an uncaught exception that takes the process down.
            remote: socket.remoteAddress,
            user: res.locals.user,
          },
          'request',
        );
      });
    }
    next();
  };
}
